"""Settings: database, Gemini, Resend and the name-prediction services' key. Secrets go to the credential store,
never to the settings file."""
from __future__ import annotations

import asyncio

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QButtonGroup,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QRadioButton,
    QVBoxLayout,
    QWidget,
)
from sqlalchemy.engine import Engine

from insighta_desktop.config import AppPaths, CredentialStore, Settings
from insighta_desktop.context import probe_database, store_database_url
from insighta_desktop.db.engine import mask_url
from insighta_desktop.db.url_secrets import mask_secrets_in_text, redact_secrets
from insighta_desktop.ui.interviews.meetmind_source import MeetMindSourceBox
from insighta_desktop.ui.shared.tasks import TaskRunner, in_thread


def failure_reason(exc: BaseException, url: str | None = None) -> str:
    reason = str(getattr(exc, "orig", None) or exc).strip()
    reason = mask_secrets_in_text(redact_secrets(reason, url))
    return reason.splitlines()[0] if reason else type(exc).__name__


class SettingsDialog(QDialog):
    database_changed = Signal()
    saved = Signal()

    def __init__(self, settings: Settings, credentials: CredentialStore, paths: AppPaths,
                 parent: QWidget | None = None, *, engine: Engine | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Settings")
        self.setMinimumWidth(560)
        self._settings, self._credentials, self._paths = settings, credentials, paths
        self._tasks = TaskRunner()
        layout = QVBoxLayout(self)
        layout.addWidget(self._database_box())
        self.meetmind_box = MeetMindSourceBox(settings, credentials, engine)  # syncs into `engine`
        layout.addWidget(self.meetmind_box)
        layout.addWidget(self._services_box())
        self.keychain_label = QLabel(credentials.status)
        self.keychain_label.setWordWrap(True)
        self.keychain_label.setObjectName("keychainStatus")
        if not credentials.persistent:
            self.keychain_label.setStyleSheet("color: #8a5a00;")
        layout.addWidget(self.keychain_label)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel)
        buttons.accepted.connect(self.save)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)

    def _database_box(self) -> QGroupBox:
        box = QGroupBox("Database")
        form = QVBoxLayout(box)
        self.embedded_radio = QRadioButton(f"Embedded (SQLite in {self._paths.data_dir})")
        self.postgres_radio = QRadioButton("PostgreSQL")
        group = QButtonGroup(box)
        group.addButton(self.embedded_radio)
        group.addButton(self.postgres_radio)
        self.url_edit = QLineEdit()
        self.url_edit.setPlaceholderText("postgresql://user:password@host:5432/database?sslmode=require")
        if self._settings.database_url:
            self.postgres_radio.setChecked(True)
            self.url_edit.setText(self._settings.database_url)
        else:
            self.embedded_radio.setChecked(True)
        self.test_button = QPushButton("Test connection")
        self.test_button.clicked.connect(self.test_connection)
        self.test_result = QLabel("")
        self.test_result.setWordWrap(True)
        row = QHBoxLayout()
        row.addWidget(self.url_edit, 1)
        row.addWidget(self.test_button)
        form.addWidget(self.embedded_radio)
        form.addWidget(self.postgres_radio)
        form.addLayout(row)
        form.addWidget(self.test_result)
        self.postgres_radio.toggled.connect(self._sync_enabled)
        self._sync_enabled()
        return box

    def _services_box(self) -> QGroupBox:
        box = QGroupBox("Services")
        form = QFormLayout(box)
        self.gemini_key = QLineEdit(self._credentials.get(CredentialStore.GEMINI_API_KEY) or "")
        self.gemini_key.setEchoMode(QLineEdit.EchoMode.Password)
        self.gemini_model = QLineEdit(self._settings.gemini_model)
        self.resend_key = QLineEdit(self._credentials.get(CredentialStore.RESEND_API_KEY) or "")
        self.resend_key.setEchoMode(QLineEdit.EchoMode.Password)
        self.resend_sender = QLineEdit(self._settings.resend_sender)
        self.name_prediction_key = QLineEdit(self._credentials.get(CredentialStore.NAME_PREDICTION_API_KEY) or "")
        self.name_prediction_key.setEchoMode(QLineEdit.EchoMode.Password)
        self.name_prediction_key.setPlaceholderText("optional: without a key, 100 names a day")
        self.name_prediction_key.setToolTip("One key for Genderize, Agify and Nationalize (Add profile…)")
        form.addRow("Gemini API key", self.gemini_key)
        form.addRow("Gemini model", self.gemini_model)
        form.addRow("Resend API key", self.resend_key)
        form.addRow("Sender address", self.resend_sender)
        form.addRow("Genderize/Agify/Nationalize key", self.name_prediction_key)
        return box

    def _sync_enabled(self) -> None:
        enabled = self.postgres_radio.isChecked()
        self.url_edit.setEnabled(enabled)
        self.test_button.setEnabled(enabled)

    def test_connection(self) -> asyncio.Task[None] | None:
        url = self.url_edit.text().strip()
        if not url:
            self.test_result.setText("Enter a PostgreSQL URL first.")
            return None
        self.test_button.setEnabled(False)
        self.test_result.setText(f"Connecting to {mask_url(url)}…")
        return self._tasks.spawn(self._test(url), key="test")

    async def _test(self, url: str) -> None:
        try:
            version = await in_thread(probe_database, url)
            self.test_result.setStyleSheet("color: #1b7a1b;")
            self.test_result.setText(f"Connected: {version}")
        except Exception as exc:  # every failure is a message for the person, not a crash
            self.test_result.setStyleSheet("color: #b00020;")
            self.test_result.setText(f"Failed: {failure_reason(exc, url)}")
        finally:
            self.test_button.setEnabled(self.postgres_radio.isChecked())

    def save(self) -> None:
        previous_url = self._settings.database_url
        url = self.url_edit.text().strip() if self.postgres_radio.isChecked() else None
        if self.postgres_radio.isChecked() and not url:
            self.test_result.setText("Enter a PostgreSQL URL, or choose the embedded database.")
            return
        try:
            store_database_url(url, self._settings, self._credentials)
        except ValueError as exc:
            self.test_result.setText(mask_secrets_in_text(redact_secrets(str(exc), url)))
            return
        if not self.meetmind_box.save():
            return
        self._credentials.set(CredentialStore.GEMINI_API_KEY, self.gemini_key.text().strip())
        self._credentials.set(CredentialStore.RESEND_API_KEY, self.resend_key.text().strip())
        self._credentials.set(CredentialStore.NAME_PREDICTION_API_KEY, self.name_prediction_key.text().strip())
        self._settings.gemini_model = self.gemini_model.text().strip() or Settings.gemini_model
        self._settings.resend_sender = self.resend_sender.text().strip() or Settings.resend_sender
        self._settings.save(self._paths.settings_file)
        self.saved.emit()
        if self._settings.database_url != previous_url:
            self.database_changed.emit()
        self.accept()
