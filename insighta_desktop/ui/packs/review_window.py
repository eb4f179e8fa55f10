"""A review pack in a window of its own: read-only, offline, with a banner that says so and who signed it.

Packs are opened from File → Open review pack…, by dropping a .insighta-pack file on the main window (opener.py), or
with `insighta-desktop PACK` (standalone.py: only the pack, no database, no network). Each way checks the signature
and expiry first, then asks for the passphrase (unlock_dialog.py).
"""
from __future__ import annotations

import html

from PySide6.QtCore import Qt
from PySide6.QtGui import QCloseEvent, QKeySequence
from PySide6.QtWidgets import (
    QLabel,
    QMainWindow,
    QTableView,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from insighta_desktop.packs import ReviewPack, TrustVerdict
from insighta_desktop.packs.container import day_text
from insighta_desktop.packs.offline import PackInterviewServices
from insighta_desktop.profiles.browse import browse_profiles
from insighta_desktop.ui.packs.interviews_view import PackInterviewsView
from insighta_desktop.ui.packs.unlock_dialog import signer_html, trust_colour
from insighta_desktop.ui.shared.error_dialog import show_error
from insighta_desktop.ui.shared.profile_columns import PROFILE_COLUMNS
from insighta_desktop.ui.shared.table_model import RecordTableModel, configure_table
from insighta_desktop.ui.shared.tasks import TaskRunner, in_thread


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
        self.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)  # a closed pack window is gone, not hidden
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
