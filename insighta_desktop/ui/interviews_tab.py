"""Interviews tab: the interview list and the transcript of the selected interview."""
from __future__ import annotations

import html
from datetime import UTC, datetime

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QSplitter, QTableView, QTextBrowser, QVBoxLayout, QWidget

from insighta_desktop.context import AppContext
from insighta_desktop.interviews.catalog import TurnText, latest_session_turns, list_interviews
from insighta_desktop.ui.table_model import Column, RecordTableModel, configure_table
from insighta_desktop.ui.tasks import TaskRunner, in_thread

INTERVIEW_COLUMNS = [
    Column("Candidate", lambda i: i.candidate_name),
    Column("Role", lambda i: i.role),
    Column("Date", lambda i: i.scheduled_at.strftime("%Y-%m-%d") if i.scheduled_at else ""),
    Column("Status", lambda i: i.status),
    Column("Assessment", lambda i: i.assessment_status),
]
SPEAKERS = {"ai": ("Interviewer", "#2d6cdf"), "candidate": ("Candidate", "#1b7a4b")}


def transcript_html(turns: list[TurnText]) -> str:
    if not turns:
        return "<p style='color:#667'>No transcript yet for this interview.</p>"
    start = turns[0].timestamp_sec
    parts = []
    for turn in turns:
        label, colour = SPEAKERS.get(turn.speaker, (turn.speaker.title(), "#555"))
        elapsed = datetime.fromtimestamp(max(0.0, turn.timestamp_sec - start), UTC).strftime("%H:%M:%S")
        parts.append(f"<p><span style='color:#889'>[{elapsed}]</span> <b style='color:{colour}'>{label}:</b> "
                     f"{html.escape(turn.content)}</p>")
    return "".join(parts)


class InterviewsTab(QWidget):
    def __init__(self, ctx: AppContext, tasks: TaskRunner, parent=None):
        super().__init__(parent)
        self._ctx, self._tasks = ctx, tasks
        self.model = RecordTableModel(INTERVIEW_COLUMNS, self)
        self.table = QTableView()
        self.table.setModel(self.model)
        self.table.setSelectionMode(QTableView.SelectionMode.SingleSelection)
        configure_table(self.table, 0)
        self.table.selectionModel().currentRowChanged.connect(lambda current, _prev: self.select_row(current.row()))
        self.transcript = QTextBrowser()
        splitter = QSplitter(Qt.Orientation.Horizontal)
        splitter.addWidget(self.table)
        splitter.addWidget(self.transcript)
        splitter.setSizes([420, 580])
        layout = QVBoxLayout(self)
        layout.addWidget(splitter)

    def refresh(self):
        return self._tasks.spawn(self._load(), key="interviews-list")

    async def _load(self) -> None:
        self.model.set_rows(await in_thread(list_interviews, self._ctx.engine))
        if self.model.rowCount():
            self.table.selectRow(0)

    def select_row(self, row: int):
        if row < 0:
            return None
        return self._tasks.spawn(self._show(self.model.row_at(row).id), key="interview-selection")

    async def _show(self, interview_id: str) -> None:
        self.transcript.setHtml(transcript_html(await in_thread(latest_session_turns, self._ctx.engine, interview_id)))
