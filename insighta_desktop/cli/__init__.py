"""`insighta`: the app's services from a terminal. No Qt is imported here."""
from __future__ import annotations

import argparse
import importlib
import logging
import sys

from insighta_desktop import __version__
from insighta_desktop.logging_setup import setup_logging

# Feature modules, each with register(subparsers, common_parent). Imported lazily so one broken feature
# cannot take the whole CLI down with it.
COMMAND_MODULES = (
    "insighta_desktop.cli.database",
    "insighta_desktop.cli.demo_data",
    "insighta_desktop.cli.importer",
    "insighta_desktop.cli.interviews",
    "insighta_desktop.cli.packs",
    "insighta_desktop.cli.search",
)


class CliError(Exception):
    """A failure to report on stderr with a non-zero exit, without a traceback."""

    def __init__(self, message: str, exit_code: int = 2):
        super().__init__(message)
        self.exit_code = exit_code


def common_options() -> argparse.ArgumentParser:
    parent = argparse.ArgumentParser(add_help=False)
    parent.add_argument("--db", metavar="URL", default=argparse.SUPPRESS,
                        help="database URL (default: $INSIGHTA_DATABASE_URL, the settings, or the embedded database)")
    parent.add_argument("-v", "--verbose", action="store_true", default=argparse.SUPPRESS, help="debug logging")
    return parent


def build_parser() -> argparse.ArgumentParser:
    common = common_options()
    parser = argparse.ArgumentParser(prog="insighta", parents=[common],
                                     description="Insighta Desktop from the command line.")
    parser.add_argument("--version", action="version", version=f"insighta {__version__}")
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    for name in COMMAND_MODULES:
        importlib.import_module(name).register(subparsers, common)
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    args.db = getattr(args, "db", None)
    args.verbose = getattr(args, "verbose", False)
    setup_logging(verbose=args.verbose, console_level=logging.WARNING)
    try:
        return int(args.func(args) or 0)
    except CliError as exc:
        print(f"insighta: {exc}", file=sys.stderr)
        return exc.exit_code
    except KeyboardInterrupt:
        print("insighta: interrupted", file=sys.stderr)
        return 130
    except Exception as exc:  # a clear line, not a traceback; the log file has the details
        logging.getLogger("insighta_desktop.cli").exception("Command failed")
        print(f"insighta: {type(exc).__name__}: {exc}", file=sys.stderr)
        return 1
