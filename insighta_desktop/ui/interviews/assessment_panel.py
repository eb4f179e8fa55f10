"""The assessment of the selected interview: status, generate/regenerate, content, and "Email assessment"."""
from __future__ import annotations

import html
from typing import Any

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QCheckBox, QHBoxLayout, QLabel, QLineEdit, QPushButton, QTextBrowser, QVBoxLayout, QWidget

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
    recommendation = str(c.get("recommendation"))
    by_hand = (" <span style='color:#7a4b9a'>(written by hand from the rubric)</span>"
               if assessment.source == "manual" else "")
    parts.append(f"<p><b>Recommendation:</b> {html.escape(RECOMMENDATION.get(recommendation, recommendation))}"
                 f"{by_hand}</p>")
    if c.get("summary"):
        parts.append(f"<p>{html.escape(str(c['summary']))}</p>")
    for title, key in (("Highlights", "highlights"), ("Red flags", "red_flags")):
        items = c.get(key) or []
        if items:
            parts.append(f"<p><b>{title}</b></p><ul>" + "".join(f"<li>{html.escape(str(i))}</li>" for i in items)
                         + "</ul>")
    scores = c.get("scores") or []
    if scores:
        rows = "".join(
            f"<tr><td style='padding:2px 8px 2px 0; white-space:nowrap'>{html.escape(str(s.get('skill')))}</td>"
            f"<td style='padding:2px 8px; white-space:nowrap'><b>{_score(s)}</b>/5</td>"
            f"<td style='padding:2px 0; color:#556'>{_score_note(s)}</td></tr>"
            for s in scores)
        parts.append(f"<p><b>Scores</b></p><table>{rows}</table>")
    return "".join(parts)


def _score(score: dict[str, Any]) -> str:
    return "—" if score.get("score") is None else str(score["score"])


def _score_note(score: dict[str, Any]) -> str:
    parts = [html.escape(str(score["rationale"]))] if score.get("rationale") else []
    if score.get("evidence"):
        parts.append(f"<i>“{html.escape(str(score['evidence']))}”</i>")
    return " ".join(parts)


class AssessmentPanel(QWidget):
    generate_requested = Signal()
    email_requested = Signal(str, bool)  # address, include transcript

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.assessment: Assessment | None = None
        self.status = QLabel()
        self.generate_button = QPushButton("Generate assessment")
        self.generate_button.clicked.connect(self.generate_requested)
        # one width for both labels, so switching interviews never moves the splitters
        metrics = self.generate_button.fontMetrics()
        self.generate_button.setMinimumWidth(
            max(metrics.horizontalAdvance(t) for t in ("Generate assessment", "Regenerate")) + 24)
        self.email_button = QPushButton("Email assessment…")
        self.email_button.clicked.connect(self.toggle_email_form)
        self.content = QTextBrowser()

        self.address = QLineEdit(placeholderText="recipient@example.com")
        self.include_transcript = QCheckBox("Include the transcript")
        self.send_email_button = QPushButton("Preview…")
        self.send_email_button.setToolTip("See the email as it will be sent, then send it")
        self.send_email_button.clicked.connect(self._send_email)
        self.address.returnPressed.connect(self._send_email)
        self.email_status = QLabel("")
        self.email_status.setWordWrap(True)
        self.email_form = QWidget()
        form = QVBoxLayout(self.email_form)  # the address gets the panel's whole width
        form.setContentsMargins(0, 0, 0, 0)
        form.addWidget(self.address)
        options = QHBoxLayout()
        options.addWidget(self.include_transcript)
        options.addStretch(1)
        options.addWidget(self.send_email_button)
        form.addLayout(options)
        self.email_form.setVisible(False)

        # the buttons sit under the content, not beside the title: the side panel stays narrow enough for the
        # list to keep full names in a 1200-pixel window
        top = QHBoxLayout()
        top.addWidget(QLabel("<b>Assessment</b>"))
        top.addWidget(self.status)
        top.addStretch(1)
        actions = QHBoxLayout()
        actions.addWidget(self.generate_button)
        actions.addWidget(self.email_button)
        actions.addStretch(1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(top)
        layout.addWidget(self.content, 1)
        layout.addLayout(actions)
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

    def reset_status(self) -> None:
        """Another interview is shown: what was said about the last one's email no longer applies."""
        self.email_status.clear()
        self.send_email_button.setEnabled(True)
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
            self.email_status.setText("Preparing the preview…")
            self.email_requested.emit(address, self.include_transcript.isChecked())

    def show_email_pending(self, text: str) -> None:
        self.send_email_button.setEnabled(True)
        self.email_status.setText(f"<span style='color:#556'>{html.escape(text)}</span>")

    def show_email_result(self, item: OutboxItem | None, error: str | None = None) -> None:
        self.send_email_button.setEnabled(True)
        if error:
            self.email_status.setText(f"<span style='color:#b00020'>{html.escape(error)}</span>")
        elif item is not None and item.status == "sent":
            self.email_status.setText(f"<span style='color:#1b7a4b'>Sent to {html.escape(item.to_address)}.</span>")
            self.email_form.setVisible(False)
        elif item is not None:
            self.email_status.setText(
                f"<span style='color:#7a5b00'>Not sent to {html.escape(item.to_address)} yet. It stays in the "
                "outbox and will be retried; the Outbox shows why.</span>")
        else:
            self.email_status.clear()
