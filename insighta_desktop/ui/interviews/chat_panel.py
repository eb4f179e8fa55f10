"""The recruiter's chat about the selected interview: streamed answers with clickable turn citations."""
from __future__ import annotations

import html

from PySide6.QtCore import QUrl, Signal
from PySide6.QtWidgets import QHBoxLayout, QLabel, QLineEdit, QPushButton, QTextBrowser, QVBoxLayout, QWidget

from insighta_desktop.interviews.citations import replace_references
from insighta_desktop.interviews.failures import WAIT
from insighta_desktop.interviews.model import ChatAnswer, ChatMessage, Citation


def linkify(text: str, citations: list[Citation]) -> str:
    """Escaped text with each cited [T4] turned into a link that scrolls the transcript to that turn (a range
    [T3-T5] links to its first turn)."""
    by_seq = {c.sequence_no: c for c in citations}

    def link(sequence_no: int, reference: str) -> str:
        cited = by_seq.get(sequence_no)
        return f"<a href='turn:{cited.turn_id}'>{reference}</a>" if cited else reference

    return replace_references(html.escape(text), link).replace("\n", "<br>")


def _bubble(role: str, body_html: str, note: str = "") -> str:
    who, colour = ("You", "#2d5fbf") if role == "user" else ("Assistant", "#1b7a4b")
    extra = f" <span style='color:#8a8f99; font-size:11px'>{html.escape(note)}</span>" if note else ""
    return f"<p><b style='color:{colour}'>{who}</b>{extra}<br>{body_html}</p>"


LOCAL_NOTE = "local search of the transcript"


def _message_html(m: ChatMessage) -> str:
    return _bubble(m.role, linkify(m.content, m.citations), LOCAL_NOTE if m.source == "local" else "")


class ChatPanel(QWidget):
    send_requested = Signal(str)
    citation_clicked = Signal(str)  # turn id
    settings_requested = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.interview_id: str | None = None
        self._history_html: list[str] = []
        self._pending_question: str | None = None
        self._streaming = ""
        self.in_flight = False  # a question about the interview shown is waiting for its answer

        self.view = QTextBrowser()
        self.view.setOpenLinks(False)
        self.view.anchorClicked.connect(self._anchor)
        self.notice = QLabel("")
        self.notice.setObjectName("chatNotice")
        self.notice.setStyleSheet("#chatNotice { color:#7a5b00; }")
        self.notice.setWordWrap(True)
        self.notice.setVisible(False)
        self.settings_button = QPushButton("Open Settings")
        self.settings_button.setVisible(False)
        self.settings_button.clicked.connect(self.settings_requested)
        notice_row = QHBoxLayout()
        notice_row.addWidget(self.notice, 1)
        notice_row.addWidget(self.settings_button)
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
        layout.addLayout(notice_row)
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

    def show_history(self, messages: list[ChatMessage], *, interview_id: str | None = None,
                     pending: tuple[str, str] | None = None) -> None:
        """The stored conversation of an interview; `pending` is a question still being answered and its text so far.

        Showing another interview clears the question being typed and the last interview's notice.
        """
        if interview_id != self.interview_id:
            self.interview_id = interview_id
            self.question.clear()
            self._show_notice("")
        self._history_html = [_message_html(m) for m in messages]
        self._pending_question, self._streaming = pending if pending is not None else (None, "")
        self.in_flight = pending is not None
        self.send_button.setEnabled(self.question.isEnabled() and not self.in_flight)
        self._render()

    def begin(self, question: str) -> None:
        self.in_flight = True
        self._pending_question = question
        self._streaming = ""
        self.question.clear()
        self.send_button.setEnabled(False)
        self._show_notice("")
        self._render()

    def stream(self, text: str) -> None:
        self._streaming = text
        self._render()

    def finish(self, answer: ChatAnswer) -> None:
        self.in_flight = False
        self._history_html.append(_bubble("user", html.escape(answer.question)))
        note = LOCAL_NOTE if answer.source == "local" else ""
        self._history_html.append(_bubble("assistant", linkify(answer.text, answer.citations), note))
        self._pending_question, self._streaming = None, ""
        if answer.source == "local":
            tail = "." if answer.fix == WAIT else "; ask again to try Gemini."  # asking a paused Gemini again is moot
            self._show_notice(f"{answer.notice} The answer shows the closest transcript passages instead{tail}",
                              settings=answer.fix == "settings")
        self.send_button.setEnabled(self.question.isEnabled())
        self._render()

    def fail(self, reason: str, question: str | None = None, *, settings: bool = False) -> None:
        """The question was not answered: say why, and give it back to the input to send again."""
        self.in_flight = False
        self._pending_question, self._streaming = None, ""
        if question and not self.question.text().strip():
            self.question.setText(question)
        self._show_notice(f"The question was not answered. {reason}", settings=settings)
        self.send_button.setEnabled(self.question.isEnabled())
        self._render()

    def _show_notice(self, text: str, *, settings: bool = False) -> None:
        self.notice.setText(text)
        self.notice.setVisible(bool(text))
        self.settings_button.setVisible(bool(text) and settings)

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
