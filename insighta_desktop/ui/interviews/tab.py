"""Interviews tab: a filterable list; for the selected interview its transcript, assessment and chat.

Every network and database call runs as a coroutine on the qasync loop through the window's TaskRunner
(which keeps a reference to each task); database work goes to a thread inside the services.
"""
from __future__ import annotations

import asyncio
import logging
from pathlib import Path

from PySide6.QtCore import QSortFilterProxyModel, Qt, QTimer
from PySide6.QtWidgets import QHeaderView, QLabel, QLineEdit, QSplitter, QTableView, QVBoxLayout, QWidget

from insighta_desktop.context import AppContext
from insighta_desktop.integrations.gemini import GeminiClient, GeminiConfig
from insighta_desktop.integrations.resend_mail import ResendConfig, ResendMailer
from insighta_desktop.interviews.assessments import describe_failure
from insighta_desktop.interviews.services import InterviewServices
from insighta_desktop.ui.interviews.assessment_panel import AssessmentPanel
from insighta_desktop.ui.interviews.chat_panel import ChatPanel
from insighta_desktop.ui.interviews.meetmind_panel import MeetMindPanel
from insighta_desktop.ui.shared.retry_notice import RetryNotice
from insighta_desktop.ui.shared.table_model import Column, RecordTableModel, configure_table
from insighta_desktop.ui.shared.tasks import TaskRunner, in_thread
from insighta_desktop.ui.interviews.transcript_view import TranscriptView

INTERVIEW_COLUMNS = [
    Column("Candidate", lambda i: i.candidate_name),
    Column("Role", lambda i: i.role),
    Column("Date", lambda i: i.scheduled_at.strftime("%Y-%m-%d") if i.scheduled_at else ""),
    Column("Status", lambda i: i.status),
    Column("Assessment", lambda i: i.assessment_status or "none"),
]
log = logging.getLogger(__name__)
OUTBOX_RETRY_MS = 5 * 60 * 1000


class InterviewsTab(QWidget):
    def __init__(self, ctx: AppContext, tasks: TaskRunner, parent=None, *,
                 services: InterviewServices | None = None):
        super().__init__(parent)
        self._ctx, self._tasks = ctx, tasks
        self._injected = services is not None
        self._services = services
        self.current_id: str | None = None
        self._recovered = False

        self.model = RecordTableModel(INTERVIEW_COLUMNS, self)
        self.proxy = QSortFilterProxyModel(self)
        self.proxy.setSourceModel(self.model)
        self.proxy.setFilterKeyColumn(-1)
        self.proxy.setFilterCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        self.filter = QLineEdit(placeholderText="Filter by candidate, role, date, status…")
        self.filter.setClearButtonEnabled(True)
        self.filter.textChanged.connect(self.proxy.setFilterFixedString)
        self.table = QTableView()
        self.table.setModel(self.proxy)
        self.table.setSortingEnabled(True)
        self.table.horizontalHeader().setSortIndicator(-1, Qt.SortOrder.AscendingOrder)
        self.proxy.sort(-1)  # newest first, as loaded, until a header is clicked
        self.table.setSelectionMode(QTableView.SelectionMode.SingleSelection)
        configure_table(self.table, 0)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.Interactive)  # long roles elide; the name keeps room
        header.resizeSection(1, 140)
        header.setMinimumSectionSize(60)
        self.table.selectionModel().currentRowChanged.connect(lambda current, _prev: self.select_row(current.row()))
        self.count_label = QLabel("")
        self.count_label.setStyleSheet("color:#667")

        self.notice = RetryNotice()
        self.header = QLabel("")
        self.header.setStyleSheet("font-size: 14px; font-weight: 600")
        self.transcript = TranscriptView()
        self.transcript.export_requested.connect(self.export)
        self.assessment = AssessmentPanel()
        self.assessment.generate_requested.connect(self.generate_assessment)
        self.assessment.email_requested.connect(self.email_assessment)
        self.meetmind = MeetMindPanel()  # only for interviews synced from MeetMind
        self.chat = ChatPanel()
        self.chat.send_requested.connect(self.ask)
        self.chat.citation_clicked.connect(self.transcript.highlight_turn)

        left = QWidget()
        left_layout = QVBoxLayout(left)
        left_layout.setContentsMargins(0, 0, 0, 0)
        left_layout.addWidget(self.filter)
        left_layout.addWidget(self.table, 1)
        left_layout.addWidget(self.count_label)
        side = QSplitter(Qt.Orientation.Vertical)
        side.addWidget(self.assessment)
        side.addWidget(self.meetmind)
        side.addWidget(self.chat)
        side.setSizes([300, 200, 320])
        detail_split = QSplitter(Qt.Orientation.Horizontal)
        detail_split.addWidget(self.transcript)
        detail_split.addWidget(side)
        detail_split.setSizes([560, 440])
        detail = QWidget()
        detail_layout = QVBoxLayout(detail)
        detail_layout.setContentsMargins(0, 0, 0, 0)
        detail_layout.addWidget(self.header)
        detail_layout.addWidget(self.notice)
        detail_layout.addWidget(detail_split, 1)
        splitter = QSplitter(Qt.Orientation.Horizontal)
        splitter.addWidget(left)
        splitter.addWidget(detail)
        splitter.setSizes([520, 1000])
        layout = QVBoxLayout(self)
        layout.addWidget(splitter)

        self._outbox_timer = QTimer(self)
        self._outbox_timer.setInterval(OUTBOX_RETRY_MS)
        self._outbox_timer.timeout.connect(self.retry_outbox)
        self._outbox_timer.start()

    # --- services ----------------------------------------------------------------------------
    @property
    def services(self) -> InterviewServices:
        """Built from the current settings and keychain; rebuilt when a key or endpoint changed."""
        if self._injected:
            return self._services  # type: ignore[return-value]
        gemini = GeminiConfig.resolve(self._ctx.settings, self._ctx.credentials)
        resend = ResendConfig.resolve(self._ctx.settings, self._ctx.credentials)
        current = self._services
        if current is None or current.gemini.config != gemini or current.mailer.config != resend:
            if current is not None:
                self._tasks.spawn(current.aclose())
            self._services = InterviewServices(self._ctx.engine, GeminiClient(gemini), ResendMailer(resend))
        return self._services  # type: ignore[return-value]

    # --- list and selection ------------------------------------------------------------------
    def refresh(self):
        return self._tasks.spawn(self._load(), key="interviews-list")

    async def _load(self) -> None:
        services = self.services
        if not self._recovered:
            self._recovered = True
            await services.assessments.recover_interrupted()
            self.retry_outbox()
        selected = self.current_id
        self.model.set_rows(await services.list())
        self.count_label.setText(f"{self.model.rowCount()} interviews")
        row = next((r for r, i in enumerate(self.model.rows) if i.id == selected), 0)
        if self.model.rowCount():
            self.table.selectRow(self.proxy.mapFromSource(self.model.index(row, 0)).row())

    def select_row(self, row: int):
        if row < 0:
            return None
        source = self.proxy.mapToSource(self.proxy.index(row, 0))
        return self.select_interview(self.model.row_at(source.row()).id)

    def select_interview(self, interview_id: str):
        self.current_id = interview_id
        return self._tasks.spawn(self._show(interview_id), key="interview-selection")

    async def _show(self, interview_id: str) -> None:
        services = self.services
        summary = next((i for i in self.model.rows if i.id == interview_id), None)
        if summary is not None:
            self.header.setText(f"{summary.candidate_name} — {summary.role}")
        self.transcript.show_message("Loading the transcript…")
        self.notice.clear_notice()
        try:
            transcript, assessment, history = await asyncio.gather(
                services.transcript(interview_id, on_retry=self.notice.reporter("Database")),
                services.assessments.get(interview_id), services.chat.history(interview_id))
        except Exception as exc:
            log.warning("Interview %s could not be loaded", interview_id, exc_info=exc)
            self.transcript.show_message(f"The interview could not be loaded: {describe_failure(exc)}")
            return
        finally:
            self.notice.clear_notice()
        self.transcript.show_transcript(transcript)
        self.assessment.show_assessment(assessment, enabled=bool(transcript.turns))
        if assessment is not None and assessment.status == "generating":
            self.assessment.set_generating()
        self.chat.show_history(history)
        self.chat.set_enabled(bool(transcript.turns))
        await self.meetmind.load(services.engine, interview_id, services.retrying)

    def _update_row(self, interview_id: str, assessment_status: str) -> None:
        for row, item in enumerate(self.model.rows):
            if item.id == interview_id:
                from dataclasses import replace
                self.model.rows[row] = replace(item, assessment_status=assessment_status)
                self.model.dataChanged.emit(self.model.index(row, 0), self.model.index(row, len(INTERVIEW_COLUMNS) - 1))

    # --- assessment --------------------------------------------------------------------------
    def generate_assessment(self):
        if self.current_id is None:
            return None
        return self._tasks.spawn(self._generate(self.current_id), key=f"assessment-{self.current_id}")

    async def _generate(self, interview_id: str) -> None:
        self.assessment.set_generating()
        self._update_row(interview_id, "generating")
        try:
            result = await self.services.assessments.generate(interview_id,
                                                              on_retry=self.notice.reporter("Gemini"))
        except Exception as exc:
            self.notice.clear_notice()
            if interview_id == self.current_id:
                self.assessment.show_assessment(self.assessment.assessment)
                self.assessment.email_status.setText(describe_failure(exc))
            self._update_row(interview_id, self.assessment.assessment.status if self.assessment.assessment else "none")
            return
        self.notice.clear_notice()
        self._update_row(interview_id, result.status)
        if interview_id == self.current_id:
            self.assessment.show_assessment(result)

    def email_assessment(self, address: str, include_transcript: bool):
        if self.current_id is None:
            return None
        return self._tasks.spawn(self._email(self.current_id, address, include_transcript), key="email")

    async def _email(self, interview_id: str, address: str, include_transcript: bool) -> None:
        outbox = self.services.outbox
        try:
            item = await outbox.queue_assessment(interview_id, address, include_transcript)
        except Exception as exc:
            self.assessment.show_email_result(None, str(exc))
            return
        result = await outbox.deliver(item.id, on_retry=self.notice.reporter("Resend"))
        self.notice.clear_notice()
        self.assessment.show_email_result(result)

    def retry_outbox(self):
        return self._tasks.spawn(self.services.outbox.deliver_pending(), key="outbox")

    # --- chat --------------------------------------------------------------------------------
    def ask(self, question: str):
        if self.current_id is None or self.chat.in_flight:
            return None
        self.chat.begin(question)  # Send is disabled before any await
        return self._tasks.spawn(self._ask(self.current_id, question), key="chat")

    async def _ask(self, interview_id: str, question: str) -> None:

        def stream(text: str) -> None:
            if interview_id == self.current_id:
                self.chat.stream(text)

        try:
            answer = await self.services.chat.ask(interview_id, question, on_text=stream,
                                                  on_retry=self.notice.reporter("Gemini"))
        except Exception as exc:
            self.chat.fail(describe_failure(exc))
            return
        finally:
            self.notice.clear_notice()
        if interview_id == self.current_id:
            self.chat.finish(answer)
        else:
            self.chat.in_flight = False
            self.chat.set_enabled(True)

    # --- export ------------------------------------------------------------------------------
    def export(self, fmt: str, path: str):
        if self.current_id is None:
            return None
        return self._tasks.spawn(self._export(self.current_id, fmt, path), key="export")

    async def _export(self, interview_id: str, fmt: str, path: str) -> None:
        export = await self.services.export(interview_id, fmt)
        await in_thread(Path(path).write_text, export.text, encoding="utf-8")
        self.header.setToolTip(f"Exported to {path}")
