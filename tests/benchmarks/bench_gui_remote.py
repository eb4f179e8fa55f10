"""The Profiles tab through a remote link (issue 11 §3): from Enter to the page, its total and the charts painted.

    uv run python tests/benchmarks/bench_gui_remote.py                   # 5,000,000 profiles, 40 ms RTT
    uv run python tests/benchmarks/bench_gui_remote.py --rows 500000 --rtt-ms 20 --repeats 3 --keep

The real ProfilesTab runs headless (QT_QPA_PLATFORM=offscreen) on the app's qasync loop, on a PostgreSQL database
of generated profiles — bench_search.py's generator and loader, in a database of this benchmark's own
(`insighta_bench_gui_remote`, reused when it already holds --rows profiles, dropped at the end unless --keep). The
app reaches it through tests/latency_proxy.py (a process of its own, so it does not share the app's interpreter
lock), and directly for comparison. For each plain-language query: the text goes in the box, Enter is pressed, and
the clock stops once the search task has delivered and the tab has painted it: the events the answer left pending
are processed (as the app's event loop would), and the table, the line with the total and (for a cold query, whose
charts change) each chart must have received a paint after the results were shown; whatever has not is painted
then, synchronously. "cold" empties the app's result cache before every query; "warm" asks the same query again
right after it. Qt starts as the app starts it (ui.app.create_application: the start-up objects frozen out of the
cycle collector's reach, large fills painted on the GUI thread, the branding). The header gives the load average.
"""
from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import sys
import time
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

import psycopg  # noqa: E402
import qasync  # noqa: E402
from bench_remote import start_proxy  # noqa: E402
from bench_search import PG_SERVER, create_pg_database, drop_pg_database, load_postgres, pg_database_url  # noqa: E402
from PySide6.QtCharts import QChartView  # noqa: E402
from PySide6.QtCore import QCoreApplication, QEvent, QObject, Qt  # noqa: E402
from PySide6.QtTest import QTest  # noqa: E402
from PySide6.QtWidgets import QWidget  # noqa: E402
from sqlalchemy.engine import make_url  # noqa: E402

from insighta_desktop.config import AppPaths, CredentialStore  # noqa: E402
from insighta_desktop.context import AppContext, open_context  # noqa: E402
from insighta_desktop.db.schema import SCHEMA_VERSION  # noqa: E402
from insighta_desktop.ui.app import create_application  # noqa: E402
from insighta_desktop.ui.profiles.tab import ProfilesTab  # noqa: E402
from insighta_desktop.ui.shared.tasks import TaskRunner  # noqa: E402
from tests.fakes.memory_keyring import MemoryKeyring  # noqa: E402

QUERIES = ["young males", "females above 30", "people from angola", "adult males from kenya",
           "Nigerian females between ages 20 and 45", "seniors from south africa oldest first",
           "women in their 30s from ghana sorted by name", "children", "gender probability at least 0.9",
           "kenyans and ugandans under 18", "men from NG with country probability at least 0.8",
           "male and female teenagers above 17"]
DATABASE = "insighta_bench_gui_remote"
SLOWEST: list[tuple[float, str, str]] = []  # (ms, link, query) of every cold Enter


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(q * (len(ordered) - 1))))]


def reusable(url: str, rows: int) -> bool:
    """The kept database holds `rows` profiles in the current schema (an older one is loaded again, not upgraded:
    an upgrade of 5,000,000 rows is not what this measures)."""
    dsn = make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)
    try:
        with psycopg.connect(dsn) as conn:
            row = conn.execute("SELECT (SELECT count(*) FROM profiles), (SELECT max(version) FROM schema_version)"
                               ).fetchone()
    except psycopg.Error:
        return False
    return row is not None and (row[0], row[1]) == (rows, SCHEMA_VERSION)


class PaintWatch(QObject):
    """When each watched widget last began to paint."""

    def __init__(self, widgets: list[QWidget]) -> None:
        super().__init__()
        self.widgets = widgets
        self.painted: dict[int, float] = {}
        for widget in widgets:
            widget.installEventFilter(self)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802
        if event.type() == QEvent.Type.Paint:
            self.painted[id(watched)] = time.perf_counter()
        return False

    def unpainted_since(self, moment: float, widgets: list[QWidget]) -> list[QWidget]:
        return [w for w in widgets if self.painted.get(id(w), 0.0) < moment]


class TabDriver:
    """One ProfilesTab on a context, driven like a person: type, press Enter, wait for the painted answer."""

    def __init__(self, ctx: AppContext, loop: qasync.QEventLoop) -> None:
        self.ctx, self.loop = ctx, loop
        self.tasks = TaskRunner()
        self.tab = ProfilesTab(ctx, self.tasks)
        self.tab.set_read_only("benchmark")  # no search history written: the database may be another's
        self.tab.resize(1400, 900)
        self.tab.show()
        self.wait_idle()
        self.charts = [view.viewport() for view in self.tab.charts.findChildren(QChartView)]
        self.changed = [self.tab.table.viewport()]  # reset by every result
        self.paints = PaintWatch(self.changed + [self.tab.page_label] + self.charts)
        self.shown_at = 0.0
        self.tab.results_shown.connect(self._shown)
        self.forced = 0  # Enters whose paint had to be forced (not pending once the events were processed)

    def _shown(self) -> None:
        self.shown_at = time.perf_counter()

    def wait_idle(self) -> None:
        async def settle() -> None:
            while self.tasks.pending:
                await asyncio.sleep(0.005)
        self.loop.run_until_complete(settle())

    def enter(self, text: str, cold: bool) -> float:
        """Milliseconds from Enter to the page, total and charts painted."""
        self.wait_idle()
        cache = self.tab.search_service.cache
        if cold and cache is not None:
            cache.invalidate()
        self.tab.query.setText(text)
        label = self.tab.page_label.text()
        started = time.perf_counter()
        QTest.keyClick(self.tab.query, Qt.Key.Key_Return)
        task = self.tab.search_task
        assert task is not None
        self.loop.run_until_complete(task)
        # What the answer left pending (layouts, the repaint it asked for) is done now, as the event loop would;
        # a widget that should show something new and has not painted since the results were shown is painted
        # now, so the clock never stops before the table, the total and the charts are on screen. The line with
        # the total must have painted when its text changed; a warm query's charts show what they showed.
        QCoreApplication.sendPostedEvents()
        QCoreApplication.processEvents()
        assert self.shown_at >= started
        changed = self.changed + (self.charts if cold else [])
        if cold or self.tab.page_label.text() != label:  # a cold query's line said "Searching…" meanwhile
            changed.append(self.tab.page_label)
        unpainted = self.paints.unpainted_since(self.shown_at, changed)
        if unpainted:
            self.forced += 1
            for widget in unpainted:
                widget.repaint()
        elapsed = (time.perf_counter() - started) * 1000
        result = self.tab.result
        assert result is not None and self.tab.facets is not None and "Searching" not in self.tab.page_label.text()
        return elapsed

    def close(self) -> None:
        self.tasks.cancel_all()
        self.wait_idle()
        self.tab.close()
        self.tab.deleteLater()


def run(label: str, url: str, home: Path, loop: qasync.QEventLoop,
        repeats: int) -> tuple[dict[str, list[float]], int]:
    """The samples by kind, and how many of the timed Enters had a paint forced."""
    credentials = CredentialStore(MemoryKeyring(), trusted_modules=(MemoryKeyring.__module__,))
    ctx = open_context(url, paths=AppPaths.under(home / label).ensure(), credentials=credentials)
    driver = TabDriver(ctx, loop)
    try:
        for text in QUERIES[:3]:  # connections, the typo index, the first plans: untimed
            driver.enter(text, cold=True)
        driver.forced = 0
        samples: dict[str, list[float]] = {"cold": [], "warm": []}
        for _ in range(repeats):
            for text in QUERIES:
                samples["cold"].append(driver.enter(text, cold=True))
                SLOWEST.append((samples["cold"][-1], label, text))
                # The same query asked again at once: the cache holds it. (Asked after the whole cold pass instead,
                # every query but the last had been emptied from the cache by the next cold one: "warm" was cold.)
                samples["warm"].append(driver.enter(text, cold=False))
        return samples, driver.forced
    finally:
        driver.close()
        ctx.close()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rows", type=int, default=5_000_000)
    parser.add_argument("--rtt-ms", type=float, default=40.0)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--keep", action="store_true", help=f"keep the database {DATABASE} for another run")
    parser.add_argument("--database", metavar="NAME",
                        help="read an existing database of generated profiles instead (bench_search.py --keep's); "
                             "never loaded, written or dropped here")
    args = parser.parse_args(argv)

    url = pg_database_url(args.database or DATABASE)
    if args.database:
        args.keep = True
        if not reusable(url, args.rows):
            raise SystemExit(f"{args.database} does not hold {args.rows:,} profiles in schema {SCHEMA_VERSION}")
    elif not reusable(url, args.rows):
        url = create_pg_database(DATABASE)
        print(f"loading {args.rows:,} profiles (bench_search.py's generator)…", flush=True)
        print(f"loaded in {load_postgres(url, args.rows, args.seed):.1f} s", flush=True)
    server = make_url(PG_SERVER)
    proxy, port = start_proxy(server.host or "127.0.0.1", server.port or 5432, args.rtt_ms)
    urls = {"direct": url, "proxied": make_url(url).set(host="127.0.0.1", port=port).render_as_string(
        hide_password=False)}
    app = create_application(sys.argv[:1])
    loop = qasync.QEventLoop(app)
    asyncio.set_event_loop(loop)
    home = Path(f"/tmp/bench_gui_remote_{os.getpid()}")
    results: dict[str, dict[str, list[float]]] = {}
    forced: dict[str, int] = {}
    load = os.getloadavg()
    try:
        for label, target in urls.items():
            results[label], forced[label] = run(label, target, home, loop, args.repeats)
    finally:
        loop.close()  # joins its worker threads
        proxy.terminate()
        proxy.wait(timeout=10)
        if not args.keep:
            drop_pg_database(DATABASE)
    print(f"Profiles tab, Enter → page + total + charts painted; {args.rows:,} profiles; proxy adds "
          f"{args.rtt_ms:g} ms per round trip; {len(QUERIES)} queries × {args.repeats} (ms); load average "
          f"{load[0]:.2f} before, {os.getloadavg()[0]:.2f} after")
    print(f"  {'link':8} {'cache':6} {'P50':>8} {'P95':>8} {'max':>8} {'≤100 ms':>8}")
    for label, by_kind in results.items():
        for kind, values in by_kind.items():
            within = sum(v <= 100 for v in values) / len(values)
            print(f"  {label:8} {kind:6} {statistics.median(values):8.1f} {percentile(values, 0.95):8.1f} "
                  f"{max(values):8.1f} {within:8.0%}")
    for kind in ("cold", "warm"):
        extra = statistics.median(results["proxied"][kind]) - statistics.median(results["direct"][kind])
        print(f"  round trips (P50, {kind}): {extra / args.rtt_ms:.1f}")
    print("  slowest cold Enters: " + "; ".join(f"{label} {text!r} {ms:.0f}" for ms, label, text in
                                                 sorted(SLOWEST, reverse=True)[:5]))
    print("  paints forced (not done once the pending events were processed): " + ", ".join(
        f"{label} {count} of {sum(len(v) for v in results[label].values())}" for label, count in forced.items()))
    return 0


if __name__ == "__main__":
    sys.exit(main())
