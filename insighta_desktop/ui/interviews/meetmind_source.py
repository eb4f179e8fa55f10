"""Settings → "Interview source: MeetMind database": its URL (password to the keychain) and "Sync now".

The sync runs as a coroutine whose database steps go to worker threads (interviews/meetmind_sync.py), so the
window stays responsive; progress and retry notices arrive on the GUI thread between those steps.
"""
from __future__ import annotations

import asyncio

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QGroupBox, QHBoxLayout, QLabel, QLineEdit, QProgressBar, QPushButton, QVBoxLayout
from sqlalchemy.engine import Engine

from insighta_desktop.config import CredentialStore, Settings
from insighta_desktop.context import store_meetmind_url, with_stored_password
from insighta_desktop.db.engine import mask_url
from insighta_desktop.interviews.meetmind_sync import SyncProgress, SyncReport, sync_meetmind
from insighta_desktop.resilience import Retrying
from insighta_desktop.ui.shared.retry_notice import RetryNotice
from insighta_desktop.ui.shared.tasks import TaskRunner

OK, FAILED = "color: #1b7a1b;", "color: #b00020;"


def failure_text(exc: BaseException) -> str:
    reason = str(getattr(exc, "orig", None) or exc).strip()
    return reason.splitlines()[0] if reason else type(exc).__name__


class MeetMindSourceBox(QGroupBox):
    synced = Signal()  # the finished sync's report is in .report

    def __init__(self, settings: Settings, credentials: CredentialStore, engine: Engine | None,
                 retrying: Retrying | None = None, parent: QGroupBox | None = None):
        super().__init__("Interview source: MeetMind database", parent)
        self._settings, self._credentials, self._engine = settings, credentials, engine
        self._retrying = retrying
        self.tasks = TaskRunner()
        self.report: SyncReport | None = None
        self.url_edit = QLineEdit(settings.meetmind_url or "")
        self.url_edit.setPlaceholderText("postgresql://reader:password@meetmind-db:5432/meetmind (read-only)")
        self.sync_button = QPushButton("Sync now")
        self.sync_button.clicked.connect(self.sync_now)
        self.sync_button.setEnabled(engine is not None)
        self.progress = QProgressBar()
        self.progress.setTextVisible(True)
        self.progress.setVisible(False)
        self.status = QLabel("Copies new and changed interviews; MeetMind itself is only read.")
        self.status.setWordWrap(True)
        self.notice = RetryNotice()
        row = QHBoxLayout()
        row.addWidget(self.url_edit, 1)
        row.addWidget(self.sync_button)
        layout = QVBoxLayout(self)
        layout.addLayout(row)
        layout.addWidget(self.progress)
        layout.addWidget(self.notice)
        layout.addWidget(self.status)

    def url(self) -> str | None:
        """The URL typed, with the keychain's password when it is the saved URL without one."""
        text = self.url_edit.text().strip()
        if text and text == self._settings.meetmind_url:
            return with_stored_password(text, self._credentials, CredentialStore.MEETMIND_PASSWORD)
        return text or None

    def save(self) -> bool:
        """Keep the URL (password to the keychain); False with a message when it is not a PostgreSQL URL."""
        try:
            store_meetmind_url(self.url(), self._settings, self._credentials)
        except ValueError as exc:
            self._say(str(exc), FAILED)
            return False
        return True

    def sync_now(self) -> asyncio.Task[None] | None:
        url = self.url()
        if not url:
            self._say("Enter the MeetMind database's URL first.", FAILED)
            return None
        self.sync_button.setEnabled(False)
        self.progress.setRange(0, 0)  # busy until the number of interviews is known
        self.progress.setVisible(True)
        self._say(f"Connecting to {mask_url(url)}…", "")
        return self.tasks.spawn(self._sync(url), key="sync")

    async def _sync(self, url: str) -> None:
        assert self._engine is not None
        try:
            report = await sync_meetmind(self._engine, url, retrying=self._retrying, on_progress=self._progress,
                                         on_retry=self.notice.reporter("MeetMind"))
        except Exception as exc:  # every failure is a message for the person, not a crash
            self.progress.setVisible(False)
            self._say(f"Sync failed ({mask_url(url)}): {failure_text(exc)}", FAILED)
            return
        finally:
            self.notice.clear_notice()
            self.sync_button.setEnabled(True)
        self.report = report
        self.progress.setRange(0, max(1, report.new + report.updated))
        self.progress.setValue(self.progress.maximum())
        self._say(f"Synced from {mask_url(url)}: {report.new} new, {report.updated} updated, "
                  f"{report.unchanged} unchanged.", OK)
        self.synced.emit()

    def _progress(self, progress: SyncProgress) -> None:
        if progress.stage == "copying" and progress.total:
            self.progress.setRange(0, progress.total)
            self.progress.setValue(progress.done)
            self.progress.setFormat("%v of %m interviews")
        self._say(progress.message, "")

    def _say(self, text: str, style: str) -> None:
        self.status.setStyleSheet(style)
        self.status.setText(text)
