"""The assessment of the selected interview: status, generate/regenerate, content, and "Email assessment"."""
from __future__ import annotations

import html

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QCheckBox, QHBoxLayout, QLabel, QLineEdit, QPushButton, QTextBrowser, QVBoxLayout, QWidget)

from insighta_desktop.interviews.model import Assessment, OutboxItem

STATUS_STYLE = {"completed": ("Completed", "#1b7a4b"), "generating": ("Generating…", "#2d5fbf"),
                "pending": ("Pending", "#7a5b00"), "failed": ("Failed", "#b00020"), None: ("Not assessed", "#667")}
RECOMMENDATION = {"strong_advance": "Strong advance", "advance": "Advance", "hold": "Hold", "reject": "Reject"}


def assessment_html(assessment: Assessment | None) -> str:
    if assessment is None:
        return "<p style='color:#778'>No assessment yet. Generate one from the transcript.</p>"
    parts = []
    if assessment.status == "failed" and assessment.error:
        parts.append(f"<p style='color:#b00020'>The last attempt failed: {html.escape(assessment.error)}</p>")
    c = assessment.content
    if not c:
        return "".join(parts) or "<p style='color:#778'>Nothing to show yet.</p>"
    parts.append(f"<p><b>Recommendation:</b> {html.escape(RECOMMENDATION.get(c.get('recommendation'), str(c.get('recommendation'))))}</p>")
    parts.append(f"<p>{html.escape(str(c.get('summary', '')))}</p>")
    for title, key in (("Highlights", "highlights"), ("Red flags", "red_flags")):
        items = c.get(key) or []
        if items:
            parts.append(f"<p><b>{title}</b></p><ul>" + "".join(f"<li>{html.escape(str(i))}</li>" for i in items)
                         + "</ul>")
    scores = c.get("scores") or []
    if scores:
        rows = "".join(
            f"<tr><td style='padding:2px 8px 2px 0'>{html.escape(str(s.get('skill')))}</td>"
            f"<td style='padding:2px 8px'><b>{'—' if s.get('score') is None else s.get('score')}</b>/5</td>"
            f"<td style='padding:2px 0; color:#556'>{html.escape(str(s.get('rationale', '')))}</td></tr>"
            for s in scores)
        parts.append(f"<p><b>Scores</b></p><table>{rows}</table>")
    return "".join(parts)


class AssessmentPanel(QWidget):
    generate_requested = Signal()
    email_requested = Signal(str, bool)  # address, include transcript

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self.assessment: Assessment | None = None
        self.status = QLabel()
        self.generate_button = QPushButton("Generate assessment")
        self.generate_button.clicked.connect(self.generate_requested)
        self.email_button = QPushButton("Email assessment…")
        self.email_button.clicked.connect(self.toggle_email_form)
        self.content = QTextBrowser()

        self.address = QLineEdit(placeholderText="recipient@example.com")
        self.include_transcript = QCheckBox("Include the transcript")
        self.send_email_button = QPushButton("Send")
        self.send_email_button.clicked.connect(self._send_email)
        self.address.returnPressed.connect(self._send_email)
        self.email_status = QLabel("")
        self.email_status.setWordWrap(True)
        self.email_form = QWidget()
        form = QHBoxLayout(self.email_form)
        form.setContentsMargins(0, 0, 0, 0)
        for w in (self.address, self.include_transcript, self.send_email_button):
            form.addWidget(w)
        self.email_form.setVisible(False)

        top = QHBoxLayout()
        top.addWidget(QLabel("<b>Assessment</b>"))
        top.addWidget(self.status)
        top.addStretch(1)
        top.addWidget(self.generate_button)
        top.addWidget(self.email_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(top)
        layout.addWidget(self.content, 1)
        layout.addWidget(self.email_form)
        layout.addWidget(self.email_status)
        self.show_assessment(None, enabled=False)

    def show_assessment(self, assessment: Assessment | None, *, enabled: bool = True) -> None:
        self.assessment = assessment
        status = assessment.status if assessment else None
        text, colour = STATUS_STYLE.get(status, (str(status), "#667"))
        self.status.setText(text)
        self.status.setStyleSheet(f"color:{colour}; font-weight:600")
        self.content.setHtml(assessment_html(assessment))
        busy = status == "generating"
        self.generate_button.setText("Regenerate" if assessment and assessment.content or status == "failed"
                                     else "Generate assessment")
        self.generate_button.setEnabled(enabled and not busy)
        self.email_button.setEnabled(enabled and status == "completed")
        if not (enabled and status == "completed"):
            self.email_form.setVisible(False)

    def set_generating(self) -> None:
        self.status.setText(STATUS_STYLE["generating"][0])
        self.status.setStyleSheet(f"color:{STATUS_STYLE['generating'][1]}; font-weight:600")
        self.generate_button.setEnabled(False)

    def toggle_email_form(self) -> None:
        self.email_form.setVisible(not self.email_form.isVisible())
        if self.email_form.isVisible():
            self.address.setFocus()

    def _send_email(self) -> None:
        address = self.address.text().strip()
        if address:
            self.send_email_button.setEnabled(False)
            self.email_status.setText("Sending…")
            self.email_requested.emit(address, self.include_transcript.isChecked())

    def show_email_result(self, item: OutboxItem | None, error: str | None = None) -> None:
        self.send_email_button.setEnabled(True)
        if error:
            self.email_status.setText(f"<span style='color:#b00020'>{html.escape(error)}</span>")
        elif item is not None and item.status == "sent":
            self.email_status.setText(f"<span style='color:#1b7a4b'>Sent to {html.escape(item.to_address)}.</span>")
            self.email_form.setVisible(False)
        elif item is not None:
            self.email_status.setText(
                f"<span style='color:#7a5b00'>Not sent yet ({html.escape(item.last_error or 'unknown error')}). "
                "It stays in the outbox and will be retried.</span>")
