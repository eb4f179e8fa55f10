"""`insighta interviews import FILE... [--candidate NAME] [--role ROLE] [--date YYYY-MM-DD]
[--candidate-speaker LABEL] [--json]`: interviews from transcript files.

Each file is imported in a transaction of its own. A file imported before (same SHA-256) is skipped and says so;
a file that is not a transcript, or whose candidate cannot be told, is skipped with the reason and makes the command
exit 1 once the other files are done.
"""
from __future__ import annotations

import argparse
import json
import sys
from datetime import date
from pathlib import Path

from insighta_desktop.cli.common import open_cli_context
from insighta_desktop.interviews.file_import import ALREADY_IMPORTED, ImportOptions, import_path

EXIT_REFUSED = 1


def _date(value: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{value!r} is not a date: use YYYY-MM-DD") from None


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser], common: argparse.ArgumentParser) -> None:
    p = sub.add_parser("import", parents=[common],
                       help="import interviews from transcript files (WebVTT, SRT, MeetMind JSON, plain text)")
    p.add_argument("files", nargs="+", metavar="FILE", help="transcript files")
    p.add_argument("--candidate", metavar="NAME",
                   help="the candidate's name (also picks the candidate's speaker when it matches a name)")
    p.add_argument("--role", metavar="ROLE", help='the role interviewed for (default: the file\'s, else "Unspecified")')
    p.add_argument("--date", metavar="YYYY-MM-DD", type=_date,
                   help="the interview's date (default: the file's first cue, else its modification time)")
    p.add_argument("--candidate-speaker", metavar="LABEL", help="the speaker who is the candidate, as the file names "
                   "them; every other speaker is an interviewer")
    p.add_argument("--json", action="store_true", help='print {"imported": [...], "skipped": [...]}')
    p.set_defaults(func=run_import)


def run_import(args: argparse.Namespace) -> int:
    options = ImportOptions(candidate_name=args.candidate, role=args.role, date=args.date,
                            candidate_speaker=args.candidate_speaker)
    ctx = open_cli_context(args)
    try:
        outcomes = [import_path(ctx.engine, Path(name), options) for name in args.files]
    finally:
        ctx.close()
    refused = [o for o in outcomes if not o.imported and o.reason != ALREADY_IMPORTED]
    if args.json:
        print(json.dumps({"imported": [o.to_json() for o in outcomes if o.imported],
                          "skipped": [o.to_json() for o in outcomes if not o.imported]}, ensure_ascii=False, indent=2))
    else:
        for outcome in outcomes:
            if outcome in refused:
                print(f"insighta: {Path(outcome.file).name} cannot be imported: {outcome.message}", file=sys.stderr)
            else:
                print(outcome.describe())
    return EXIT_REFUSED if refused else 0
