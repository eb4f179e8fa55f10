"""`insighta demo-data load | profiles`."""
from __future__ import annotations

import argparse
from pathlib import Path

from insighta_desktop.cli.common import Subparsers, open_cli_context
from insighta_desktop.demo.loader import DEMO_INTERVIEWS, DEMO_PROFILES, load_demo_data
from insighta_desktop.demo.profiles import write_profiles_csv


def register(subparsers: Subparsers, common: argparse.ArgumentParser) -> None:
    demo = subparsers.add_parser("demo-data", help="demo and benchmark data", parents=[common])
    sub = demo.add_subparsers(dest="demo_command", metavar="ACTION", required=True)
    load = sub.add_parser("load", help="fill the database with the demo set", parents=[common])
    load.add_argument("--profiles", type=int, default=DEMO_PROFILES, help="profiles (default %(default)s)")
    load.add_argument("--interviews", type=int, default=DEMO_INTERVIEWS, help="interviews (default %(default)s)")
    load.add_argument("--seed", type=int, default=2026)
    load.set_defaults(func=run_load)
    csv_cmd = sub.add_parser("profiles", help="write a CSV file of generated profiles", parents=[common])
    csv_cmd.add_argument("--rows", type=int, required=True, help="data rows to write")
    csv_cmd.add_argument("--out", type=Path, required=True, metavar="FILE.csv")
    csv_cmd.add_argument("--seed", type=int, default=2026)
    csv_cmd.add_argument("--dirty", action="store_true", help="mix in ~3%% bad rows and ~2%% in-file duplicates")
    csv_cmd.set_defaults(func=run_profiles_csv)


def run_load(args: argparse.Namespace) -> int:
    ctx = open_cli_context(args)
    added = load_demo_data(ctx.engine, profiles=args.profiles, interviews=args.interviews, seed=args.seed)
    print(f"Loaded {added['profiles']:,} profiles and {added['interviews']} interviews into {ctx.database_label}")
    return 0


def run_profiles_csv(args: argparse.Namespace) -> int:
    from insighta_desktop.cli import CliError

    if args.rows < 0:
        raise CliError("--rows must be 0 or more")
    args.out.parent.mkdir(parents=True, exist_ok=True)
    write_profiles_csv(args.out, args.rows, seed=args.seed, dirty=args.dirty)
    print(f"Wrote {args.rows:,} rows to {args.out}")
    return 0
