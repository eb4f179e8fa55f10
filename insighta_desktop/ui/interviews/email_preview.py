"""The assessment email as it will go out (sender, recipient, subject, body) before it is sent.

Warns when the sender is Resend's shared test address (it reaches only the Resend account's own address) and
when no Resend key is set (the email would wait in the outbox); both point to Settings.
"""
from __future__ import annotations

import html

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QPushButton,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

from insighta_desktop.interviews.email import sender_warning
from insighta_desktop.interviews.model import EmailDraft

NO_KEY_WARNING = ("No Resend API key is set: the email will wait in the outbox and go out once a key is added "
                  "in Settings.")


class EmailPreviewDialog(QDialog):
    send_confirmed = Signal()
    settings_requested = Signal()

    def __init__(self, draft: EmailDraft, *, configured: bool = True, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.draft = draft
        self.setWindowTitle("Email preview")
        self.resize(720, 640)

        header = QFormLayout()
        for label, value in (("From", draft.sender), ("To", draft.to_address), ("Subject", draft.subject)):
            field = QLabel(html.escape(value))
            field.setWordWrap(True)
            field.setObjectName(f"preview{label}")
            header.addRow(f"<b>{label}</b>", field)

        self.warnings = [text for text in (sender_warning(draft.sender), None if configured else NO_KEY_WARNING)
                         if text]
        self.warning = QLabel("\n\n".join(self.warnings))
        self.warning.setObjectName("previewWarning")
        self.warning.setStyleSheet("#previewWarning { color:#6b4f00; background:#fff7dd; border:1px solid #f0dea0;"
                                   " border-radius:4px; padding:6px 8px; }")
        self.warning.setWordWrap(True)
        self.warning.setVisible(bool(self.warnings))

        self.body = QTextBrowser()
        self.body.setOpenExternalLinks(False)
        self.body.setHtml(draft.body_html)

        self.buttons = QDialogButtonBox()
        self.send_button = QPushButton("Send" if configured else "Queue in the outbox")
        self.send_button.setDefault(True)
        self.buttons.addButton(self.send_button, QDialogButtonBox.ButtonRole.AcceptRole)
        self.buttons.addButton(QDialogButtonBox.StandardButton.Cancel)
        self.settings_button = QPushButton("Open Settings")
        self.settings_button.setVisible(bool(self.warnings))
        self.buttons.addButton(self.settings_button, QDialogButtonBox.ButtonRole.ResetRole)
        self.settings_button.clicked.connect(self.settings_requested)
        self.buttons.accepted.connect(self._send)
        self.buttons.rejected.connect(self.reject)

        layout = QVBoxLayout(self)
        layout.addLayout(header)
        layout.addWidget(self.warning)
        layout.addWidget(self.body, 1)
        layout.addWidget(self.buttons)

    def _send(self) -> None:
        self.send_confirmed.emit()
        self.accept()

    @property
    def plain_text(self) -> str:
        return self.body.toPlainText()
