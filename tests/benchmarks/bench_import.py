"""CSV import benchmark: a dirty 500,000-row file into PostgreSQL and SQLite, against the native bulk loaders.

    uv run python tests/benchmarks/bench_import.py [--rows 500000] [--big-rows 2000000] [--skip-sqlite]
                                                   [--bad-share 0.03] [--long-names] [--many-countries]
                                                   [--skip-big] [--skip-gui] [--pg-url URL]
                                                   [--gui-only] [--gc-ab] [--pause-ab]

The dirty file comes from `insighta demo-data profiles --dirty` (about 3% bad rows of mixed kinds, 2% in-file
duplicates); 5% of its names are put in the database first. The import runs as the real CLI in a child process
(its peak RSS comes from wait4). The clean rows it inserted are then exported and loaded into an identical empty
table (same schema, indexes and triggers, created by ensure_schema) with `psql \\copy` and with the sqlite3
command-line `.import` (same journal and cache settings as the app's connections). The GUI figures are the gaps
between ticks of a 5 ms QTimer on the GUI thread while the Import tab imports the file (in its child process), and
the time a Profiles-tab search takes during the import against the same search idle (`--gui-only`: just these).
A search's time grows with the table (the import takes it from 25,000 rows to about 475,000), so the idle search is
timed before and after the import and each busy search is also set against the idle time at the table size it saw.
`--pause-ab` runs the GUI figures again with the import's child never paused for a search (ui/imports/child_pause.py).
"""
from __future__ import annotations

import argparse
import csv
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from dataclasses import dataclass
from pathlib import Path

import psycopg
import sqlalchemy as sa

from insighta_desktop.db.engine import create_engine_for
from insighta_desktop.db.migrations import ensure_schema
from insighta_desktop.db.profile_rows import PROFILE_COLUMNS
from insighta_desktop.demo.profiles import write_profiles_csv
from insighta_desktop.ingest.pipeline import Importer, ImportOptions

DEFAULT_PG = os.environ.get("INSIGHTA_TEST_PG_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")
COLUMNS = ",".join(PROFILE_COLUMNS)


def libpq(url: str) -> str:
    return sa.engine.make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)


def run_measured(cmd: list[str], env: dict | None = None) -> tuple[float, float, str]:
    """(wall seconds, the child's own peak RSS in MB from wait4, its stdout)."""
    started = time.perf_counter()
    read_fd, write_fd = os.pipe()
    pid = os.fork()
    if pid == 0:  # child: stdout to the pipe, stderr to /dev/null
        os.close(read_fd)
        os.dup2(write_fd, 1)
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, 2)
        os.execvpe(cmd[0], cmd, env or os.environ)
    os.close(write_fd)
    chunks = []
    while data := os.read(read_fd, 65536):
        chunks.append(data)
    os.close(read_fd)
    _pid, status, usage = os.wait4(pid, 0)
    wall = time.perf_counter() - started
    if os.waitstatus_to_exitcode(status) != 0:
        raise RuntimeError(f"{' '.join(cmd[:3])} exited with {os.waitstatus_to_exitcode(status)}")
    LAST_CPU_S[0] = usage.ru_utime + usage.ru_stime
    return wall, usage.ru_maxrss / 1024, b"".join(chunks).decode()


# The last measured child's CPU seconds (user + system): on a shared, loaded machine its wall time swings with
# everyone else's work, its CPU time much less.
LAST_CPU_S = [0.0]


@dataclass(frozen=True)
class Shape:
    """How the dirty file differs from the default one (about 3% bad rows, 2% repeats, short names, the demo's
    ~60 countries weighted towards a few), so the figures hold on files unlike the one tuned on."""

    bad_share: float = 0.03
    long_names: bool = False  # names of 60-190 characters (family names joined as some registries write them)
    many_countries: bool = False  # every country of the country data, uniformly, as alpha-2, alpha-3 or a name

    def describe(self) -> str:
        return (f"{self.bad_share:.0%} bad rows" + (", long names" if self.long_names else "")
                + (", many countries" if self.many_countries else ""))


def _reshape(path: Path, shape: Shape) -> None:
    import random

    from insighta_desktop.countries import all_countries

    if not (shape.long_names or shape.many_countries):
        return
    rng = random.Random(7)
    choices = [text for c in all_countries() for text in (c.alpha2, c.alpha2, c.name)]
    reshaped = path.with_suffix(".reshaped.csv")
    with path.open(newline="", encoding="utf-8") as src, reshaped.open("w", newline="", encoding="utf-8") as dst:
        reader, writer = csv.reader(src), csv.writer(dst, lineterminator="\n")
        writer.writerow(next(reader))
        for row in reader:
            if len(row) == 6:
                if shape.long_names and row[0].strip():
                    parts = row[0].split()
                    row[0] = " ".join([*parts, *(f"{parts[-1]}-{rng.choice(parts)}" for _ in range(rng.randrange(
                        5, 14)))])[:190]
                if shape.many_countries and len(row[3]) == 2:
                    row[3] = rng.choice(choices)
            writer.writerow(row)
    reshaped.replace(path)


def make_files(workdir: Path, rows: int, shape: Shape = Shape()) -> tuple[Path, Path, int]:
    dirty = workdir / f"dirty-{rows}.csv"
    write_profiles_csv(dirty, rows, seed=2026, dirty=True, bad_share=shape.bad_share)
    _reshape(dirty, shape)
    preseed = workdir / f"preseed-{rows}.csv"
    count = 0
    with dirty.open(newline="", encoding="utf-8") as src, preseed.open("w", newline="", encoding="utf-8") as dst:
        reader, writer = csv.reader(src), csv.writer(dst, lineterminator="\n")
        writer.writerow(next(reader))
        for i, row in enumerate(reader):
            if i % 20 == 7 and len(row) == 6:
                writer.writerow(row)
                count += 1
    return dirty, preseed, count


def new_pg_schema(server_url: str) -> tuple[str, str]:
    name = f"bench_{uuid.uuid4().hex[:10]}"
    with psycopg.connect(libpq(server_url), autocommit=True) as conn:
        conn.execute(f'CREATE SCHEMA "{name}"')
    url = sa.engine.make_url(server_url).update_query_dict({"options": f"-csearch_path={name}"})
    url_text = url.render_as_string(hide_password=False)
    engine = create_engine_for(url_text)
    ensure_schema(engine)
    engine.dispose()
    return name, url_text


def drop_pg_schema(server_url: str, name: str) -> None:
    with psycopg.connect(libpq(server_url), autocommit=True) as conn:
        conn.execute(f'DROP SCHEMA IF EXISTS "{name}" CASCADE')


def preseed(url: str, path: Path, workdir: Path) -> None:
    engine = create_engine_for(url)
    Importer(engine).run(path, ImportOptions(rejects_path=workdir / "preseed.rejects.csv"))
    engine.dispose()


def cli_import(url: str, path: Path, workdir: Path) -> tuple[float, float, dict]:
    cmd = [sys.executable, "-c", "import sys; from insighta_desktop.cli import main; sys.exit(main())",
           "import", str(path), "--db", url, "--json",
           "--rejects", str(workdir / f"{path.stem}.rejects.csv")]
    wall, rss, out = run_measured(cmd)
    return wall, rss, json.loads(out.strip().splitlines()[-1])


def report(label: str, wall: float, rows: int, extra: str = "") -> None:
    print(f"  {label:<44} {wall:8.2f} s  {rows / wall:10,.0f} rows/s  {extra}")


def bench_postgresql(server_url: str, dirty: Path, seed_file: Path, seeded: int, workdir: Path) -> float:
    print(f"PostgreSQL ({server_url.split('@')[-1]})")
    schema_a, url_a = new_pg_schema(server_url)
    schema_b, url_b = new_pg_schema(server_url)
    try:
        preseed(url_a, seed_file, workdir)
        wall, rss, summary = cli_import(url_a, dirty, workdir)
        report(f"insighta import ({summary['total_rows']:,} dirty rows)", wall, summary["total_rows"],
               f"peak RSS {rss:.0f} MB, CPU {LAST_CPU_S[0]:.1f} s")
        report("  of which the import itself (summary duration)", summary["duration_s"], summary["total_rows"])
        print(f"    inserted {summary['inserted']:,}, skipped {summary['skipped']:,} "
              f"(pre-seeded names: {seeded:,}); "
              f"reasons {json.dumps({k: v for k, v in summary['reasons'].items() if v})}")
        clean = workdir / "clean-pg.tsv"
        with psycopg.connect(libpq(url_a)) as conn, conn.cursor() as cur, clean.open("wb") as fh:
            with cur.copy(f"COPY (SELECT {COLUMNS} FROM profiles WHERE import_run_id = {summary['run_id']} "
                          f"ORDER BY source_line) TO STDOUT") as copy:
                for data in copy:
                    fh.write(data)
        preseed(url_b, seed_file, workdir)  # the identical table holds the same rows beforehand
        env = {**os.environ, "PGOPTIONS": f"-csearch_path={schema_b}"}
        dsn = libpq(server_url).split("?")[0]
        started = time.perf_counter()
        subprocess.run(["psql", dsn, "-v", "ON_ERROR_STOP=1", "-q", "-c",
                        f"\\copy profiles ({COLUMNS}) FROM '{clean}'"], check=True, env=env)
        copy_wall = time.perf_counter() - started
        report(f"psql \\copy of the {summary['inserted']:,} clean rows", copy_wall, summary["inserted"])
        print(f"  ratio import / psql \\copy: {wall / copy_wall:.2f}x whole CLI process, "
              f"{summary['duration_s'] / copy_wall:.2f}x import itself")
        return rss
    finally:
        drop_pg_schema(server_url, schema_a)
        drop_pg_schema(server_url, schema_b)


def bench_sqlite(dirty: Path, seed_file: Path, workdir: Path) -> None:
    print("SQLite")
    db_a, db_b = workdir / "a.db", workdir / "b.db"
    url_a, url_b = f"sqlite:///{db_a}", f"sqlite:///{db_b}"
    for url in (url_a, url_b):
        engine = create_engine_for(url)
        ensure_schema(engine)
        engine.dispose()
    preseed(url_a, seed_file, workdir)
    preseed(url_b, seed_file, workdir)  # the identical table holds the same rows beforehand
    before = int(subprocess.run(["sqlite3", str(db_b), "SELECT count(*) FROM profiles"], check=True,
                                capture_output=True, text=True).stdout)
    wall, rss, summary = cli_import(url_a, dirty, workdir)
    report(f"insighta import ({summary['total_rows']:,} dirty rows)", wall, summary["total_rows"],
           f"peak RSS {rss:.0f} MB, CPU {LAST_CPU_S[0]:.1f} s")
    report("  of which the import itself (summary duration)", summary["duration_s"], summary["total_rows"])
    clean = workdir / "clean-sqlite.csv"
    with clean.open("wb") as fh:
        subprocess.run(["sqlite3", "-csv", str(db_a), f"SELECT {COLUMNS} FROM profiles WHERE import_run_id = "
                        f"{summary['run_id']} ORDER BY source_line"], check=True, stdout=fh)
    started = time.perf_counter()
    subprocess.run(["sqlite3", str(db_b), "PRAGMA journal_mode=WAL;", "PRAGMA synchronous=NORMAL;",
                    ".mode csv", f".import {clean} profiles"], check=True, stdout=subprocess.DEVNULL)
    import_wall = time.perf_counter() - started
    loaded = int(subprocess.run(["sqlite3", str(db_b), "SELECT count(*) FROM profiles"], check=True,
                                capture_output=True, text=True).stdout)
    loaded -= before
    assert loaded == summary["inserted"], (loaded, summary["inserted"])
    report(f"sqlite3 .import of the {loaded:,} clean rows", import_wall, loaded)
    print(f"  ratio import / sqlite3 .import: {wall / import_wall:.2f}x whole CLI process, "
          f"{summary['duration_s'] / import_wall:.2f}x import itself")


# Searches timed idle, before the import and after it: the median of 9 moved between 12 and 20 ms from run to run
# on the same machine (a search takes 10-20 ms), so the ratio to it moved with it; 25 steady that baseline.
IDLE_SEARCHES = 25


def gui_child(url: str, path: str, seed_path: str, gc_tuning: bool = True, pause: bool = True) -> None:
    """Child process: the Import tab imports the file the way the app does (in a child process of its own) while a
    5 ms QTimer on the GUI thread measures the event loop's gaps and the Profiles tab searches now and then."""
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    import asyncio

    import qasync
    from PySide6.QtCore import QTimer

    from insighta_desktop.config import AppPaths
    from insighta_desktop.context import open_context
    from insighta_desktop.profiles.filters import build_filters
    from insighta_desktop.ui.app import create_application
    from insighta_desktop.ui.imports.tab import ImportTab
    from insighta_desktop.ui.profiles.tab import ProfilesTab
    from insighta_desktop.ui.shared.tasks import TaskRunner

    if not gc_tuning:  # the A/B for the app's gc.freeze / thresholds, which an in-process import once needed
        import insighta_desktop.ui.app as app_module

        app_module.tune_garbage_collector = lambda: None
    if not pause:  # the A/B for the child stepping aside (paused) while a search is in flight
        import insighta_desktop.ui.imports.child_pause as child_pause

        child_pause.PAUSE_SUPPORTED = False
    app = create_application()  # the app's own start-up, garbage-collector tuning included
    loop = qasync.QEventLoop(app)
    asyncio.set_event_loop(loop)
    home = Path(path).parent / "gui-home"
    ctx = open_context(url, paths=AppPaths.under(home).ensure())
    Importer(ctx.engine).run(Path(seed_path), ImportOptions(rejects_path=home / "seed.rejects.csv"))
    tasks = TaskRunner()
    imports, profiles = ImportTab(ctx, tasks), ProfilesTab(ctx, tasks)
    gaps: list[float] = []
    gap_at: list[tuple[float, float]] = []  # (gap, when it ended), for the longest gaps' moments
    last = [time.perf_counter()]
    tick_on = [False]

    control: list[float] = []
    quiet_gaps: list[float] = []  # gaps with no Profiles-tab search in flight (nor its answer being shown)
    searching = [False]

    def tick() -> None:
        now = time.perf_counter()
        if tick_on[0]:
            gaps.append(now - last[0])
            gap_at.append((now - last[0], now))
            if not searching[0]:
                quiet_gaps.append(now - last[0])
        last[0] = now

    heartbeat = QTimer()
    heartbeat.setInterval(5)
    heartbeat.timeout.connect(tick)
    updates = [0]
    searches = [0]

    import_end = [0.0]
    import_start = [0.0]
    inserted = [0]  # rows the import has inserted so far (its latest progress)
    child_hwm = [0.0]  # the import's child process: its peak RSS so far (read at each progress update)
    paused = [0, 0.0]  # times the import's child stepped aside for a search, and for how long in all

    async def search() -> float:
        """One Profiles-tab search (varied, so no answer comes from the cache), from the call to its answer shown."""
        searches[0] += 1
        filters = build_filters(min_age=18 + searches[0] % 40, max_age=60 + searches[0] % 30)
        started = time.perf_counter()
        searching[0] = True
        try:
            await profiles.run_search(filters)
            return time.perf_counter() - started
        finally:
            await asyncio.sleep(0.05)  # the answer's paint, on the next ticks, counts as the search's too
            searching[0] = False

    async def scenario() -> dict:
        for _ in range(3):  # warm up connections and caches
            await search()
        idle = [await search() for _ in range(IDLE_SEARCHES)]
        # The control: the same timer with nothing running in this app, for what the machine's load alone costs.
        tick_on[0] = True
        last[0] = time.perf_counter()
        await asyncio.sleep(10)
        tick_on[0] = False
        control.extend(sorted(gaps))
        gaps.clear()
        quiet_gaps.clear()
        imports.chosen_file = Path(path)
        tick_on[0] = True
        gap_at.clear()
        last[0] = time.perf_counter()
        started = time.perf_counter()
        import_start[0] = started
        cpu_started = time.process_time()
        imports.start_import()
        job = imports.job
        assert job is not None
        def progressed(p) -> None:
            updates[0] += 1
            inserted[0] = p.inserted
            child_hwm[0] = max(child_hwm[0], _peak_rss_mb(job.process.processId()))

        job.progress.connect(progressed)
        job.done.connect(lambda: paused.__setitem__(slice(0, 2), [job.pause.pauses, job.pause.paused_s]))
        busy: list[float] = []
        busy_at: list[int] = []  # rows inserted when each search started
        await asyncio.sleep(1.0)
        while imports.busy:
            busy_at.append(inserted[0])
            busy.append(await search())
            await asyncio.sleep(0.5)
        wall = time.perf_counter() - started
        import_end[0] = time.perf_counter()
        cpu = time.process_time() - cpu_started
        tick_on[0] = False
        summary = imports.last_summary
        # The same search idle on the table as the import left it: a search's time grows with the table (25,000
        # rows before the import, about 475,000 after), so "idle" is also needed at the size each busy search saw.
        after = [await search() for _ in range(IDLE_SEARCHES)]
        return {"wall": wall, "cpu": cpu, "rows": summary.total_rows if summary else None,
                "status": summary.status if summary else None, "idle": idle, "busy": busy, "busy_at": busy_at,
                "idle_after": after, "inserted": summary.inserted if summary else 0}

    heartbeat.start()
    try:
        result = loop.run_until_complete(scenario())
    finally:
        heartbeat.stop()
        imports.shutdown()
        loop.run_until_complete(asyncio.sleep(0.2))
        imports.deleteLater()
        profiles.deleteLater()
        loop.close()  # joins the loop's worker threads
        ctx.close()
    gaps.sort()
    quiet_gaps.sort()
    median = statistics.median
    # Each busy search against the idle time at the table size it saw: linear between the idle medians before and
    # after the import (the idle time grew about linearly with the rows, measured on 2 Dec before the search changes
    # of that day: 35 ms at 24k rows, 87 at 205k, 202 at 385k, 270 at 475k). Since then this search takes 15-40 ms
    # at either size: the interpolation then mostly follows the noise of the two idle medians, and the plain ratio
    # to the idle time before the import is the figure to read.
    before, after = median(result["idle"]), median(result["idle_after"])
    same_size = [took / (before + (after - before) * at / max(1, result["inserted"]))
                 for took, at in zip(result["busy"], result["busy_at"], strict=True)]
    print(json.dumps({**{k: result[k] for k in ("wall", "cpu", "rows", "status")},
                      "max_stall_ms": gaps[-1] * 1000, "p99_ms": gaps[int(len(gaps) * 0.99)] * 1000,
                      "p50_ms": median(gaps) * 1000, "ticks": len(gaps), "progress_updates": updates[0],
                      "quiet_p99_ms": quiet_gaps[int(len(quiet_gaps) * 0.99)] * 1000,
                      "quiet_max_ms": quiet_gaps[-1] * 1000, "quiet_ticks": len(quiet_gaps),
                      "control_p99_ms": control[int(len(control) * 0.99)] * 1000,
                      "control_max_ms": control[-1] * 1000, "control_ticks": len(control),
                      "search_idle_ms": median(result["idle"]) * 1000,
                      "search_busy_ms": median(result["busy"]) * 1000 if result["busy"] else None,
                      "search_busy_max_ms": max(result["busy"]) * 1000 if result["busy"] else None,
                      "searches_busy": len(result["busy"]),
                      "search_idle_after_ms": after * 1000,
                      "same_size_ratio": median(same_size) if same_size else None,
                      "pauses": paused[0], "paused_s": paused[1],
                      "child_rss_mb": child_hwm[0],
                      "longest_at": [(round(g * 1000, 1), round(t - import_start[0], 2))
                                     for g, t in sorted(gap_at, reverse=True)[:4]],
                      "import_s": import_end[0] - import_start[0]}))


def _peak_rss_mb(pid: int) -> float:
    """The process's own peak RSS (VmHWM) so far, in MB; 0 when it cannot be read. Not wait4's ru_maxrss, which for
    a child started by fork and exec also counts the copy of this GUI process it was before the exec."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except (OSError, ValueError):
        pass
    return 0.0


def bench_gui(server_url: str, dirty: Path, seed_file: Path, workdir: Path, gc_tuning: bool = True,
              pause: bool = True) -> None:
    schema, url = new_pg_schema(server_url)
    try:
        cmd = [sys.executable, __file__, "--gui-child", url, str(dirty), str(seed_file)]
        cmd += [] if gc_tuning else ["--no-gc-tuning"]
        cmd += [] if pause else ["--no-pause"]
        _wall, _rss, out = run_measured(cmd)
        data = json.loads(out.strip().splitlines()[-1])
        print(f"GUI (Import tab, import in a child process, PostgreSQL, "
              f"{'app GC tuning' if gc_tuning else 'default GC'}, "
              f"{'paused for searches' if pause else 'never paused'}): {data['rows']:,} rows in "
              f"{data['wall']:.1f} s, status {data['status']}; the window's process used {data['cpu']:.1f} s of CPU "
              f"meanwhile (searches included)")
        print(f"  event loop: p50 {data['p50_ms']:.1f} ms, p99 {data['p99_ms']:.1f} ms, "
              f"longest {data['max_stall_ms']:.1f} ms between ticks of a 5 ms QTimer ({data['ticks']:,} ticks); "
              f"{data['progress_updates']} progress updates ({data['progress_updates'] / data['wall']:.1f}/s); "
              f"the import's child process: peak RSS {data['child_rss_mb']:.0f} MB (its VmHWM at the last progress)")
        print(f"  the longest gaps (ms) and when they ended (s after the import started; it ended at "
              f"{data['import_s']:.1f} s): " + ", ".join(f"{g} at {t}" for g, t in data["longest_at"]))
        print(f"  control, the same app idle for 10 s before the import: p99 {data['control_p99_ms']:.1f} ms, "
              f"longest {data['control_max_ms']:.1f} ms ({data['control_ticks']:,} ticks)")
        print(f"  event loop with no search in flight: p99 {data['quiet_p99_ms']:.1f} ms, "
              f"longest {data['quiet_max_ms']:.1f} ms ({data['quiet_ticks']:,} ticks)")
        busy = data["search_busy_ms"]
        ratio = f"{busy / data['search_idle_ms']:.2f}x" if busy else "n/a"
        print(f"  Profiles-tab search: idle median {data['search_idle_ms']:.0f} ms; during the import median "
              f"{busy or 0:.0f} ms (max {data['search_busy_max_ms'] or 0:.0f} ms, {data['searches_busy']} searches): "
              f"{ratio} idle")
        if data["same_size_ratio"] is not None:
            print(f"  the same search idle after the import (the full table): median "
                  f"{data['search_idle_after_ms']:.0f} ms; each search during the import against the idle time at "
                  f"the table's size then (interpolated): median {data['same_size_ratio']:.2f}x; the import stepped "
                  f"aside {data['pauses']} times, {data['paused_s']:.1f} s in all")
    finally:
        drop_pg_schema(server_url, schema)


def compile_bytecode() -> None:
    """Compile the app and its libraries once, as an installed copy is: with PYTHONDONTWRITEBYTECODE set (as in
    some shells and containers) every CLI run would otherwise compile its imports again, seconds of start-up."""
    import compileall
    import sysconfig

    import insighta_desktop

    for folder in {sysconfig.get_paths()["purelib"], sysconfig.get_paths()["platlib"],
                   str(Path(insighta_desktop.__file__).parent)}:
        compileall.compile_dir(folder, quiet=2, workers=os.cpu_count() or 1)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=500_000)
    parser.add_argument("--big-rows", type=int, default=2_000_000)
    parser.add_argument("--pg-url", default=DEFAULT_PG)
    parser.add_argument("--skip-sqlite", action="store_true")
    parser.add_argument("--skip-big", action="store_true")
    parser.add_argument("--skip-gui", action="store_true")
    parser.add_argument("--gui-only", action="store_true", help="only the GUI figures (event loop, search)")
    parser.add_argument("--gc-ab", action="store_true",
                        help="GUI figures also without the app's garbage-collector tuning")
    parser.add_argument("--no-gc-tuning", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--pause-ab", action="store_true",
                        help="GUI figures also with the import's child never paused for a search")
    parser.add_argument("--no-pause", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--bad-share", type=float, default=0.03, help="share of bad rows (default 0.03)")
    parser.add_argument("--long-names", action="store_true", help="names of 60-190 characters")
    parser.add_argument("--many-countries", action="store_true",
                        help="every known country, uniformly, as codes and names")
    parser.add_argument("--gui-child", nargs=3, metavar=("URL", "FILE", "SEED"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.gui_child:
        gui_child(*args.gui_child, gc_tuning=not args.no_gc_tuning, pause=not args.no_pause)
        return
    compile_bytecode()
    workdir = Path(tempfile.mkdtemp(prefix="insighta-bench-"))
    try:
        started = time.perf_counter()
        shape = Shape(args.bad_share, args.long_names, args.many_countries)
        dirty, seed_file, seeded = make_files(workdir, args.rows, shape)
        print(f"Dirty file: {args.rows:,} rows ({shape.describe()}), {dirty.stat().st_size / 1e6:.1f} MB "
              f"(generated in {time.perf_counter() - started:.1f} s); {os.cpu_count()} CPUs, "
              f"load average {os.getloadavg()[0]:.2f}")
        if args.gui_only:
            bench_gui(args.pg_url, dirty, seed_file, workdir)
            if args.gc_ab:
                bench_gui(args.pg_url, dirty, seed_file, workdir, gc_tuning=False)
            if args.pause_ab:
                bench_gui(args.pg_url, dirty, seed_file, workdir, pause=False)
            print(f"load average at the end {os.getloadavg()[0]:.2f}")
            return
        rss_small = bench_postgresql(args.pg_url, dirty, seed_file, seeded, workdir)
        if not args.skip_sqlite:
            bench_sqlite(dirty, seed_file, workdir)
        if not args.skip_big:
            big, big_seed, big_seeded = make_files(workdir, args.big_rows, shape)
            print(f"Peak RSS at {args.big_rows:,} rows ({big.stat().st_size / 1e6:.1f} MB file):")
            rss_big = bench_postgresql(args.pg_url, big, big_seed, big_seeded, workdir)
            print(f"  peak RSS {args.rows:,} rows: {rss_small:.0f} MB; {args.big_rows:,} rows: {rss_big:.0f} MB "
                  f"({(rss_big / rss_small - 1) * 100:+.1f}%)")
        if not args.skip_gui:
            bench_gui(args.pg_url, dirty, seed_file, workdir)
        print(f"load average at the end {os.getloadavg()[0]:.2f}")
    finally:
        shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    main()
