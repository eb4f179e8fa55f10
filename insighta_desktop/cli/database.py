"""`insighta db init | status`."""
from __future__ import annotations

import argparse
import json
from typing import Any

from insighta_desktop.cli.common import Subparsers, open_cli_context
from insighta_desktop.db import schema
from insighta_desktop.db.engine import check_connection
from insighta_desktop.db.migrations import current_version, table_counts


def register(subparsers: Subparsers, common: argparse.ArgumentParser) -> None:
    db = subparsers.add_parser("db", help="create or inspect the database", parents=[common])
    sub = db.add_subparsers(dest="db_command", metavar="ACTION", required=True)
    init = sub.add_parser("init", help="create the schema, or upgrade an older one", parents=[common])
    init.set_defaults(func=run_init)
    status = sub.add_parser("status", help="schema version, back end and row counts", parents=[common])
    status.add_argument("--json", action="store_true", help="print one JSON object")
    status.set_defaults(func=run_status)


def run_init(args: argparse.Namespace) -> int:
    ctx = open_cli_context(args)
    with ctx.engine.connect() as conn:
        version = current_version(conn)
    print(f"Database ready: {ctx.database_label} (schema version {version})")
    return 0


def run_status(args: argparse.Namespace) -> int:
    ctx = open_cli_context(args)
    with ctx.engine.connect() as conn:
        version = current_version(conn)
    status: dict[str, Any] = {
        "database": ctx.database_label,
        "backend": ctx.engine.dialect.name,
        "server": check_connection(ctx.engine),
        "schema_version": version,
        "app_schema_version": schema.SCHEMA_VERSION,
        "rows": table_counts(ctx.engine),
    }
    if args.json:
        print(json.dumps(status))
        return 0
    print(f"Database:       {status['database']}")
    print(f"Back end:       {status['server']}")
    print(f"Schema version: {version}")
    width = max(map(len, status["rows"]))
    for table, count in sorted(status["rows"].items()):
        print(f"  {table:<{width}}  {count:>10,}")
    return 0
