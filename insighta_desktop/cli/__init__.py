"""`insighta`: the app's services from a terminal. No Qt is imported here."""
from __future__ import annotations

import argparse
import importlib
import logging
import sys

from insighta_desktop import __version__
from insighta_desktop.logging_setup import setup_logging

# Command groups: the command and the module that registers it with register(subparsers, common_parent). A group
# whose module fails to import is listed as unavailable and says why in one line when used; the others still work.
COMMAND_GROUPS = {
    "db": "insighta_desktop.cli.database",
    "demo-data": "insighta_desktop.cli.demo_data",
    "import": "insighta_desktop.cli.importer",
    "interviews": "insighta_desktop.cli.interviews",
    "pack": "insighta_desktop.cli.packs",
    "profiles": "insighta_desktop.cli.profiles",
    "search": "insighta_desktop.cli.search",
    "searches": "insighta_desktop.cli.searches",
}
EXIT_UNAVAILABLE = 1
log = logging.getLogger("insighta_desktop.cli")


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


def chosen_command(argv: list[str]) -> str | None:
    """The command group named on the command line, or None (no command, or --help/--version before it)."""
    words = iter(argv)
    for word in words:
        if word == "--db":
            next(words, None)
        elif word in ("-h", "--help", "--version"):
            return None
        elif not word.startswith("-"):
            return word if word in COMMAND_GROUPS else None
    return None


def build_parser(argv: list[str] | None = None) -> argparse.ArgumentParser:
    """All the commands; given the command line, only the named group's module is imported (the others are listed
    but not loaded: each brings its own imports, a large share of a short command's start-up time and memory)."""
    common = common_options()
    parser = argparse.ArgumentParser(prog="insighta", parents=[common],
                                     description="Insighta Desktop from the command line.")
    parser.add_argument("--version", action="version", version=f"insighta {__version__}")
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    chosen = chosen_command(argv) if argv is not None else None
    for command, module_name in COMMAND_GROUPS.items():
        if chosen is not None and command != chosen:
            subparsers.add_parser(command)  # never parsed: the command line names another group
            continue
        try:
            module = importlib.import_module(module_name)
        except Exception as exc:  # one broken group must not take the other commands down
            _register_unavailable(subparsers, command, exc)
            continue
        module.register(subparsers, common)
    return parser


def _register_unavailable(subparsers: argparse._SubParsersAction[argparse.ArgumentParser], command: str,
                          error: Exception) -> None:
    reason = (f"{type(error).__name__}: {error}".splitlines() or [type(error).__name__])[0]

    def refuse(_args: argparse.Namespace) -> int:
        log.info("The %s commands could not be loaded", command, exc_info=error)  # the log file keeps the details
        raise CliError(f"the '{command}' commands are unavailable in this installation ({reason})",
                       EXIT_UNAVAILABLE)

    # No option of its own (prefix_chars that nobody types): whatever follows the command is taken, then refused.
    unavailable = subparsers.add_parser(command, help=f"unavailable: {reason}", add_help=False, prefix_chars="\0")
    unavailable.add_argument("words", nargs="*")
    unavailable.set_defaults(func=refuse)


def main(argv: list[str] | None = None) -> int:
    parser = build_parser(sys.argv[1:] if argv is None else argv)
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
        from insighta_desktop.cli.common import database_failure

        logging.getLogger("insighta_desktop.cli").exception("Command failed")
        print(f"insighta: {database_failure(exc, args.db) or f'{type(exc).__name__}: {exc}'}", file=sys.stderr)
        return 1
