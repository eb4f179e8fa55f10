"""The recruiter's chat about the selected interview: streamed answers with clickable turn citations."""
from __future__ import annotations

import html
import re

from PySide6.QtCore import QUrl, Signal
from PySide6.QtWidgets import QHBoxLayout, QLabel, QLineEdit, QPushButton, QTextBrowser, QVBoxLayout, QWidget

from insighta_desktop.interviews.model import ChatAnswer, ChatMessage, Citation

_MARKER = re.compile(r"\[([^\[\]]{1,80})\]")
_TAG = re.compile(r"T\s*(\d+)", re.IGNORECASE)


def linkify(text: str, citations: list[Citation]) -> str:
    """Escaped text with each cited [T4] turned into a link that scrolls the transcript to that turn."""
    by_seq = {c.sequence_no: c for c in citations}

    def link(match: re.Match) -> str:
        def tag(m: re.Match) -> str:
            cited = by_seq.get(int(m.group(1)))
            return f"<a href='turn:{cited.turn_id}'>{m.group(0)}</a>" if cited else m.group(0)
        return "[" + _TAG.sub(tag, match.group(1)) + "]"

    return _MARKER.sub(link, html.escape(text)).replace("\n", "<br>")


def _bubble(role: str, body_html: str, note: str = "") -> str:
    who, colour = ("You", "#2d5fbf") if role == "user" else ("Assistant", "#1b7a4b")
    extra = f" <span style='color:#8a8f99; font-size:11px'>{html.escape(note)}</span>" if note else ""
    return f"<p><b style='color:{colour}'>{who}</b>{extra}<br>{body_html}</p>"


class ChatPanel(QWidget):
    send_requested = Signal(str)
    citation_clicked = Signal(str)  # turn id

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self._history_html: list[str] = []
        self._pending_question: str | None = None
        self._streaming = ""
        self.in_flight = False

        self.view = QTextBrowser()
        self.view.setOpenLinks(False)
        self.view.anchorClicked.connect(self._anchor)
        self.notice = QLabel("")
        self.notice.setObjectName("chatNotice")
        self.notice.setStyleSheet("#chatNotice { color:#7a5b00; }")
        self.notice.setWordWrap(True)
        self.notice.setVisible(False)
        self.question = QLineEdit(placeholderText="Ask about this interview, e.g. “How did they handle rate limits?”")
        self.question.returnPressed.connect(self._send)
        self.send_button = QPushButton("Send")
        self.send_button.clicked.connect(self._send)

        row = QHBoxLayout()
        row.addWidget(self.question, 1)
        row.addWidget(self.send_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(QLabel("<b>Ask about this interview</b>"))
        layout.addWidget(self.view, 1)
        layout.addWidget(self.notice)
        layout.addLayout(row)
        self.set_enabled(False)

    def set_enabled(self, enabled: bool) -> None:
        self.question.setEnabled(enabled)
        self.send_button.setEnabled(enabled and not self.in_flight)

    def _anchor(self, url: QUrl) -> None:
        if url.scheme() == "turn":
            self.citation_clicked.emit(url.path())

    def _send(self) -> None:
        text = self.question.text().strip()
        if text and not self.in_flight:
            self.send_requested.emit(text)

    def show_history(self, messages: list[ChatMessage]) -> None:
        self._history_html = [_bubble(m.role, linkify(m.content, m.citations)) for m in messages]
        self._pending_question = None
        self._streaming = ""
        self.notice.setVisible(False)
        self._render()

    def begin(self, question: str) -> None:
        self.in_flight = True
        self._pending_question = question
        self._streaming = ""
        self.send_button.setEnabled(False)
        self.notice.setVisible(False)
        self._render()

    def stream(self, text: str) -> None:
        self._streaming = text
        self._render()

    def finish(self, answer: ChatAnswer) -> None:
        self.in_flight = False
        self._history_html.append(_bubble("user", html.escape(answer.question)))
        note = "local search — not stored" if answer.source == "local" else ""
        self._history_html.append(_bubble("assistant", linkify(answer.text, answer.citations), note))
        self._pending_question, self._streaming = None, ""
        if answer.source == "local":
            self.notice.setText(f"{answer.notice} Showing the closest transcript passages instead; "
                                "send again to retry.")
            self.notice.setVisible(True)
        else:
            self.question.clear()
        self.send_button.setEnabled(True)
        self._render()

    def fail(self, reason: str) -> None:
        self.in_flight = False
        self._pending_question, self._streaming = None, ""
        self.notice.setText(f"The question was not sent: {reason}")
        self.notice.setVisible(True)
        self.send_button.setEnabled(True)
        self._render()

    def _render(self) -> None:
        parts = list(self._history_html)
        if self._pending_question is not None:
            parts.append(_bubble("user", html.escape(self._pending_question)))
            parts.append(_bubble("assistant", html.escape(self._streaming).replace("\n", "<br>") or
                                 "<span style='color:#8a8f99'>…</span>"))
        self.view.setHtml("".join(parts) or "<p style='color:#778'>No questions yet.</p>")
        bar = self.view.verticalScrollBar()
        bar.setValue(bar.maximum())

    @property
    def plain_text(self) -> str:
        return self.view.toPlainText()
