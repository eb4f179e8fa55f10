"""Transcript search benchmark: 1,000 interviews x 200 turns on SQLite and on PostgreSQL.

    uv run python tests/benchmarks/bench_interview_search.py                    # both back ends
    uv run python tests/benchmarks/bench_interview_search.py --interviews 200 --backends sqlite

The turns come from the deterministic corpus generator (insighta_desktop/demo/transcript_corpus.py) and are inserted
through the app's schema with its index maintenance active (SQLite: the FTS5 triggers; PostgreSQL: the generated
tsvector and its GIN index). The query mix (at least 200, fixed by --seed) is drawn from the corpus itself: common,
medium and rare words, technologies with punctuation (C++, Node.js), quoted phrases, accented and unaccented
spellings, two-word AND, `or`, `-word`, and words that match nothing. Each query runs through `find_hits` (parse,
one SQL statement, snippets), once for warm-up and then timed; P50/P95/max are printed per back end and per kind.
Wall-clock time is what a user waits; on a shared machine it grows with the load, so the CPU time each search took
(this thread, plus the PostgreSQL backend's when the server is local: /proc/PID/schedstat) is printed beside it.
The PostgreSQL database is created for the run and dropped afterwards (unless --keep).
"""
from __future__ import annotations

import argparse
import os
import random
import re
import sqlite3
import statistics
import sys
import tempfile
import time
from collections import Counter
from datetime import timedelta
from pathlib import Path

import psycopg
from sqlalchemy.engine import Engine, make_url

from insighta_desktop.db import schema
from insighta_desktop.db.engine import create_engine_for
from insighta_desktop.db.lexeme_stats import LexemeStatsCache
from insighta_desktop.db.migrations import ensure_schema
from insighta_desktop.demo.transcript_corpus import CITIES, TECH, corpus_interviews
from insighta_desktop.interviews.model import turn_id
from insighta_desktop.interviews.transcript_search import find_hits

PG_SERVER = os.environ.get("INSIGHTA_TEST_PG_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")
WORD = re.compile(r"[^\W_]+")
PHRASES = ['"exponential backoff"', '"on-call rotation"', '"weekly review"', '"design reviews"', '"real-time"',
           '"certificate expired"', '"single record"', '"two approvals"', '"junior engineers"', '"code reviews"',
           '"cut scope"', '"nightly batch job"', '"shared fix plan"', '"first year"', '"without drama"']
SPECIAL = ["C++", "C#", ".NET", "Node.js", "CI/CD", "scikit-learn", "e-commerce", "p95 latency", "S3", "AWS Lambda"]
ACCENTS = ["Zürich", "zurich", "São Paulo", "sao paulo", "Kraków", "krakow", "Montréal", "montreal", "café", "cafe",
           "résumé", "resume", "naïve", "naive", "Bogotá", "ZÜRICH", "Málaga", "Göteborg"]
NO_MATCH = ["blockchain", "zzqxv", "quantum annealing", '"kubernetes kafka"', "metaverse", "cobol mainframe"]


def corpus_words(interviews: int, turns: int, seed: int) -> tuple[Counter[str], list[str]]:
    """Each word's turn count, and a sample of the corpus' two-word phrases (drawn deterministically)."""
    frequency: Counter[str] = Counter()
    bigrams: list[str] = []
    rng = random.Random(seed)
    for iv in corpus_interviews(interviews, turns, seed):
        for _, _, content, _ in iv.turns:
            words = [w.lower() for w in WORD.findall(content)]
            frequency.update(set(words))
            if len(words) > 3 and rng.random() < 0.002:
                at = rng.randrange(len(words) - 1)
                bigrams.append(f'"{words[at]} {words[at + 1]}"')
    return frequency, bigrams


def load(engine: Engine, interviews: int, turns: int, seed: int) -> float:
    """Insert the corpus through the app's schema; returns the seconds it took."""
    started = time.perf_counter()
    batch: list[dict[str, object]] = []

    def flush() -> None:
        with engine.begin() as conn:
            conn.execute(schema.transcript_turns.insert(), batch)
        batch.clear()

    for iv in corpus_interviews(interviews, turns, seed):
        with engine.begin() as conn:
            conn.execute(schema.interviews.insert().values(
                id=iv.id, candidate_name=iv.candidate_name, role=iv.role, status="completed",
                scheduled_at=iv.scheduled_at, created_at=iv.scheduled_at - timedelta(days=3)))
            conn.execute(schema.interview_sessions.insert().values(
                id=iv.session_id, interview_id=iv.id, started_at=iv.scheduled_at + timedelta(minutes=2),
                status="completed"))
        batch += [{"id": turn_id(iv.session_id, seq), "session_id": iv.session_id, "sequence_no": seq,
                   "speaker": speaker, "content": content, "timestamp_sec": stamp}
                  for seq, speaker, content, stamp in iv.turns]
        if len(batch) >= 10_000:
            flush()
    if batch:
        flush()
    return time.perf_counter() - started


def query_mix(frequency: Counter[str], bigrams: list[str], total_turns: int, count: int, seed: int
              ) -> list[tuple[str, str]]:
    """(kind, text) pairs: a fixed share of each kind, drawn deterministically."""
    rng = random.Random(seed)
    by_share = sorted(frequency.items(), key=lambda kv: (-kv[1], kv[0]))
    common = [w for w, n in by_share if n >= total_turns * 0.05][:60]
    medium = [w for w, n in by_share if total_turns * 0.002 <= n < total_turns * 0.05]
    rare = [w for w, n in by_share if n <= max(5, total_turns * 0.0005) and len(w) > 4 and not w.isdigit()]
    techs = [t for t in TECH if t not in SPECIAL]
    pools = [
        ("common word", 0.16, common), ("medium word", 0.12, medium), ("rare word", 0.16, rare),
        ("technology", 0.10, techs), ("punctuation", 0.06, SPECIAL), ("phrase", 0.10, PHRASES + bigrams),
        ("accents", 0.08, ACCENTS),
        ("two words", 0.08, [f"{rng.choice(techs)} {rng.choice(common + medium)}" for _ in range(50)]),
        ("or / -word", 0.08, [f"{rng.choice(techs)} or {rng.choice(techs)}" for _ in range(25)] +
         [f"{rng.choice(techs)} -{rng.choice(common)}" for _ in range(25)] +
         [f"{rng.choice(CITIES)} -{rng.choice(techs)}" for _ in range(10)]),
        ("no match", 0.06, NO_MATCH),
    ]
    queries = []
    for kind, share, pool in pools:
        queries += [(kind, rng.choice(pool)) for _ in range(max(1, round(count * share)))]
    rng.shuffle(queries)
    return queries


def backend_pids(engine: Engine) -> list[int]:
    """PostgreSQL server processes serving this engine, when the server runs on this machine (else none)."""
    if engine.dialect.name != "postgresql":
        return []
    with engine.connect() as conn:
        pids = list(conn.exec_driver_sql(
            "SELECT pid FROM pg_stat_activity WHERE datname = current_database() "
            "AND application_name = 'insighta-desktop'").scalars())
    return [pid for pid in pids if Path(f"/proc/{pid}/schedstat").exists()]


def server_cpu_ns(pids: list[int]) -> int:
    return sum(int(Path(f"/proc/{pid}/schedstat").read_text().split()[0]) for pid in pids)


Timing = tuple[float, float, int]  # wall ms, CPU ms (this thread + the local PostgreSQL backend), hits


def run(engine: Engine, queries: list[tuple[str, str]]) -> dict[str, list[Timing]]:
    stats = LexemeStatsCache()  # as the app's search service keeps one
    for _, text in queries[:20]:  # warm the connection pool and the caches a little, as a first search would
        find_hits(engine, text, stats=stats)
    pids = backend_pids(engine)
    timings: dict[str, list[Timing]] = {}
    for kind, text in queries:
        cpu, server = time.thread_time(), server_cpu_ns(pids)
        started = time.perf_counter()
        hits = find_hits(engine, text, stats=stats)
        wall = (time.perf_counter() - started) * 1000
        cpu_ms = (time.thread_time() - cpu) * 1000 + (server_cpu_ns(pids) - server) / 1e6
        timings.setdefault(kind, []).append((wall, cpu_ms, len(hits)))
    return timings


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(q * len(ordered)) - 1))]


def report(label: str, load_s: float, timings: dict[str, list[Timing]]) -> None:
    every = [t for rows in timings.values() for t in rows]
    print(f"\n{label}: loaded in {load_s:.1f} s; {len(every)} queries; load average {os.getloadavg()[0]:.1f}")
    print(f"  {'kind':<14} {'n':>4} {'P50 ms':>8} {'P95 ms':>8} {'max ms':>8} {'CPU P50':>8} {'CPU P95':>8} "
          f"{'median hits':>12}")
    rows = sorted(timings.items()) + [("ALL", every)]
    for kind, kind_rows in rows:
        wall, cpu = [r[0] for r in kind_rows], [r[1] for r in kind_rows]
        hits = f"{statistics.median(r[2] for r in kind_rows):>12.0f}" if kind != "ALL" else ""
        print(f"  {kind:<14} {len(kind_rows):>4} {pct(wall, .5):>8.1f} {pct(wall, .95):>8.1f} {max(wall):>8.1f} "
              f"{pct(cpu, .5):>8.1f} {pct(cpu, .95):>8.1f} {hits}")


def bench(label: str, url: str, args: argparse.Namespace, queries: list[tuple[str, str]], fresh: bool = True
          ) -> None:
    engine = create_engine_for(url)
    try:
        load_s = 0.0
        if fresh:
            ensure_schema(engine)
            load_s = load(engine, args.interviews, args.turns, args.seed)
            if engine.dialect.name == "postgresql":
                with engine.begin() as conn:
                    conn.exec_driver_sql("ANALYZE")
        report(label, load_s, run(engine, queries))
    finally:
        engine.dispose()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--interviews", type=int, default=1_000)
    parser.add_argument("--turns", type=int, default=200)
    parser.add_argument("--queries", type=int, default=240)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--backends", default="sqlite,postgresql")
    parser.add_argument("--keep", action="store_true", help="keep the databases")
    parser.add_argument("--reuse", nargs=2, metavar=("SQLITE_FILE", "PG_DATABASE"),
                        help="search databases kept by an earlier --keep run instead of loading new ones")
    args = parser.parse_args()
    backends = args.backends.split(",")
    print(f"{args.interviews} interviews x {args.turns} turns = {args.interviews * args.turns:,} turns; "
          f"{args.queries} queries (seed {args.seed}); load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs")
    frequency, bigrams = corpus_words(args.interviews, args.turns, args.seed)
    queries = query_mix(frequency, bigrams, args.interviews * args.turns, args.queries, args.seed)
    server = make_url(PG_SERVER)
    if args.reuse:
        bench(f"SQLite {sqlite3.sqlite_version}", f"sqlite:///{args.reuse[0]}", args, queries, fresh=False)
        bench("PostgreSQL", server.set(database=args.reuse[1]).render_as_string(hide_password=False), args, queries,
              fresh=False)
        return 0
    if "sqlite" in backends:
        folder = Path(tempfile.mkdtemp(prefix="bench-ivsearch-"))
        try:
            bench(f"SQLite {sqlite3.sqlite_version}", f"sqlite:///{(folder / 'bench.db').as_posix()}", args, queries)
        finally:
            if not args.keep:
                for item in folder.iterdir():
                    item.unlink()
                folder.rmdir()
            else:
                print(f"  kept {folder}")
    if "postgresql" in backends:
        name = f"insighta_bench_ivsearch_{os.getpid()}"
        admin = server.set(drivername="postgresql").render_as_string(hide_password=False)
        with psycopg.connect(admin, autocommit=True) as conn:
            conn.execute(f'CREATE DATABASE "{name}"')
        try:
            bench("PostgreSQL", server.set(database=name).render_as_string(hide_password=False), args, queries)
        finally:
            if not args.keep:
                with psycopg.connect(admin, autocommit=True) as conn:
                    conn.execute(f'DROP DATABASE "{name}" WITH (FORCE)')
            else:
                print(f"  kept database {name}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
