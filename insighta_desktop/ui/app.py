"""Start the Qt application on a qasync event loop and open the main window."""
from __future__ import annotations

import argparse
import asyncio
import gc
import logging
import os
import sys
from typing import Any

import qasync
from PySide6.QtCore import QCoreApplication
from PySide6.QtWidgets import QApplication

from insighta_desktop import __version__
from insighta_desktop.config import APP_AUTHOR, APP_NAME, AppPaths
from insighta_desktop.logging_setup import setup_logging
from insighta_desktop.ui.main_window import MainWindow
from insighta_desktop.ui.shared.branding import apply_branding
from insighta_desktop.ui.shared.error_dialog import install_exception_hook
from insighta_desktop.ui.shared.startup_probe import install_startup_probe

log = logging.getLogger(__name__)


def tune_garbage_collector() -> None:
    """Move the objects alive after start-up (modules, Qt wrappers, SQLAlchemy) out of the cycle collector's reach,
    so that a full collection later walks only what the session made.

    The raised collection thresholds that were here went with the import's move to a child process: its batches no
    longer live in this process (bench_import.py --gui-only --gc-ab: the same tick gaps with Python's defaults).
    """
    gc.collect()
    gc.freeze()


def paint_on_the_gui_thread() -> None:
    """Qt's raster engine hands large fills (a chart's background, a group box's frame) to a thread pool and waits
    for it; on a machine whose cores are busy (a 2-core laptop while the server, an import or the search's worker
    runs) that wait was ~10% of the GUI thread's time from a search's answer to its paint, the fill itself under 1%.
    Fills are done on the GUI thread (QT_NO_GUI_THREADPOOL), unless that variable is set already. Call it before the
    QApplication exists."""
    os.environ.setdefault("QT_NO_GUI_THREADPOOL", "1")


def create_application(argv: list[str] | None = None) -> QApplication:
    tune_garbage_collector()
    paint_on_the_gui_thread()
    QCoreApplication.setApplicationName(APP_NAME)
    QCoreApplication.setOrganizationName(APP_AUTHOR)
    QCoreApplication.setApplicationVersion(__version__)
    existing = QApplication.instance()
    app = existing if isinstance(existing, QApplication) else QApplication(argv or sys.argv[:1])
    apply_branding(app)
    return app


def run(args: argparse.Namespace) -> int:
    """The window first, then the database: nothing before the first paint waits for SQL, the keychain or the network.

    The database is opened (created or upgraded) on a worker thread once the event loop runs; the first run's demo
    data loads after that, with the window already up.
    """
    setup_logging(verbose=args.verbose)
    if getattr(args, "link", None):
        log.info("Started from the link %s", args.link)
    app = create_application()
    install_exception_hook()
    loop = qasync.QEventLoop(app)
    asyncio.set_event_loop(loop)
    loop.set_exception_handler(_log_loop_exception)
    closing = asyncio.Event()
    app.aboutToQuit.connect(closing.set)
    window = MainWindow(paths=AppPaths.default(), load_demo_on_first_run=not args.no_demo)
    install_startup_probe(window, window.ready)
    if getattr(args, "link", None):
        window.open_link(args.link)  # shown once the database is open; a bad link says why in the Profiles tab
    window.open_database_once_painted(args.db)
    window.show()
    with loop:
        loop.run_until_complete(closing.wait())
    if window.ctx is not None:
        window.ctx.close()
    return window.exit_code


def _log_loop_exception(loop: asyncio.AbstractEventLoop, context: dict[str, Any]) -> None:
    exc = context.get("exception")
    log.error("Event loop error: %s", context.get("message"), exc_info=exc)
