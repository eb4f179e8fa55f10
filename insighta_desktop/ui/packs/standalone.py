"""`insighta-desktop PACK`: only the pack's window, on a qasync loop; no database, nothing online.

The signature and expiry are checked before anything is shown; then the passphrase comes from
`--passphrase-file F` or from the unlock dialog, which asks again after a wrong one.
"""
from __future__ import annotations

import argparse
import asyncio
import sys
from datetime import date
from pathlib import Path

from PySide6.QtWidgets import QApplication, QMessageBox

from insighta_desktop.config import AppPaths, CredentialStore
from insighta_desktop.packs import PackError, ReviewPack, SealedPack, TrustStore, TrustVerdict, unlock
from insighta_desktop.packs.container import passphrase_from_file
from insighta_desktop.ui.packs.review_window import ReviewPackWindow
from insighta_desktop.ui.packs.unlock_dialog import UnlockPackDialog, inspect_pack, unlock_interactively
from insighta_desktop.ui.shared.startup_probe import install_startup_probe

REFUSED, CANCELLED = 3, 1


def _refuse(app: QApplication, exc: PackError) -> int:
    if sys.stderr is not None:
        print(f"insighta-desktop: {exc}", file=sys.stderr)
    if app.platformName() != "offscreen":  # headless: nobody could close the dialog
        QMessageBox.critical(None, "Cannot open review pack", str(exc))  # the event loop is not running here
    return REFUSED


async def pack_session(path: Path, sealed: SealedPack, verdict: TrustVerdict, trust: TrustStore,
                       own_key: bytes | None, closing: asyncio.Event,
                       pack: ReviewPack | None = None) -> int | PackError:
    """Ask for the passphrase unless `pack` is open already, show the pack's window, wait for `closing`."""
    app = QApplication.instance()
    assert isinstance(app, QApplication)
    quit_on_close = app.quitOnLastWindowClosed()
    if pack is None:
        app.setQuitOnLastWindowClosed(False)  # the dialog closing before the window opens is not the end
        dialog = UnlockPackDialog(sealed, verdict)
        try:
            unlocked = await unlock_interactively(dialog, path, trust, own_key)
        except PackError as exc:
            return exc
        finally:
            dialog.deleteLater()
            app.setQuitOnLastWindowClosed(quit_on_close)
        if unlocked is None:
            return CANCELLED
        pack, verdict = unlocked.pack, unlocked.verdict
    window = ReviewPackWindow(pack, verdict)
    install_startup_probe(window)
    window.show()
    await closing.wait()
    return 0


def run_pack(args: argparse.Namespace) -> int:
    import qasync

    from insighta_desktop.logging_setup import setup_logging
    from insighta_desktop.ui.shared.branding import branded_application
    from insighta_desktop.ui.shared.error_dialog import install_exception_hook

    setup_logging(verbose=args.verbose)
    app = branded_application()  # not ui.app: the main window's tabs would load the AI SDKs for nothing
    install_exception_hook()
    path = Path(args.pack)
    trust = TrustStore.in_config_dir(AppPaths.default().config_dir)
    pack: ReviewPack | None = None
    try:
        sealed, verdict, own_key = inspect_pack(path, trust, CredentialStore())
        if args.passphrase_file:
            pack = unlock(path, sealed, passphrase_from_file(Path(args.passphrase_file)), today=date.today())
    except PackError as exc:
        return _refuse(app, exc)
    loop = qasync.QEventLoop(app)
    asyncio.set_event_loop(loop)
    closing = asyncio.Event()
    app.aboutToQuit.connect(closing.set)
    with loop:
        outcome = loop.run_until_complete(pack_session(path, sealed, verdict, trust, own_key, closing, pack))
    return _refuse(app, outcome) if isinstance(outcome, PackError) else outcome
