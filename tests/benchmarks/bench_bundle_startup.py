"""Launch-to-first-window time of the packaged app (target: 2 s or less).

    uv run python packaging/build.py            # once
    uv run python tests/benchmarks/bench_bundle_startup.py [--runs 5] [--exe dist/insighta-desktop/insighta-desktop]

Each run starts the program with INSIGHTA_STARTUP_PROBE=1: it prints the wall-clock time at which its first window
is painted, then quits. Measured: the main window on an existing embedded database (after a first run created
it), and a review pack opened with `insighta-desktop PACK`. --source measures `python -m insighta_desktop` instead.
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
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from insighta_desktop.ui.shared.startup_probe import PROBE_ENV, PROBE_PREFIX  # noqa: E402

CPU: dict[str, list[float]] = {}
PASSPHRASE = "benchmark passphrase"


def launch(command: list[str], env: dict[str, str], label: str = "") -> float:
    """Seconds from launch to the first painted window; the child's CPU time is kept in CPU[label]."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.time()
    result = subprocess.run(command, capture_output=True, text=True, env=env, timeout=120)
    line = next((x for x in result.stdout.splitlines() if x.startswith(PROBE_PREFIX)), None)
    if result.returncode != 0 or line is None:
        raise SystemExit(f"{command} failed ({result.returncode}):\n{result.stdout}\n{result.stderr[-3000:]}")
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    CPU.setdefault(label, []).append(after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime)
    return float(line[len(PROBE_PREFIX):]) - started


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


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--exe", type=Path, default=ROOT / "dist" / "insighta-desktop" / "insighta-desktop")
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--source", action="store_true", help="measure the source tree instead of the bundle")
    args = parser.parse_args()
    base = [sys.executable, "-m", "insighta_desktop"] if args.source else [str(args.exe)]
    with tempfile.TemporaryDirectory(prefix="insighta-bench-") as tmp:
        env = {**os.environ, "QT_QPA_PLATFORM": os.environ.get("QT_QPA_PLATFORM", "offscreen"), PROBE_ENV: "1"}
        first = launch(base, {**env, "INSIGHTA_HOME": str(Path(tmp) / "first-run")}, "first")  # creates the database
        home = Path(tmp) / "home"
        pack = prepare(home)
        env["INSIGHTA_HOME"] = str(home)
        rows = {"main window (first run, new database)": [first],
                "main window (existing database)": [launch(base, env, "main") for _ in range(args.runs)],
                "review pack window": [launch(base + [str(pack), "--passphrase-file", str(home / "passphrase.txt")],
                                              env, "pack") for _ in range(args.runs)]}
    what = "source" if args.source else str(args.exe)
    print(f"Launch to first painted window — {what}, QT_QPA_PLATFORM={env['QT_QPA_PLATFORM']}")
    print(f"  load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores (wall times grow with it; CPU does not)")
    for (name, times), cpu in zip(rows.items(), CPU.values(), strict=True):
        print(f"  {name:<40} median {statistics.median(times):.2f} s  min {min(times):.2f} s  "
              f"max {max(times):.2f} s  CPU {statistics.median(cpu):.2f} s  "
              f"({len(times)} run{'s' if len(times) != 1 else ''})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
