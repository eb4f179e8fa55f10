"""What every command needs: the app context for --db, with failures turned into clear CLI errors."""
from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Callable
from typing import TypeAlias

from insighta_desktop.context import DATABASE_URL_ENV, AppContext, open_context
from insighta_desktop.db.engine import DatabaseUrlError, mask_url
from insighta_desktop.db.migrations import SchemaError
from insighta_desktop.db.url_secrets import mask_secrets_in_text, redact_secrets

# What argparse's add_subparsers() returns; each command module's register() adds its commands to it.
Subparsers: TypeAlias = "argparse._SubParsersAction[argparse.ArgumentParser]"


def open_cli_context(args: argparse.Namespace) -> AppContext:
    from insighta_desktop.cli import CliError

    try:
        return open_context(args.db)
    except (DatabaseUrlError, SchemaError) as exc:
        raise CliError(str(exc)) from None
    except Exception as exc:
        if type(exc).__module__.startswith(("sqlalchemy", "psycopg")):
            where = mask_url(args.db) if args.db else "the configured database"
            reason = str(getattr(exc, "orig", None) or exc).strip().splitlines()[0]
            reason = mask_secrets_in_text(redact_secrets(reason, args.db, os.environ.get(DATABASE_URL_ENV)))
            raise CliError(f"cannot open {where}: {reason}") from None
        raise


def require_writes(ctx: AppContext) -> None:
    """A command that writes, on a database this user may only read: one line saying why (reads the server once)."""
    from insighta_desktop.cli import CliError
    from insighta_desktop.db.server_info import ReadOnlyDatabase

    try:
        ctx.refuse_writes()
    except ReadOnlyDatabase as exc:
        ctx.close()
        raise CliError(str(exc)) from None


def database_failure(exc: BaseException, url: str | None) -> str | None:
    """One line for a database failure in the middle of a command (a lost link, a refused write), else None."""
    from insighta_desktop.db.server_info import write_refused

    if write_refused(exc):
        return "the database refused the change: this user may only read it. Nothing was changed."
    if not type(exc).__module__.startswith(("sqlalchemy", "psycopg")):
        return None
    reason = str(getattr(exc, "orig", None) or exc).strip().splitlines()
    text = mask_secrets_in_text(redact_secrets(reason[0] if reason else type(exc).__name__, url,
                                               os.environ.get(DATABASE_URL_ENV)))
    return f"the database connection failed: {text}"


def stdout_stream() -> Callable[[str], None]:
    """A callback that prints a streamed answer as it grows; a retried stream starts again on a new line."""
    printed = ""

    def stream(text: str) -> None:
        nonlocal printed
        if not text.startswith(printed):  # a retried stream starts again
            sys.stdout.write("\n")
            printed = ""
        sys.stdout.write(text[len(printed):])
        sys.stdout.flush()
        printed = text

    return stream
