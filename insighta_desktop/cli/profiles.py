"""`insighta profiles add NAME... [--json]`: a profile predicted from each name by Genderize, Agify and Nationalize,
stored (or the stored one shown when the name exists). Five names are asked at a time."""
from __future__ import annotations

import argparse
import asyncio
import json
import sys

from insighta_desktop.cli.common import Subparsers, open_cli_context
from insighta_desktop.profiles.from_name import NameResult
from insighta_desktop.resilience.retry import RetryEvent


def register(subparsers: Subparsers, common: argparse.ArgumentParser) -> None:
    group = subparsers.add_parser("profiles", help="profiles one at a time (add from a name)")
    commands = group.add_subparsers(dest="profiles_command", required=True, metavar="COMMAND")
    add = commands.add_parser(
        "add", parents=[common], help="predict a profile from each NAME and store it",
        description="Ask Genderize, Agify and Nationalize about each NAME (base URLs: INSIGHTA_GENDERIZE_URL, "
                    "INSIGHTA_AGIFY_URL, INSIGHTA_NATIONALIZE_URL; an API key from the keychain, set in Settings) "
                    "and store the predicted profile; a name already stored shows that profile. Exits 1 when a "
                    "name got no profile.")
    add.add_argument("names", nargs="+", metavar="NAME", help="one name per argument (quote names with spaces)")
    add.add_argument("--json", action="store_true", help='print {"results": [{"name", "outcome", "message", '
                                                         '"profile", "missing"}]}')
    add.set_defaults(func=run_add)


def run_add(args: argparse.Namespace) -> int:
    ctx = open_cli_context(args)

    def show(result: NameResult) -> None:
        if not args.json:
            print(result.message, flush=True)

    def retrying(event: RetryEvent) -> None:
        print(f"{event.task_name}: {event.error} — {event.message}", file=sys.stderr, flush=True)

    async def run() -> list[NameResult]:
        try:
            return await ctx.profiles_from_name.add_many(args.names, on_result=show, on_retry=retrying)
        finally:
            await ctx.name_services.aclose()

    try:
        results = asyncio.run(run())
    finally:
        ctx.close()
    if args.json:
        print(json.dumps({"results": [r.to_dict() for r in results]}, ensure_ascii=False))
    return 0 if all(r.ok for r in results) else 1
