"""File → Open/Export review pack… and packs dropped on the main window; the pack windows it opened.

Kept apart from the pack window so the main window can offer these before any pack code is loaded: the packs
package (and its cryptography) is imported when a pack is first dropped, chosen or exported.
"""
from __future__ import annotations

import asyncio
import logging
from pathlib import Path
from typing import TYPE_CHECKING, Protocol, cast

from PySide6.QtCore import QEvent, QMimeData, QObject
from PySide6.QtGui import QDropEvent, QKeySequence
from PySide6.QtWidgets import QFileDialog, QMainWindow, QMenu, QMessageBox

from insighta_desktop.ui.shared.error_dialog import show_error
from insighta_desktop.ui.shared.tasks import TaskRunner, in_thread

if TYPE_CHECKING:
    from insighta_desktop.context import AppContext
    from insighta_desktop.packs import PackError
    from insighta_desktop.ui.packs.export_dialog import ExportPackDialog
    from insighta_desktop.ui.packs.review_window import ReviewPackWindow
    from insighta_desktop.ui.packs.unlock_dialog import UnlockPackDialog

log = logging.getLogger(__name__)


def file_filter() -> str:
    from insighta_desktop.packs import FILE_SUFFIX

    return f"Insighta review packs (*{FILE_SUFFIX});;All files (*)"


class _WithContext(Protocol):
    ctx: AppContext | None  # the main window's: its paths, credentials and engine (None while it opens)


def pack_paths(mime: QMimeData) -> list[Path]:
    if not mime.hasUrls():
        return []
    from insighta_desktop.packs import FILE_SUFFIX

    return [Path(u.toLocalFile()) for u in mime.urls() if u.isLocalFile() and u.toLocalFile().endswith(FILE_SUFFIX)]


class ReviewPackOpener(QObject):
    """Adds File → Open review pack… to a window, accepts packs dropped on it, and keeps the pack windows."""

    def __init__(self, window: QMainWindow, file_menu: QMenu | None = None) -> None:
        super().__init__(window)
        self._window = window
        self.windows: list[ReviewPackWindow] = []
        self.tasks = TaskRunner(on_error=lambda exc: show_error(exc, window))
        self.last_refusal: QMessageBox | None = None
        self.unlock_dialog: UnlockPackDialog | None = None
        self.export_dialog: ExportPackDialog | None = None
        if file_menu is not None:
            first = file_menu.actions()[0] if file_menu.actions() else None
            action = file_menu.addAction("Open &review pack…", self.choose)
            action.setShortcut(QKeySequence("Ctrl+Shift+O"))
            export = file_menu.addAction("&Export review pack…", self.open_export_dialog)
            if first is not None:
                file_menu.insertActions(first, [action, export])
                file_menu.insertSeparator(first)
        window.setAcceptDrops(True)
        window.installEventFilter(self)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802
        if not isinstance(event, QDropEvent):  # drag enter and drag move events are drop events too
            return False
        if cast(_WithContext, self._window).ctx is None:  # the database is still opening: not yet
            return False
        kind = event.type()
        if kind in (QEvent.Type.DragEnter, QEvent.Type.DragMove) and pack_paths(event.mimeData()):
            event.acceptProposedAction()
            return True
        if kind == QEvent.Type.Drop and (paths := pack_paths(event.mimeData())):
            event.acceptProposedAction()
            for path in paths:
                self.open_path(path)
            return True
        return False

    def open_export_dialog(self) -> ExportPackDialog:
        """The dialog starts from the Interviews tab's selection and the Profiles tab's query, when there are."""
        from insighta_desktop.ui.packs.export_dialog import ExportPackDialog

        window = self._window
        ctx = cast(_WithContext, window).ctx
        assert ctx is not None, "the window offers Export only once its database is open"
        query_box = getattr(getattr(window, "profiles_tab", None), "query", None)
        dialog = ExportPackDialog(
            ctx, self.tasks,
            selected_id=getattr(getattr(window, "interviews_tab", None), "current_id", None),
            search_text=query_box.text() if query_box is not None else "",
            default_dir=Path.home(), parent=window)
        dialog.open()
        self.export_dialog = dialog
        return dialog

    def choose(self) -> None:
        name, _ = QFileDialog.getOpenFileName(self._window, "Open review pack", "", file_filter())
        if name:
            self.open_path(Path(name))

    def open_path(self, path: Path) -> asyncio.Task[ReviewPackWindow | None]:
        return self.tasks.spawn(self._open(Path(path)))

    def _refuse(self, path: Path, exc: PackError) -> None:
        log.warning("Refused review pack %s: %s", path, exc)
        box = QMessageBox(QMessageBox.Icon.Warning, "Cannot open review pack", str(exc), parent=self._window)
        box.open()  # not exec(): this runs inside a coroutine
        self.last_refusal = box

    async def _open(self, path: Path) -> ReviewPackWindow | None:
        from insighta_desktop.packs import PackError, TrustStore
        from insighta_desktop.ui.packs.review_window import ReviewPackWindow
        from insighta_desktop.ui.packs.unlock_dialog import UnlockPackDialog, inspect_pack, unlock_interactively

        ctx = cast(_WithContext, self._window).ctx
        if ctx is None:
            box = QMessageBox(QMessageBox.Icon.Information, "Open review pack",
                              "The database is still opening: open the pack again in a moment.", parent=self._window)
            box.open()
            self.last_refusal = box
            return None
        trust = TrustStore.in_config_dir(ctx.paths.config_dir)
        try:
            sealed, verdict, own_key = await in_thread(inspect_pack, path, trust, ctx.credentials)
        except PackError as exc:
            self._refuse(path, exc)
            return None
        self.unlock_dialog = UnlockPackDialog(sealed, verdict, self._window)
        try:
            unlocked = await unlock_interactively(self.unlock_dialog, path, trust, own_key)
        except PackError as exc:
            self._refuse(path, exc)
            return None
        finally:
            self.unlock_dialog.deleteLater()
            self.unlock_dialog = None
        if unlocked is None:
            return None
        window = ReviewPackWindow(unlocked.pack, unlocked.verdict)
        self.windows.append(window)
        window.destroyed.connect(lambda *_: self.windows.remove(window) if window in self.windows else None)
        window.show()
        return window
