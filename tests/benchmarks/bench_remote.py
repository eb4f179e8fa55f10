"""Round trips to a remote PostgreSQL: the app's calls direct and through a latency proxy (issue 11 §2).

    uv run python tests/benchmarks/bench_remote.py                # 40 ms RTT, the demo data (5,000 profiles)
    uv run python tests/benchmarks/bench_remote.py --rtt-ms 20 --profiles 50000 --repeats 7

It starts tests/latency_proxy.py on a free 127.0.0.1 port in front of the server, loads the demo profiles into a
schema of its own (dropped at the end), and times each call direct and proxied. A call's round trips are
(proxied - direct) / RTT: what the user waits for over a real link, beyond the server's own time. Medians of
--repeats runs, after one untimed run. The one-shot CLI runs in this process, each run with a new engine and
connection (as a fresh process would); its line counts the connection handshake, shown on the next line.

An import batch (100 rows, 10 of them rejected) is counted exactly with tests/turn_counting_proxy.py (the
difference between importing 20 and 10 batches, so the run's own statements and the connecting drop out), and
timed the same way through the latency proxy: two batches are written at once on two connections, so the time a
batch adds is less than its round trips.
"""
from __future__ import annotations

import argparse
import contextlib
import csv
import io
import os
import socket
import statistics
import subprocess
import sys
import time
import uuid
from collections.abc import Callable
from pathlib import Path

import psycopg
from sqlalchemy.engine import make_url

from insighta_desktop.cli import main as cli_main
from insighta_desktop.db.engine import create_engine_for
from insighta_desktop.db.migrations import ensure_schema
from insighta_desktop.demo.loader import load_demo_data
from insighta_desktop.ingest.pipeline import Importer, ImportOptions
from insighta_desktop.interviews.repository import list_interviews, load_interview_view
from insighta_desktop.profiles.cache import ResultCache
from insighta_desktop.profiles.filters import PageRequest
from insighta_desktop.profiles.parser import parse_query
from insighta_desktop.profiles.search import ProfileSearch

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
from tests.turn_counting_proxy import TurnCountingProxy  # noqa: E402

PG_SERVER = os.environ.get("INSIGHTA_TEST_PG_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")
PROXY = Path(__file__).resolve().parents[1] / "latency_proxy.py"
QUERIES = ["Nigerian females between ages 20 and 45", "young males", "seniors from south africa oldest first",
           "women in their 30s from ghana by name", "gender probability at least 0.9", "children"]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def libpq(url: str) -> str:
    return make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)


def start_proxy(target_host: str, target_port: int, rtt_ms: float) -> tuple[subprocess.Popen[str], int]:
    port = free_port()
    proxy = subprocess.Popen([sys.executable, str(PROXY), "--listen", f"127.0.0.1:{port}",
                              "--target", f"{target_host}:{target_port}", "--rtt-ms", str(rtt_ms)],
                             stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    assert proxy.stdout is not None
    proxy.stdout.readline()  # "latency proxy … " once it listens
    return proxy, port


def median_ms(func: Callable[[], object], repeats: int) -> float:
    func()
    samples = []
    for _ in range(repeats):
        started = time.perf_counter()
        func()
        samples.append((time.perf_counter() - started) * 1000)
    return statistics.median(samples)


def cli_search(url: str, home: Path) -> None:
    """One `insighta search` run in this process (a new engine, connection and dialect set-up each time, as a fresh
    process has; the interpreter's start-up and imports are left out, they cost no round trip)."""
    os.environ["INSIGHTA_HOME"] = str(home)
    with contextlib.redirect_stdout(io.StringIO()):
        code = cli_main(["--db", url, "search", QUERIES[0], "--json"])
    assert code == 0


def connect_only(url: str) -> None:
    """The connection handshake alone (TLS negotiation as the URL asks, start-up, authentication)."""
    psycopg.connect(libpq(url)).close()


def time_calls(url: str, repeats: int, home: Path) -> dict[str, float]:
    """Median milliseconds per call of each kind on `url`."""
    engine = create_engine_for(url)
    cold = ProfileSearch(engine)
    warm = ProfileSearch(engine, cache=ResultCache())
    page = PageRequest(limit=10)
    filters = [parse_query(q).filters for q in QUERIES]
    missing = ProfileSearch(engine, cache=ResultCache())

    interview_ids = [summary.id for summary in list_interviews(engine)][:3]

    def enter(query: str) -> object:
        filters = parse_query(query).filters
        return cold.search_with_facets(filters, page, country_counts=True)

    def cache_miss(query: str) -> object:
        assert missing.cache is not None
        missing.cache.invalidate()
        return missing.search_text(query, page)

    calls: dict[str, tuple[Callable[[], object], int]] = {
        "search_text (page + total), no cache": (lambda: [cold.search_text(q, page) for q in QUERIES],
                                                 len(QUERIES)),
        "search_text, cache on but missed": (lambda: [cache_miss(q) for q in QUERIES], len(QUERIES)),
        "search_text, cache warm": (lambda: [warm.search_text(q, page) for q in QUERIES], len(QUERIES)),
        "facets, no cache": (lambda: [cold.facets(f) for f in filters], len(filters)),
        "page + total + facets together (Enter), no cache": (lambda: [enter(q) for q in QUERIES], len(QUERIES)),
        "open an interview (transcript, assessment, chat)":
            (lambda: [load_interview_view(engine, i) for i in interview_ids], len(interview_ids)),
        "page 2 by number (total first), no cache":
            (lambda: [cold.search_text(q, PageRequest(page=2, limit=10)) for q in QUERIES[:2]], 2),
        "insighta search, in all (one CLI run, connecting)": (lambda: cli_search(url, home), 1),
        "  of which the connection handshake": (lambda: connect_only(url), 1),
    }
    try:
        return {name: median_ms(call, repeats) / per for name, (call, per) in calls.items()}
    finally:
        for service in (cold, warm, missing):
            service.close()
        engine.dispose()


def import_csv(url: str, folder: Path, batches: int) -> float:
    """Seconds to import a new file of `batches` batches of 100 rows (every 10th row rejected)."""
    path = folder / f"import_{uuid.uuid4().hex[:8]}.csv"
    with path.open("w", newline="", encoding="utf-8") as fh:
        out = csv.writer(fh)
        out.writerow(["name", "gender", "age", "country_id", "gender_probability", "country_probability"])
        out.writerows([f"Batch {path.stem} {i}", "female" if i % 10 else "robot", "30", "NG", "0.9", "0.8"]
                      for i in range(batches * 100))
    engine = create_engine_for(url)
    try:
        started = time.perf_counter()
        summary = Importer(engine).run(path, ImportOptions(batch_size=100, progress_interval=0, queue_depth=batches,
                                                            rejects_path=path.with_suffix(".rejects.csv")))
        elapsed = time.perf_counter() - started
    finally:
        engine.dispose()
    assert summary.status == "success" and summary.total_rows == batches * 100
    return elapsed


def import_batch_figures(server_url: str, urls: dict[str, str], folder: Path, rtt_ms: float, repeats: int) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    counting = TurnCountingProxy(make_url(server_url).host or "127.0.0.1", make_url(server_url).port or 5432)
    counted_url = make_url(urls["direct"]).set(host="127.0.0.1", port=counting.port)
    try:
        turns = []
        for batches in (10, 20):
            before = counting.turns
            import_csv(counted_url.render_as_string(hide_password=False), folder, batches)
            turns.append(counting.turns - before)
    finally:
        counting.close()
    per_batch = {label: statistics.median((import_csv(url, folder, 20) - import_csv(url, folder, 10)) * 1000 / 10
                                          for _ in range(repeats)) for label, url in urls.items()}
    direct, proxied = per_batch["direct"], per_batch["proxied"]
    print(f"  {'an import batch (100 rows), time it adds':52} {direct:9.1f} {proxied:9.1f} "
          f"{(proxied - direct) / rtt_ms:12.1f}")
    print(f"  {'  its round trips, counted (turn-counting proxy)':52} {'':9} {'':9} {(turns[1] - turns[0]) / 10:12.1f}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rtt-ms", type=float, default=40.0)
    parser.add_argument("--profiles", type=int, default=5_000)
    parser.add_argument("--repeats", type=int, default=5)
    args = parser.parse_args()

    server = make_url(PG_SERVER)
    schema_name = f"bench_remote_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(libpq(PG_SERVER), autocommit=True) as conn:
        conn.execute(f'CREATE SCHEMA "{schema_name}"')
    direct_url = server.update_query_dict({"options": f"-csearch_path={schema_name}"})
    proxy, port = start_proxy(server.host or "127.0.0.1", server.port or 5432, args.rtt_ms)
    proxied_url = direct_url.set(host="127.0.0.1", port=port)
    urls = {"direct": direct_url.render_as_string(hide_password=False),
            "proxied": proxied_url.render_as_string(hide_password=False)}
    home = Path(f"/tmp/{schema_name}")
    try:
        engine = create_engine_for(urls["direct"])
        ensure_schema(engine)
        load_demo_data(engine, profiles=args.profiles, interviews=3)
        engine.dispose()
        print(f"{args.profiles:,} demo profiles; proxy on 127.0.0.1:{port} adds {args.rtt_ms:g} ms per round trip; "
              f"medians of {args.repeats} runs (ms)")
        print(f"  {'call':52} {'direct':>9} {'proxied':>9} {'round trips':>12}")
        timings = {label: time_calls(url, args.repeats, home) for label, url in urls.items()}
        for name in timings["direct"]:
            direct, proxied = timings["direct"][name], timings["proxied"][name]
            print(f"  {name:52} {direct:9.1f} {proxied:9.1f} {(proxied - direct) / args.rtt_ms:12.1f}")
        import_batch_figures(PG_SERVER, urls, home / "imports", args.rtt_ms, max(1, args.repeats // 2))
    finally:
        proxy.terminate()
        proxy.wait(timeout=10)
        with psycopg.connect(libpq(PG_SERVER), autocommit=True) as conn:
            conn.execute(f'DROP SCHEMA IF EXISTS "{schema_name}" CASCADE')
    return 0


if __name__ == "__main__":
    sys.exit(main())
