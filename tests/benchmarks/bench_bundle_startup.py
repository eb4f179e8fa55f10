"""Launch to first painted window, of the packaged app and of the source tree (targets: 0.6 s and 0.8 s).

    uv run python packaging/build.py            # once
    uv run python tests/benchmarks/bench_bundle_startup.py [--runs 5] [--exe dist/insighta-desktop/insighta-desktop]
                                                           [--only bundle|source]

Each run starts the program with INSIGHTA_STARTUP_PROBE=1: it prints the wall-clock time at which its first window
is painted and, for the main window, the time at which the tab on screen shows its data (the database is opened
after the first paint); then it quits. Measured: the main window on a first run (new database, demo data loaded
after the window shows), on an existing embedded database, and a review pack opened with `insighta-desktop PACK`.

The source runs start `python -m insighta_desktop` with Python's bytecode cache on, as on a developer's machine, after
one untimed start that fills it (with PYTHONDONTWRITEBYTECODE=1 every start compiles every module again).
"""
from __future__ import annotations

import argparse
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from insighta_desktop.ui.shared.startup_probe import PROBE_ENV, PROBE_PREFIX, READY_PREFIX  # noqa: E402

PASSPHRASE = "benchmark passphrase"


@dataclass
class Row:
    name: str
    painted: list[float] = field(default_factory=list)
    shown: list[float] = field(default_factory=list)
    cpu: list[float] = field(default_factory=list)


def probe_time(stdout: str, prefix: str) -> float | None:
    line = next((x for x in stdout.splitlines() if x.startswith(prefix)), None)
    return float(line[len(prefix):]) if line is not None else None


def launch(command: list[str], env: dict[str, str], row: Row) -> None:
    """One start: seconds to the first painted window and to the data shown, and the child's CPU time."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.time()
    result = subprocess.run(command, capture_output=True, text=True, env=env, timeout=120)
    painted = probe_time(result.stdout, PROBE_PREFIX)
    if result.returncode != 0 or painted is None:
        raise SystemExit(f"{command} failed ({result.returncode}):\n{result.stdout}\n{result.stderr[-3000:]}")
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    row.painted.append(painted - started)
    if (shown := probe_time(result.stdout, READY_PREFIX)) is not None:
        row.shown.append(shown - started)
    row.cpu.append(after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime)


def prepare(home: Path) -> Path:
    """The app's embedded database with the demo set already loaded, and a pack of its interviews."""
    from insighta_desktop.config import AppPaths
    from insighta_desktop.db.engine import create_engine_for, default_sqlite_url
    from insighta_desktop.db.migrations import ensure_schema
    from insighta_desktop.demo.loader import load_demo_data
    from insighta_desktop.interviews.repository import list_interviews
    from insighta_desktop.packs import SigningIdentity, export_pack

    engine = create_engine_for(default_sqlite_url(AppPaths.under(home).ensure().data_dir))
    ensure_schema(engine)
    load_demo_data(engine)
    path = home / "bench.insighta-pack"
    (home / "passphrase.txt").write_text(f"{PASSPHRASE}\n", encoding="utf-8")
    export_pack(engine, [i.id for i in list_interviews(engine)], path, passphrase=PASSPHRASE,
                signer=SigningIdentity.ephemeral("benchmark"))  # the product's key derivation: opening pays it
    engine.dispose()
    return path


def measure(base: list[str], env: dict[str, str], runs: int, workdir: Path) -> list[Row]:
    first, main, pack_row = Row("main window, first run (new database)"), Row("main window, existing database"), \
        Row("review pack window")
    launch(base, {**env, "INSIGHTA_HOME": str(workdir / "first-run")}, first)  # creates the database
    home = workdir / "home"
    pack = prepare(home)
    env = {**env, "INSIGHTA_HOME": str(home)}
    for _ in range(runs):
        launch(base, env, main)
    for _ in range(runs):
        launch(base + [str(pack), "--passphrase-file", str(home / "passphrase.txt")], env, pack_row)
    return [first, main, pack_row]


def report(title: str, rows: list[Row]) -> None:
    print(title)
    for row in rows:
        runs = len(row.painted)
        shown = f"data shown {statistics.median(row.shown):.2f} s" if row.shown else ""
        print(f"  {row.name:<40} painted: median {statistics.median(row.painted):.2f} s  "
              f"min {min(row.painted):.2f} s  max {max(row.painted):.2f} s  {shown:<22}"
              f"CPU {statistics.median(row.cpu):.2f} s  ({runs} run{'s' if runs != 1 else ''})")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--exe", type=Path, default=ROOT / "dist" / "insighta-desktop" / "insighta-desktop")
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--only", choices=("bundle", "source"), help="measure one of the two (default: both)")
    parser.add_argument("--source", action="store_true", help="the same as --only source")
    args = parser.parse_args()
    only = "source" if args.source else args.only
    env = {**os.environ, "QT_QPA_PLATFORM": os.environ.get("QT_QPA_PLATFORM", "offscreen"), PROBE_ENV: "1"}
    targets: list[tuple[str, list[str], dict[str, str]]] = []
    if only != "source":
        if not args.exe.exists():
            raise SystemExit(f"{args.exe} is missing: build it with packaging/build.py, or pass --only source")
        targets.append((str(args.exe), [str(args.exe)], env))
    if only != "bundle":
        source_env = {k: v for k, v in env.items() if k != "PYTHONDONTWRITEBYTECODE"}
        targets.append(("source (python -m insighta_desktop, bytecode cache on)",
                        [sys.executable, "-m", "insighta_desktop"], source_env))
    print(f"Launch to first painted window, QT_QPA_PLATFORM={env['QT_QPA_PLATFORM']}; "
          f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores (wall times grow with it; CPU does not)")
    for title, base, target_env in targets:
        with tempfile.TemporaryDirectory(prefix="insighta-bench-") as tmp:
            if base[0] == sys.executable:  # fill the bytecode cache once, untimed
                subprocess.run(base, env={**target_env, "INSIGHTA_HOME": str(Path(tmp) / "warm-up")},
                               capture_output=True, timeout=120, check=True)
            report(title, measure(base, target_env, args.runs, Path(tmp)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
