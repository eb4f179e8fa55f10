"""`insighta searches list|save NAME "query"|delete NAME`: searches kept under a name in the database, shared by
everyone who uses it. `insighta search --saved NAME` runs one."""
from __future__ import annotations

import argparse
import json

from insighta_desktop.cli.common import Subparsers, open_cli_context
from insighta_desktop.profiles.errors import QueryError
from insighta_desktop.profiles.filters import chips
from insighta_desktop.profiles.links import is_link, parse_link
from insighta_desktop.profiles.parser import parse_query
from insighta_desktop.profiles.saved_searches import SavedSearchNotFound


def register(subparsers: Subparsers, common: argparse.ArgumentParser) -> None:
    cmd = subparsers.add_parser("searches", parents=[common], help="saved searches: list, save, delete",
                                description="Searches saved under a name in the database (shared by everyone "
                                            "using it). Run one with: insighta search --saved NAME")
    actions = cmd.add_subparsers(dest="action", metavar="ACTION", required=True)
    listing = actions.add_parser("list", parents=[common], help="the saved searches, by name")
    listing.add_argument("--json", action="store_true", help="print a JSON list")
    listing.set_defaults(func=run_list)
    save = actions.add_parser("save", parents=[common], help="save a query (plain words or an insighta:// link)")
    save.add_argument("name", metavar="NAME")
    save.add_argument("query", metavar="QUERY", help='plain language ("Nigerian women over 30") or a link')
    save.add_argument("--json", action="store_true", help="print the saved search as JSON")
    save.set_defaults(func=run_save)
    delete = actions.add_parser("delete", parents=[common], help="delete a saved search")
    delete.add_argument("name", metavar="NAME")
    delete.set_defaults(func=run_delete)


def run_list(args: argparse.Namespace) -> int:
    ctx = open_cli_context(args)
    try:
        saved = ctx.saved_searches.list()
    finally:
        ctx.close()
    if args.json:
        print(json.dumps([s.to_dict() for s in saved], ensure_ascii=False))
        return 0
    if not saved:
        print('No saved searches. Save one with: insighta searches save NAME "query"')
        return 0
    width = max(len(s.name) for s in saved)
    for s in saved:
        filters = ", ".join(c.label for c in chips(s.filters)) or "every profile"
        print(f"{s.name.ljust(width)}  {s.query or '(filters only)'}  [{filters}]")
    return 0


def run_save(args: argparse.Namespace) -> int:
    from insighta_desktop.cli import CliError

    try:
        if is_link(args.query):
            link = parse_link(args.query)
            query = link.text
            filters = link.filters if link.filters is not None else parse_query(link.text).filters
        else:
            query, filters = args.query, parse_query(args.query).filters
    except QueryError as exc:
        raise CliError(str(exc)) from None
    ctx = open_cli_context(args)
    try:
        replaced = ctx.saved_searches.save(args.name, query, filters)
        saved = ctx.saved_searches.get(args.name)
    except QueryError as exc:
        raise CliError(str(exc)) from None
    finally:
        ctx.close()
    if args.json:
        print(json.dumps({**saved.to_dict(), "replaced": replaced}, ensure_ascii=False))
    else:
        print(f"{'Replaced' if replaced else 'Saved'} {saved.name!r}: "
              f"{', '.join(c.label for c in chips(saved.filters)) or 'every profile'}")
    return 0


def run_delete(args: argparse.Namespace) -> int:
    from insighta_desktop.cli import CliError

    ctx = open_cli_context(args)
    try:
        ctx.saved_searches.delete(args.name)
    except SavedSearchNotFound as exc:
        raise CliError(str(exc), 1) from None
    finally:
        ctx.close()
    print(f"Deleted {args.name!r}")
    return 0
