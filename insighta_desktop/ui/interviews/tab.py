"""Interviews tab: a filterable list; for the selected interview its transcript, assessment and chat.

Every network and database call runs as a coroutine on the qasync loop through the window's TaskRunner
(which keeps a reference to each task); database work goes to a thread inside the services.
"""
from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from typing import Any

from PySide6.QtCore import QItemSelectionModel, QSortFilterProxyModel, Qt, QTimer, Signal
from PySide6.QtWidgets import QHBoxLayout, QLabel, QLineEdit, QPushButton, QSplitter, QTableView, QVBoxLayout, QWidget

from insighta_desktop.context import AppContext
from insighta_desktop.interviews.failures import SETTINGS, explain
from insighta_desktop.interviews.services import InterviewServices
from insighta_desktop.interviews.talk_time import talk_time
from insighta_desktop.resilience import RetryEvent
from insighta_desktop.ui.interviews.assessment_actions import AssessmentActions
from insighta_desktop.ui.interviews.assessment_panel import AssessmentPanel
from insighta_desktop.ui.interviews.chat_panel import ChatPanel
from insighta_desktop.ui.interviews.compare_view import CompareLauncher
from insighta_desktop.ui.interviews.gemini_waits import GeminiPauseBanner
from insighta_desktop.ui.interviews.highlight_actions import HighlightActions
from insighta_desktop.ui.interviews.highlight_list import HighlightList
from insighta_desktop.ui.interviews.import_dialog import InterviewImporter
from insighta_desktop.ui.interviews.meetmind_panel import MeetMindPanel
from insighta_desktop.ui.interviews.outbox_view import OutboxDialog
from insighta_desktop.ui.interviews.problem_banner import ProblemBanner
from insighta_desktop.ui.interviews.search_panel import SearchPanel
from insighta_desktop.ui.interviews.talk_time_chart import TalkTimeChart
from insighta_desktop.ui.interviews.transcript_view import TranscriptView
from insighta_desktop.ui.shared.elided_label import ElidedLabel
from insighta_desktop.ui.shared.retry_notice import RetryNotice
from insighta_desktop.ui.shared.table_model import Column, RecordTableModel, configure_table
from insighta_desktop.ui.shared.tasks import TaskRunner, in_thread

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
    settings_requested = Signal()  # a key is missing or refused: the main window opens Settings

    def __init__(self, ctx: AppContext, tasks: TaskRunner, parent: QWidget | None = None, *,
                 services: InterviewServices | None = None) -> None:
        super().__init__(parent)
        self._ctx, self._tasks = ctx, tasks
        self._services = services  # tests inject their own; otherwise the context's
        self.current_id: str | None = None
        self._recovered = False
        self._list_fitted = False
        self._asking: dict[str, tuple[str, str]] = {}  # interview id -> (question, answer so far) while in flight
        self.flows = AssessmentActions(self)
        self.outbox_dialog: OutboxDialog | None = None
        self._pending_turn: tuple[str, str] | None = None  # (interview, turn) to scroll to once it is shown

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
        # extended: Ctrl/Shift-click picks 2 to 4 interviews to compare; the current row is the one shown
        self.table.setSelectionMode(QTableView.SelectionMode.ExtendedSelection)
        configure_table(self.table, 1)  # names, dates and headers keep their full width; a long role elides first
        self.table.horizontalHeader().setMinimumSectionSize(60)
        self.table.selectionModel().currentRowChanged.connect(lambda current, _prev: self.select_row(current.row()))
        self.count_label = QLabel("")
        self.count_label.setStyleSheet("color:#667")
        self.empty_label = QLabel("")
        self.empty_label.setObjectName("emptyList")
        self.empty_label.setStyleSheet("#emptyList { color:#667; padding: 12px 4px; }")
        self.empty_label.setWordWrap(True)
        self.empty_label.setVisible(False)
        for signal in (self.proxy.modelReset, self.proxy.rowsInserted, self.proxy.rowsRemoved,
                       self.proxy.layoutChanged):
            signal.connect(lambda *_: self._update_count())
        self.outbox_button = QPushButton("Outbox")
        self.outbox_button.setToolTip("Every email with its status; retry or cancel unsent ones")
        self.outbox_button.clicked.connect(self.open_outbox)
        self.compare = CompareLauncher(self)  # the Compare… button and its window

        self.notice = RetryNotice()
        self.notice.setWordWrap(True)
        self.banner = ProblemBanner()
        self.gemini_pause = GeminiPauseBanner()  # follows the services' Gemini circuit breaker
        self.header = ElidedLabel("")
        self.header.setStyleSheet("font-size: 14px; font-weight: 600")
        self.transcript = TranscriptView()
        self.transcript.export_requested.connect(self.export)
        self.talk_time = TalkTimeChart()
        self.talk_time.turn_clicked.connect(self.transcript.highlight_turn)
        self.highlight_list = HighlightList()
        self.highlights = HighlightActions(self)
        self.assessment = AssessmentPanel()
        self.assessment.generate_requested.connect(self.generate_assessment)
        self.assessment.email_requested.connect(self.email_assessment)
        self.meetmind = MeetMindPanel()  # only for interviews synced from MeetMind
        self.chat = ChatPanel()
        self.chat.send_requested.connect(self.ask)
        self.chat.citation_clicked.connect(self.transcript.highlight_turn)
        self.chat.settings_requested.connect(self.settings_requested)

        left = QWidget()
        left_layout = QVBoxLayout(left)
        left_layout.setContentsMargins(0, 0, 0, 0)
        self.search_panel = SearchPanel(tasks, lambda: self.services)
        self.search_panel.turn_activated.connect(self.open_turn)
        left_layout.addWidget(self.search_panel)
        left_layout.addWidget(self.filter)
        left_layout.addWidget(self.empty_label)
        left_layout.addWidget(self.table, 1)
        footer = QHBoxLayout()
        footer.addWidget(self.count_label, 1)
        footer.addWidget(self.compare.button)
        footer.addWidget(self.outbox_button)
        left_layout.addLayout(footer)
        side = QSplitter(Qt.Orientation.Vertical)
        side.addWidget(self.assessment)
        side.addWidget(self.talk_time)
        side.addWidget(self.meetmind)
        side.addWidget(self.chat)
        side.setSizes([330, 180, 200, 260])
        reading = QSplitter(Qt.Orientation.Vertical)  # the highlights under the transcript
        reading.addWidget(self.transcript)
        reading.addWidget(self.highlight_list)
        reading.setSizes([600, 170])
        detail_split = QSplitter(Qt.Orientation.Horizontal)
        detail_split.addWidget(reading)
        detail_split.addWidget(side)
        detail_split.setSizes([560, 440])
        self.detail = detail = QWidget()
        detail_layout = QVBoxLayout(detail)
        detail_layout.setContentsMargins(0, 0, 0, 0)
        detail_layout.addWidget(self.header)
        detail_layout.addWidget(self.notice)
        detail_layout.addWidget(self.gemini_pause)
        detail_layout.addWidget(self.banner)
        detail_layout.addWidget(detail_split, 1)
        self.splitter = splitter = QSplitter(Qt.Orientation.Horizontal)
        splitter.addWidget(left)
        splitter.addWidget(detail)
        splitter.setSizes([520, 1000])
        layout = QVBoxLayout(self)
        layout.addWidget(splitter)

        self.importer = InterviewImporter(self, lambda: self._ctx.engine, tasks)  # files dropped on the tab
        self.importer.imported.connect(self.show_interview)

        self._outbox_timer = QTimer(self)
        self._outbox_timer.setInterval(OUTBOX_RETRY_MS)
        self._outbox_timer.timeout.connect(self.retry_outbox)
        self._outbox_timer.start()

    # --- services ----------------------------------------------------------------------------
    @property
    def services(self) -> InterviewServices:
        """The context's (it replaces them when keys or endpoints change in the settings)."""
        services = self._services if self._services is not None else self._ctx.interviews
        self.gemini_pause.bind(services.gemini_breaker)  # the same breaker unless the services were replaced
        return services

    # --- list and selection ------------------------------------------------------------------
    def refresh(self) -> asyncio.Task[None]:
        return self._tasks.spawn(self._load(), key="interviews-list")

    async def _load(self) -> None:
        services = self.services
        try:
            if not self._recovered:
                await services.assessments.recover_interrupted()
                self._recovered = True
                self.retry_outbox()
            rows = await services.list()
        except Exception as exc:
            log.warning("The interview list could not be loaded", exc_info=exc)
            self.banner.show_problem(f"The interviews could not be loaded. {explain(exc, 'The database').text}",
                                     [("Try again", self.refresh)])
            return
        selected = self.current_id
        self.model.set_rows(rows)
        self._fit_list()
        row = self._row_to_select(selected)
        if row is not None:
            self.table.selectRow(row)

    def _row_to_select(self, selected: str | None) -> int | None:
        """The interview shown before, else the first one (in the list's order) with a transcript to read."""
        shown = [self.model.row_at(self.proxy.mapToSource(self.proxy.index(r, 0)).row())
                 for r in range(self.proxy.rowCount())]
        row = next((r for r, i in enumerate(shown) if i.id == selected), None)
        if row is None:
            row = next((r for r, i in enumerate(shown) if i.has_transcript), None)
        return row if row is not None or not shown else 0

    def _fit_list(self) -> None:
        """Once, on the first load: give the list the width its columns need, so no name is cut."""
        if self._list_fitted or not self.model.rowCount():
            return
        self._list_fitted = True
        header = self.table.horizontalHeader()
        needed = sum(max(header.sectionSizeHint(c), self.table.sizeHintForColumn(c))
                     for c in range(self.proxy.columnCount()))
        needed += self.table.verticalScrollBar().sizeHint().width() + 2 * self.table.frameWidth() + 4
        sizes = self.splitter.sizes()
        total = sum(sizes)
        # the detail keeps at least its minimum and just over half the width; a long role elides, names never
        detail = max(self.detail.minimumSizeHint().width(), int(total * 0.55))
        width = min(needed, total - detail)
        if width > sizes[0]:
            self.splitter.setSizes([width, total - width])

    def _update_count(self) -> None:
        total, shown = self.model.rowCount(), self.proxy.rowCount()
        self.count_label.setText(f"{total} interview{'s' if total != 1 else ''}" if shown == total
                                 else f"{shown} of {total} interviews")
        words = self.filter.text().strip()
        if total and not shown:
            self.empty_label.setText(f"No interview matches “{words}”. Clear the filter to see all {total}."
                                     if words else "No interview matches the search.")
        elif not total:
            self.empty_label.setText("No interviews yet. Import a transcript, or load the demo data with "
                                     "“insighta demo-data load”.")
        self.empty_label.setVisible(not shown)

    def show_interview(self, interview_id: str) -> asyncio.Task[None]:
        """Reload the list and select this interview (one just imported)."""
        self.current_id = interview_id
        return self.refresh()

    def select_row(self, row: int) -> asyncio.Task[None] | None:
        if row < 0:
            return None
        source = self.proxy.mapToSource(self.proxy.index(row, 0))
        return self.select_interview(self.model.row_at(source.row()).id)

    def select_interview(self, interview_id: str) -> asyncio.Task[None]:
        self.current_id = interview_id
        return self._tasks.spawn(self._show(interview_id), key="interview-selection")

    async def _show(self, interview_id: str) -> None:
        services = self.services
        summary = next((i for i in self.model.rows if i.id == interview_id), None)
        if summary is not None:
            self.header.setText(f"{summary.candidate_name} — {summary.role}")
        self.transcript.show_message("Loading the transcript…")
        self.talk_time.show_talk_time(None)
        self.highlight_list.show_highlights([])
        self.notice.clear_notice()  # what was said about the last interview does not apply to this one
        self.banner.clear_problem()
        self.assessment.reset_status()
        try:
            transcript, assessment, history = await services.open_view(  # one round trip
                interview_id, on_retry=self.retry_reporter("Database", interview_id))
        except Exception as exc:
            log.warning("Interview %s could not be loaded", interview_id, exc_info=exc)
            self.transcript.show_message(f"The interview could not be loaded. {explain(exc, 'The database').text}")
            return
        finally:
            self.clear_retry_notice(interview_id)
        self.transcript.show_transcript(transcript)
        self.talk_time.show_talk_time(talk_time(transcript.turns))
        if self._pending_turn is not None and self._pending_turn[0] == interview_id:
            self.transcript.highlight_turn(self._pending_turn[1])
            self._pending_turn = None
        self.assessment.show_assessment(assessment, enabled=bool(transcript.turns))
        if assessment is not None and assessment.status == "generating":
            self.assessment.set_generating()
        self.chat.set_enabled(bool(transcript.turns))
        self.chat.show_history(history, interview_id=interview_id, pending=self._asking.get(interview_id))
        await self.highlights.load(interview_id, transcript)
        await self.meetmind.load(services.engine, interview_id, services.retrying)

    def selected_ids(self) -> list[str]:
        """The interviews selected in the list (to compare), in the list's order."""
        rows = sorted(index.row() for index in self.table.selectionModel().selectedRows())
        return [self.model.row_at(self.proxy.mapToSource(self.proxy.index(r, 0)).row()).id for r in rows]

    def open_turn(self, interview_id: str, turn_id: str) -> asyncio.Task[None] | None:
        """Show the interview (from a comparison, a search result or a citation) scrolled to the turn."""
        shown = self.transcript.transcript
        if interview_id == self.current_id and shown is not None and shown.interview_id == interview_id:
            self.transcript.highlight_turn(turn_id)
            return None
        self._pending_turn = (interview_id, turn_id)
        row = next((r for r, i in enumerate(self.model.rows) if i.id == interview_id), None)
        if row is not None:
            if not self.proxy.mapFromSource(self.model.index(row, 0)).isValid():
                self.filter.clear()  # the list filter hid it
            self.table.selectionModel().setCurrentIndex(
                self.proxy.mapFromSource(self.model.index(row, 0)),
                QItemSelectionModel.SelectionFlag.ClearAndSelect | QItemSelectionModel.SelectionFlag.Rows)
            if self.current_id == interview_id:
                return None  # selected now: its transcript is on the way and takes the pending turn
        task: asyncio.Task[None] = self.select_interview(interview_id)
        return task

    def _update_row(self, interview_id: str, assessment_status: str | None) -> None:
        for row, item in enumerate(self.model.rows):
            if item.id == interview_id:
                self.model.rows[row] = replace(item, assessment_status=assessment_status)
                self.model.dataChanged.emit(self.model.index(row, 0), self.model.index(row, len(INTERVIEW_COLUMNS) - 1))

    def retry_reporter(self, service: str, interview_id: str) -> Callable[[RetryEvent], None]:
        """An `on_retry` callback that shows "Gemini busy — retrying…" only while that interview is shown."""
        report = self.notice.reporter(service)

        def on_retry(event: RetryEvent) -> None:
            if interview_id == self.current_id:
                report(event)
        return on_retry

    def clear_retry_notice(self, interview_id: str) -> None:
        if interview_id == self.current_id:
            self.notice.clear_notice()

    # --- assessment and email (assessment_actions.py) ----------------------------------------
    def generate_assessment(self) -> asyncio.Task[Any] | None:
        return None if self.current_id is None else self.flows.generate(self.current_id)

    def fill_in_by_hand(self) -> asyncio.Task[Any] | None:
        return self.flows.fill_in_by_hand(self.current_id)

    def email_assessment(self, address: str, include_transcript: bool) -> asyncio.Task[Any] | None:
        if self.current_id is None:
            return None
        return self.flows.preview_email(self.current_id, address, include_transcript)

    def retry_outbox(self) -> asyncio.Task[Any]:
        return self._tasks.spawn(self._retry_outbox(), key="outbox")

    async def _retry_outbox(self) -> None:
        try:
            await self.services.outbox.deliver_pending()
        except Exception as exc:  # the Outbox shows each email's reason; this runs again in five minutes
            log.warning("Retrying the outbox failed: %s", exc)
        self.outbox_changed()

    def open_outbox(self) -> OutboxDialog:
        if self.outbox_dialog is None:
            self.outbox_dialog = OutboxDialog(lambda: self.services.outbox, self._tasks, self)
            self.outbox_dialog.settings_requested.connect(self.settings_requested)
            self.outbox_dialog.changed.connect(self.outbox_changed)
        self.outbox_dialog.show()
        self.outbox_dialog.raise_()
        self.outbox_dialog.refresh()
        return self.outbox_dialog

    def outbox_changed(self) -> asyncio.Task[Any]:
        return self._tasks.spawn(self._count_unsent(), key="outbox-count")

    async def _count_unsent(self) -> None:
        try:
            unsent = sum(1 for i in await self.services.outbox.items() if i.unsent)
        except Exception as exc:
            log.warning("The outbox could not be counted: %s", exc)
            return
        self.outbox_button.setText(f"Outbox ({unsent} unsent)" if unsent else "Outbox")
        if self.outbox_dialog is not None and self.outbox_dialog.isVisible():
            self.outbox_dialog.refresh()

    # --- chat --------------------------------------------------------------------------------
    def ask(self, question: str) -> asyncio.Task[Any] | None:
        interview_id = self.current_id
        if interview_id is None or interview_id in self._asking:
            return None
        self._asking[interview_id] = (question, "")
        self.chat.begin(question)  # Send is disabled and the input cleared before any await
        return self._tasks.spawn(self._ask(interview_id, question), key=f"chat-{interview_id}")

    async def _ask(self, interview_id: str, question: str) -> None:

        def stream(text: str) -> None:
            self._asking[interview_id] = (question, text)
            if interview_id == self.current_id:
                self.chat.stream(text)

        try:
            answer = await self.services.chat.ask(interview_id, question, on_text=stream,
                                                  on_retry=self.retry_reporter("Gemini", interview_id))
        except Exception as exc:
            if interview_id == self.current_id:
                problem = explain(exc, "Gemini")
                self.chat.fail(problem.text, question, settings=problem.fix == SETTINGS)
            return
        finally:
            self._asking.pop(interview_id, None)
            self.clear_retry_notice(interview_id)
        if interview_id == self.current_id:
            self.chat.finish(answer)

    # --- export ------------------------------------------------------------------------------
    def export(self, fmt: str, path: str) -> asyncio.Task[None] | None:
        if self.current_id is None:
            return None
        return self._tasks.spawn(self._export(self.current_id, fmt, path), key="export")

    async def _export(self, interview_id: str, fmt: str, path: str) -> None:
        try:
            export = await self.services.export(interview_id, fmt)
            await in_thread(Path(path).write_text, export.text, encoding="utf-8")
        except Exception as exc:
            log.warning("Export to %s failed", path, exc_info=exc)
            if interview_id == self.current_id:
                self.banner.show_problem(f"The transcript was not exported. {explain(exc, 'The database').text}")
            return
        if interview_id == self.current_id:
            self.banner.show_info(f"Transcript exported to {path}")
