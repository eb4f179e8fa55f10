"""Duplicates policy and dry run: how fast `--on-duplicate update` and `--dry-run` are beside a plain import.

    uv run python tests/benchmarks/bench_import_update.py [--rows 200000] [--changed 0.3] [--skip-sqlite]
                                                          [--pg-url URL] [--cli-rss]

A clean file of N generated profiles is imported into an empty database (insert). A second file holds the same names,
a share of them with another age and country; it is imported again with skip (all duplicates), checked with a dry
run in update mode, and imported with update. Each step prints wall seconds and rows/s, and the counts; the
profile_counts table is compared with a recount after the update (it must be exact).

`--cli-rss`: instead, the insert and the update run as the real CLI in a child process (PostgreSQL), each with its
wall time and its peak RSS (from wait4), for the whole-process memory bar at a given size.
"""
from __future__ import annotations

import argparse
import csv
import json
import os
import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from insighta_desktop.db.engine import create_engine_for  # noqa: E402
from insighta_desktop.db.migrations import ensure_schema  # noqa: E402
from insighta_desktop.demo.profiles import write_profiles_csv  # noqa: E402
from insighta_desktop.ingest.pipeline import Importer, ImportOptions  # noqa: E402
from tests.pg_schemas import create_schema, drop_schema, libpq_dsn, schema_url  # noqa: E402

DEFAULT_PG = os.environ.get("INSIGHTA_TEST_PG_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")


def changed_copy(source: Path, target: Path, share: float, seed: int = 7) -> int:
    rng = random.Random(seed)
    changed = 0
    with source.open(newline="", encoding="utf-8") as src, target.open("w", newline="", encoding="utf-8") as out:
        reader = csv.DictReader(src)
        assert reader.fieldnames is not None
        writer = csv.DictWriter(out, reader.fieldnames, lineterminator="\n")
        writer.writeheader()
        for row in reader:
            if rng.random() < share:
                row["age"] = str((int(row["age"]) + 7) % 100)
                if "age_group" in row:
                    row["age_group"] = ""
                changed += 1
            writer.writerow(row)
    return changed


def counts_exact(engine) -> bool:
    with engine.connect() as conn:
        kept = set(conn.exec_driver_sql("SELECT country_id, gender, age, n FROM profile_counts").all())
        recount = set(conn.exec_driver_sql("SELECT country_id, gender, age, count(*) FROM profiles "
                                           "GROUP BY country_id, gender, age").all())
    return kept == recount


def step(label: str, engine, path: Path, rows: int, **options) -> None:
    started = time.perf_counter()
    summary = Importer(engine).run(path, ImportOptions(rejects_path=path.with_suffix(".rejects.csv"), **options))
    seconds = time.perf_counter() - started
    print(f"  {label:<26} {seconds:7.2f} s  {rows / seconds:10,.0f} rows/s   inserted {summary.inserted:,}  "
          f"skipped {summary.skipped:,}  updated {summary.updated:,}  unchanged {summary.unchanged:,}")


def cli_measured(url: str, path: Path, *flags: str) -> tuple[float, float, float, str]:
    """(wall seconds, CPU seconds, peak RSS in MB from wait4, the last line of stdout) of `insighta import` in a
    child process. On a shared machine the wall time swings with everyone's load, the CPU time much less."""
    cmd = [sys.executable, "-m", "insighta_desktop.cli", "import", str(path), "--db", url, "--json",
           "--rejects", str(path.with_suffix(".rejects.csv")), *flags]
    started = time.perf_counter()
    child = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
    out = child.stdout.read() if child.stdout else b""
    _pid, status, usage = os.wait4(child.pid, 0)
    child.returncode = os.waitstatus_to_exitcode(status)
    if child.returncode != 0:
        raise RuntimeError(f"insighta import exited with {child.returncode}")
    return (time.perf_counter() - started, usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024,
            out.decode().strip().splitlines()[-1])


def bench_cli_rss(url: str, clean: Path, changed: Path, rows: int) -> None:
    engine = create_engine_for(url)
    ensure_schema(engine)
    engine.dispose()
    for label, path, flags in (("import (insert)", clean, ()),
                               ("again, update", changed, ("--on-duplicate", "update"))):
        wall, cpu, rss, last = cli_measured(url, path, *flags)
        summary = json.loads(last)
        print(f"  {label:<26} {wall:7.2f} s (CPU {cpu:6.1f} s)  {rows / wall:10,.0f} rows/s   peak RSS {rss:5.0f} MB   "
              f"inserted "
              f"{summary['inserted']:,}  updated {summary['updated']:,}  unchanged {summary['unchanged']:,}  "
              f"load {os.getloadavg()[0]:.2f}")


def bench(backend: str, url: str, clean: Path, changed: Path, rows: int) -> None:
    engine = create_engine_for(url)
    ensure_schema(engine)
    print(f"{backend}:")
    step("import (insert)", engine, clean, rows)
    step("again, skip", engine, changed, rows)
    step("dry run, update", engine, changed, rows, dry_run=True, on_duplicate="update")
    step("again, update", engine, changed, rows, on_duplicate="update")
    print(f"  profile_counts exact after update: {counts_exact(engine)}")
    engine.dispose()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=200_000)
    parser.add_argument("--changed", type=float, default=0.3)
    parser.add_argument("--skip-sqlite", action="store_true")
    parser.add_argument("--pg-url", default=DEFAULT_PG)
    parser.add_argument("--cli-rss", action="store_true", help="the CLI's wall time and peak RSS (PostgreSQL)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        clean, changed = Path(folder) / "clean.csv", Path(folder) / "changed.csv"
        write_profiles_csv(clean, args.rows)
        n_changed = changed_copy(clean, changed, args.changed)
        print(f"{args.rows:,} rows; the second file changes {n_changed:,} of them; load {os.getloadavg()}")
        dsn = libpq_dsn(args.pg_url)
        schema = create_schema(dsn)
        try:
            if args.cli_rss:
                print("PostgreSQL, the CLI in a child process:")
                bench_cli_rss(schema_url(args.pg_url, schema), clean, changed, args.rows)
                return
            bench("PostgreSQL", schema_url(args.pg_url, schema), clean, changed, args.rows)
        finally:
            drop_schema(dsn, schema)
        if not args.skip_sqlite:
            bench("SQLite", f"sqlite:///{Path(folder) / 'bench.db'}", clean, changed, args.rows)
        print(f"load at the end {os.getloadavg()}")


if __name__ == "__main__":
    main()
