"""Review pack benchmark: what opening a pack costs with the product's key derivation, and where the time goes.

    uv run python tests/benchmarks/bench_pack_open.py [--runs 7] [--profiles 5000]

Exports the demo interviews (and a search result of up to --profiles profiles) with the product defaults, then
times, separately, reading and checking the signature, deriving the key, decrypting, and checking the database
against its manifest; and the whole open_pack call. CPU time is shown beside wall time, since other work on a
shared machine stretches wall time but not CPU time. The key derivation should take about 0.1-0.3 s on a laptop.
"""
from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

PASSPHRASE = "benchmark passphrase"


def timed(func: Callable[[], object], runs: int) -> tuple[list[float], list[float]]:
    wall, cpu = [], []
    for _ in range(runs):
        w, c = time.perf_counter(), time.process_time()
        func()
        wall.append(time.perf_counter() - w)
        cpu.append(time.process_time() - c)
    return wall, cpu


def main() -> int:
    from insighta_desktop.db.engine import create_engine_for
    from insighta_desktop.db.migrations import ensure_schema
    from insighta_desktop.demo.loader import load_demo_data
    from insighta_desktop.interviews.repository import list_interviews
    from insighta_desktop.packs import SigningIdentity, export_pack, open_pack, read_sealed
    from insighta_desktop.packs.kdf import Argon2idParams, ScryptParams, default_kdf
    from insighta_desktop.packs.reader import verify_payload
    from insighta_desktop.packs.search_snapshot import snapshot_search
    from insighta_desktop.profiles.search import ProfileSearch

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--profiles", type=int, default=5000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="insighta-bench-pack-") as tmp:
        engine = create_engine_for(f"sqlite:///{Path(tmp) / 'source.db'}")
        ensure_schema(engine)
        load_demo_data(engine)
        path = Path(tmp) / "bench.insighta-pack"
        started = time.perf_counter()
        snapshot = snapshot_search(ProfileSearch(engine), "adults", limit=args.profiles) if args.profiles else None
        export_pack(engine, [i.id for i in list_interviews(engine)], path, passphrase=PASSPHRASE,
                    signer=SigningIdentity.ephemeral("benchmark"), search=snapshot)
        exported = time.perf_counter() - started
        engine.dispose()
        sealed = read_sealed(path)
        payload = sealed.decrypt(PASSPHRASE)
        kdf = sealed.header.kdf
        rows = {
            f"read + verify signature ({path.stat().st_size / 1024:.0f} KiB)": lambda: read_sealed(path),
            f"derive key: {kdf.describe()}": lambda: kdf.derive(PASSPHRASE.encode(), sealed.header.salt),
            "check the database against its manifest": lambda: verify_payload(payload, path.name),
            "open_pack (all of it)": lambda: open_pack(path, PASSPHRASE).close(),
        }
        other = ScryptParams() if isinstance(default_kdf(), Argon2idParams) else None
        if other is not None:
            rows[f"for comparison, {other.describe()}"] = lambda: other.derive(PASSPHRASE.encode(), bytes(16))
        print(f"Review pack: {sealed.header.contents}; export took {exported:.2f} s")
        for name, func in rows.items():
            wall, cpu = timed(func, args.runs)
            print(f"  {name:<58} wall median {statistics.median(wall):.3f} s (min {min(wall):.3f})  "
                  f"CPU median {statistics.median(cpu):.3f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
