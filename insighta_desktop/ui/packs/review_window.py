"""A review pack in a window of its own: read-only, offline, with a banner that says so and who signed it.

Packs are opened from File → Open review pack…, by dropping a .insighta-pack file on the main window, or with
`insighta-desktop PACK` (standalone.py: only the pack, no database, no network). Each way checks the signature
and expiry first, then asks for the passphrase (unlock_dialog.py).
"""
from __future__ import annotations

import asyncio
import html
import logging
from pathlib import Path
from typing import TYPE_CHECKING, Protocol, cast

from PySide6.QtCore import QEvent, QMimeData, QObject, Qt
from PySide6.QtGui import QCloseEvent, QDropEvent, QKeySequence
from PySide6.QtWidgets import (
    QFileDialog,
    QLabel,
    QMainWindow,
    QMenu,
    QMessageBox,
    QTableView,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from insighta_desktop.context import AppContext
from insighta_desktop.packs import FILE_SUFFIX, PackError, ReviewPack, TrustStore, TrustVerdict
from insighta_desktop.packs.container import day_text
from insighta_desktop.packs.offline import PackInterviewServices
from insighta_desktop.profiles.browse import browse_profiles
from insighta_desktop.ui.packs.interviews_view import PackInterviewsView
from insighta_desktop.ui.packs.unlock_dialog import (
    UnlockPackDialog,
    inspect_pack,
    signer_html,
    trust_colour,
    unlock_interactively,
)
from insighta_desktop.ui.shared.error_dialog import show_error
from insighta_desktop.ui.shared.profile_columns import PROFILE_COLUMNS
from insighta_desktop.ui.shared.table_model import RecordTableModel, configure_table
from insighta_desktop.ui.shared.tasks import TaskRunner, in_thread

if TYPE_CHECKING:
    from insighta_desktop.ui.packs.export_dialog import ExportPackDialog

log = logging.getLogger(__name__)
FILE_FILTER = f"Insighta review packs (*{FILE_SUFFIX});;All files (*)"


def banner_text(pack: ReviewPack) -> str:
    m = pack.manifest
    count = len(m.interviews)
    parts = [f"<b>Review pack — read-only and offline.</b> Created {m.created_at[:16].replace('T', ' ')} UTC by "
             f"Insighta Desktop {m.app_version} · {count} interview{'s' if count != 1 else ''}"]
    if m.search is not None:
        more = f" of {m.search.total_matches:,}" if m.search.truncated else ""
        parts.append(f" · {m.search.included:,}{more} profiles for “{html.escape(m.search.query)}”")
    expires = pack.header.expires
    parts.append(f"<br>Opens until {day_text(expires)}" if expires else "<br>No expiry date")
    masked = m.extra.get("redacted") is not None
    parts.append(" · candidates' email addresses and phone numbers masked" if masked
                 else " · candidates' email addresses and phone numbers NOT masked")
    parts.append("<br>No network is used: the chat answers from a local search of the transcript; regenerating "
                 "assessments and sending email are unavailable here.")
    return "".join(parts)


def signer_line_html(verdict: TrustVerdict) -> str:
    warning = verdict.warning()
    line = signer_html(verdict)
    if warning:
        line += f"<br><span style='color:{trust_colour(verdict)}'>{html.escape(warning)}</span>"
    return line


class ReviewPackWindow(QMainWindow):
    def __init__(self, pack: ReviewPack, verdict: TrustVerdict, parent: QWidget | None = None):
        super().__init__(parent)
        self.pack = pack
        self.verdict = verdict
        self.services = PackInterviewServices(pack)
        self.tasks = TaskRunner(on_error=lambda exc: show_error(exc, self))
        self.setWindowTitle(f"{pack.path.name} — review pack (read-only, offline) — Insighta Desktop")
        self.banner = QLabel(banner_text(pack))
        self.banner.setObjectName("reviewPackBanner")
        self.banner.setWordWrap(True)
        self.signer_line = QLabel(signer_line_html(verdict))
        self.signer_line.setObjectName("reviewPackSigner")
        self.signer_line.setWordWrap(True)
        self.signer_line.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.interviews = PackInterviewsView(self.services, self.tasks)
        self.tabs = QTabWidget()
        self.tabs.addTab(self.interviews, f"Interviews ({len(pack.manifest.interviews)})")
        self.profiles_model: RecordTableModel | None = None
        if pack.manifest.search is not None:
            self.tabs.addTab(self._profiles_page(), f"Search result ({pack.manifest.search.included:,})")
        central = QWidget()
        layout = QVBoxLayout(central)
        layout.addWidget(self.banner)
        layout.addWidget(self.signer_line)
        layout.addWidget(self.tabs, 1)
        self.setCentralWidget(central)
        self.statusBar().showMessage(f"Opened {pack.path} · signature and checksums verified")
        self.menuBar().addMenu("&File").addAction("&Close", QKeySequence.StandardKey.Close, self.close)
        self.resize(1100, 720)
        self.interviews.refresh()

    def _profiles_page(self) -> QWidget:
        self.profiles_model = RecordTableModel(PROFILE_COLUMNS, self)
        table = QTableView()
        table.setModel(self.profiles_model)
        configure_table(table, 0)
        self.tasks.spawn(self._load_profiles(), key="pack-profiles")
        return table

    async def _load_profiles(self) -> None:
        search, model = self.pack.manifest.search, self.profiles_model
        if search is None or model is None:
            return
        page = await in_thread(browse_profiles, self.pack.engine, 0, search.included or 1)
        model.set_rows(page.rows)

    def closeEvent(self, event: QCloseEvent) -> None:  # noqa: N802
        self.tasks.cancel_all()
        self.pack.close()
        super().closeEvent(event)


class _WithContext(Protocol):
    ctx: AppContext  # the main window's: its paths, credentials and engine


def pack_paths(mime: QMimeData) -> list[Path]:
    if not mime.hasUrls():
        return []
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
        query_box = getattr(getattr(window, "profiles_tab", None), "query", None)
        dialog = ExportPackDialog(
            cast(_WithContext, window).ctx, self.tasks,
            selected_id=getattr(getattr(window, "interviews_tab", None), "current_id", None),
            search_text=query_box.text() if query_box is not None else "",
            default_dir=Path.home(), parent=window)
        dialog.open()
        self.export_dialog = dialog
        return dialog

    def choose(self) -> None:
        name, _ = QFileDialog.getOpenFileName(self._window, "Open review pack", "", FILE_FILTER)
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
        ctx = cast(_WithContext, self._window).ctx
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
