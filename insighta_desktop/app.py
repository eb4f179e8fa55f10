"""`insighta-desktop`: parse the command line, then hand over to the Qt application in ui/."""
from __future__ import annotations

import argparse
import sys

from insighta_desktop import __version__


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="insighta-desktop", description="Insighta Desktop")
    parser.add_argument("--version", action="version", version=f"insighta-desktop {__version__}")
    parser.add_argument("--db", metavar="URL", help="database URL (default: the settings, or the embedded database)")
    parser.add_argument("-v", "--verbose", action="store_true", help="debug logging")
    parser.add_argument("--no-demo", action="store_true", help="do not load demo data into an empty database")
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    from insighta_desktop.ui.app import run  # Qt is imported only once the arguments are known to be good

    return run(args)


if __name__ == "__main__":
    sys.exit(main())
