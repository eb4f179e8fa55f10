"""The interviews of a review pack: list, transcript, stored assessment, highlights (read-only) and an offline chat.

It works on any object with the interview services' interface; a pack gives it `PackInterviewServices`, whose
chat answers from a local search of the transcript and whose regenerate/email raise with the reason shown here.
"""
from __future__ import annotations

import asyncio
import html

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QSplitter,
    QTableView,
    QTabWidget,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

from insighta_desktop.interviews.model import Assessment, ChatAnswer, ChatMessage, Transcript
from insighta_desktop.packs.offline import PackInterviewServices
from insighta_desktop.ui.interviews.highlight_list import HighlightList
from insighta_desktop.ui.shared.table_model import Column, RecordTableModel, configure_table
from insighta_desktop.ui.shared.tasks import TaskRunner

COLUMNS = [
    Column("Candidate", lambda i: i.candidate_name),
    Column("Role", lambda i: i.role),
    Column("Date", lambda i: i.scheduled_at.strftime("%Y-%m-%d") if i.scheduled_at else ""),
    Column("Assessment", lambda i: i.assessment_status or "none"),
]
SPEAKER_COLOURS = {"interviewer": "#2d5bd7", "candidate": "#17805a"}  # by the speaker's part


def transcript_html(transcript: Transcript) -> str:
    if not transcript.turns:
        return "<p style='color:#667'>This interview has no transcript.</p>"
    parts = [f"<p style='color:#8a6d00'><i>{html.escape(transcript.note)}</i></p>"] if transcript.note else []
    for t in transcript.turns:
        colour = SPEAKER_COLOURS.get(t.role, "#555")
        parts.append(f"<p><a name='{t.tag}'></a><span style='color:#889'>[{t.elapsed}]</span> "
                     f"<b style='color:{colour}'>{html.escape(t.speaker_label)}:</b> {html.escape(t.content)}</p>")
    return "".join(parts)


def assessment_html(assessment: Assessment | None) -> str:
    if assessment is None:
        return "<p style='color:#667'>No assessment was exported with this interview.</p>"
    c = assessment.content or {}
    if assessment.status != "completed" or not c:
        reason = f": {html.escape(assessment.error)}" if assessment.error else ""
        return f"<p>Assessment status: <b>{html.escape(assessment.status)}</b>{reason}</p>"
    parts = [f"<p><b>Recommendation:</b> {html.escape(str(c.get('recommendation', '—')))}</p>",
             f"<p>{html.escape(str(c.get('summary', '')))}</p>"]
    for title, key in (("Highlights", "highlights"), ("Red flags", "red_flags")):
        if c.get(key):
            parts.append(f"<p><b>{title}</b></p><ul>" + "".join(f"<li>{html.escape(str(x))}</li>" for x in c[key])
                         + "</ul>")
    if c.get("scores"):
        rows = "".join(f"<tr><td>{html.escape(str(s.get('skill')))}</td><td align='right'><b>"
                       f"{s.get('score') if s.get('score') is not None else 'n/a'}</b>/5</td>"
                       f"<td style='color:#556'>{html.escape(str(s.get('rationale', '')))}</td></tr>"
                       for s in c["scores"])
        parts.append(f"<table cellspacing='6'>{rows}</table>")
    return "".join(parts)


def chat_html(messages: list[ChatMessage], answers: list[ChatAnswer]) -> str:
    parts = []
    for m in messages:
        who = "You" if m.role == "user" else "Assistant"
        parts.append(f"<p><b>{who}:</b> {html.escape(m.content)}</p>")
    if messages:
        parts.append("<p style='color:#889'>— exported chat history above —</p>")
    for a in answers:
        parts.append(f"<p><b>You:</b> {html.escape(a.question)}</p>")
        parts.append("<p style='background:#f3f5fa'><b>Local search:</b><br>"
                     f"{html.escape(a.text).replace(chr(10), '<br>')}</p>")
    return "".join(parts) or "<p style='color:#667'>No chat about this interview yet.</p>"


class PackInterviewsView(QWidget):
    def __init__(self, services: PackInterviewServices, tasks: TaskRunner, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.services, self._tasks = services, tasks
        self.current_id: str | None = None
        self._history: list[ChatMessage] = []
        self._answers: dict[str, list[ChatAnswer]] = {}
        self.model = RecordTableModel(COLUMNS, self)
        self.table = QTableView()
        self.table.setModel(self.model)
        self.table.setSelectionMode(QTableView.SelectionMode.SingleSelection)
        configure_table(self.table, 0)
        self.table.selectionModel().currentRowChanged.connect(lambda cur, _prev: self.select_row(cur.row()))
        self.transcript = QTextBrowser()
        self.shown_transcript: Transcript | None = None
        self.highlights = HighlightList(read_only=True)
        self.highlights.turn_clicked.connect(self.show_turn)
        self.assessment = QTextBrowser()
        self.regenerate_button = QPushButton("Regenerate")
        self.email_button = QPushButton("Email assessment…")
        self.unavailable = QLabel("Regenerating and email are unavailable: a review pack is read-only and offline.")
        self.unavailable.setObjectName("unavailableReason")
        self.unavailable.setWordWrap(True)
        for button, reason in ((self.regenerate_button, services.assessments.unavailable_reason),
                               (self.email_button, services.outbox.unavailable_reason)):
            button.setEnabled(False)
            button.setToolTip(reason)
        self.chat = QTextBrowser()
        self.question = QLineEdit(placeholderText="Ask about this interview (answered offline from the transcript)")
        self.ask_button = QPushButton("Ask")
        self.question.returnPressed.connect(self.ask)
        self.ask_button.clicked.connect(self.ask)
        self.chat_notice = QLabel(f"{services.chat.notice} Answers are passages found by a local search of the "
                                  "transcript.")
        self.chat_notice.setWordWrap(True)
        self._build_layout()

    def _build_layout(self) -> None:
        assessment_page = QWidget()
        buttons = QHBoxLayout()
        buttons.addWidget(self.regenerate_button)
        buttons.addWidget(self.email_button)
        buttons.addWidget(self.unavailable, 1)
        a_layout = QVBoxLayout(assessment_page)
        a_layout.addWidget(self.assessment)
        a_layout.addLayout(buttons)
        chat_page = QWidget()
        ask_row = QHBoxLayout()
        ask_row.addWidget(self.question, 1)
        ask_row.addWidget(self.ask_button)
        c_layout = QVBoxLayout(chat_page)
        c_layout.addWidget(self.chat_notice)
        c_layout.addWidget(self.chat)
        c_layout.addLayout(ask_row)
        self.detail_tabs = QTabWidget()
        self.detail_tabs.addTab(self.transcript, "Transcript")
        self.detail_tabs.addTab(assessment_page, "Assessment")
        self.detail_tabs.addTab(self.highlights, "Highlights")
        self.detail_tabs.addTab(chat_page, "Chat")
        splitter = QSplitter(Qt.Orientation.Horizontal)
        splitter.addWidget(self.table)
        splitter.addWidget(self.detail_tabs)
        splitter.setSizes([420, 640])
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(splitter)

    def refresh(self) -> asyncio.Task[None]:
        return self._tasks.spawn(self._load(), key="pack-interviews")

    async def _load(self) -> None:
        self.model.set_rows(await self.services.list())
        if self.model.rowCount():
            self.table.selectRow(0)

    def select_row(self, row: int) -> asyncio.Task[None] | None:
        if row < 0:
            return None
        return self._tasks.spawn(self._show(self.model.row_at(row).id), key="pack-selection")

    async def _show(self, interview_id: str) -> None:
        self.current_id = interview_id
        transcript = await self.services.transcript(interview_id)
        self.shown_transcript = transcript
        self.transcript.setHtml(transcript_html(transcript))
        marked = await self.services.highlights.list(interview_id, transcript)
        self.highlights.show_highlights(marked)
        self.detail_tabs.setTabText(self.detail_tabs.indexOf(self.highlights),
                                    f"Highlights ({len(marked)})" if marked else "Highlights")
        self.assessment.setHtml(assessment_html(await self.services.assessments.get(interview_id)))
        self._history = await self.services.chat.history(interview_id)
        self._render_chat()

    def show_turn(self, turn_id: str) -> bool:
        """Show the transcript scrolled to a highlighted turn."""
        turn = self.shown_transcript.turn_by_id(turn_id) if self.shown_transcript else None
        if turn is None:
            return False
        self.detail_tabs.setCurrentWidget(self.transcript)
        self.transcript.scrollToAnchor(turn.tag)
        return True

    def _render_chat(self) -> None:
        self.chat.setHtml(chat_html(self._history, self._answers.get(self.current_id or "", [])))
        self.chat.verticalScrollBar().setValue(self.chat.verticalScrollBar().maximum())

    def ask(self) -> asyncio.Task[None] | None:
        question = self.question.text().strip()
        if not question or self.current_id is None:
            return None
        return self._tasks.spawn(self._ask(self.current_id, question), key="pack-chat")

    async def _ask(self, interview_id: str, question: str) -> None:
        self.ask_button.setEnabled(False)
        try:
            answer = await self.services.chat.ask(interview_id, question)
        finally:
            self.ask_button.setEnabled(True)
        self._answers.setdefault(interview_id, []).append(answer)
        self.question.clear()
        if interview_id == self.current_id:
            self._render_chat()
