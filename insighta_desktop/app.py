"""`insighta-desktop`: parse the command line, then hand over to the Qt application in ui/."""
from __future__ import annotations

import argparse
import sys
from urllib.parse import urlsplit

from insighta_desktop import __version__
from insighta_desktop.system_libraries import EXIT_MISSING_LIBRARIES, check_before_qt

URL_SCHEME = "insighta"  # registered by the installers: the desktop passes such links as the argument


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="insighta-desktop", description="Insighta Desktop")
    parser.add_argument("--version", action="version", version=f"insighta-desktop {__version__}")
    parser.add_argument("--db", metavar="URL", help="database URL (default: the settings, or the embedded database)")
    parser.add_argument("-v", "--verbose", action="store_true", help="debug logging")
    parser.add_argument("--no-demo", action="store_true", help="do not load demo data into an empty database")
    parser.add_argument("--self-test", action="store_true",
                        help="check the installation headless on a temporary database, print a line per check, exit")
    parser.add_argument("pack", nargs="?", metavar="PACK",
                        help="open this review pack (read-only, offline), a file: URL of one, or an "
                             "insighta://search?… link (opens the app at that search)")
    parser.add_argument("--passphrase-file", metavar="F",
                        help="with PACK: read its passphrase from the first line of F instead of asking for it")
    return parser


def resolve_target(args: argparse.Namespace) -> argparse.Namespace:
    """What the desktop passed as the argument (`Exec=insighta-desktop %u`): a path, a file: URL or a link.

    A file: URL becomes the pack's path. An insighta:// link goes to args.link: the app opens at that search
    (`insighta://search?q=…&gender=…&country=…`, see profiles/links.py).
    """
    args.link = None
    target = args.pack
    if not target:
        return args
    scheme = urlsplit(target).scheme.lower()
    if scheme == URL_SCHEME:
        args.link, args.pack = target, None
    elif scheme == "file":
        parts = urlsplit(target)
        if parts.netloc in ("", "localhost"):
            from urllib.request import url2pathname  # imports http.client and email: only when needed

            args.pack = url2pathname(parts.path)  # decodes %20 and the like
    return args


def main(argv: list[str] | None = None) -> int:
    args = resolve_target(build_parser().parse_args(argv))
    if args.self_test:
        from insighta_desktop.ui.self_test import run as run_self_test

        return run_self_test(args)
    problem = check_before_qt()  # Qt's own report of a missing X11 library is a screenful about plugins
    if problem is not None:
        if sys.stderr is not None:
            print(problem, file=sys.stderr)
        return EXIT_MISSING_LIBRARIES
    if args.pack:
        from insighta_desktop.ui.packs.standalone import run_pack

        return run_pack(args)
    from insighta_desktop.ui.app import run  # Qt is imported only once the arguments are known to be good

    return run(args)


if __name__ == "__main__":
    sys.exit(main())
