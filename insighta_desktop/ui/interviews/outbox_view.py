"""The email outbox: every email with its status, attempts and last error; Retry and Cancel for unsent ones.

A non-modal window over the outbox service (whatever the tab's services are at the moment, so a key added in
Settings is used by the next Retry). Each action runs as a task; the table reloads when it finishes.
"""
from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QModelIndex, QPersistentModelIndex, Qt, Signal
from PySide6.QtWidgets import QDialog, QHBoxLayout, QHeaderView, QLabel, QPushButton, QTableView, QVBoxLayout, QWidget

from insighta_desktop.interviews.failures import SETTINGS, explain
from insighta_desktop.interviews.model import OutboxItem
from insighta_desktop.ui.interviews.problem_banner import ProblemBanner
from insighta_desktop.ui.shared.table_model import Column, RecordTableModel, configure_table
from insighta_desktop.ui.shared.tasks import TaskRunner

STATUS_LABELS = {"queued": "Queued", "sent": "Sent", "failed": "Failed", "canceled": "Cancelled"}
STATUS_COLOURS = {"sent": "#1b7a4b", "failed": "#b00020", "queued": "#7a5b00", "canceled": "#667"}


def _when(item: OutboxItem) -> str:
    moment = item.sent_at or item.updated_at or item.created_at
    return moment.astimezone().strftime("%Y-%m-%d %H:%M") if moment else ""


OUTBOX_COLUMNS = [
    Column("Status", lambda i: STATUS_LABELS.get(i.status, i.status)),
    Column("To", lambda i: i.to_address),
    Column("Subject", lambda i: i.subject),
    Column("Attempts", lambda i: i.attempts, align_right=True),
    Column("Last change", _when),
    Column("Last error", lambda i: i.last_error or ""),
]


class OutboxTableModel(RecordTableModel):
    """Outbox rows, newest first, with the status coloured and the full error as a tooltip."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(OUTBOX_COLUMNS, parent)

    def data(self, index: QModelIndex | QPersistentModelIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if index.isValid() and role == Qt.ItemDataRole.ForegroundRole and index.column() == 0:
            from PySide6.QtGui import QColor

            return QColor(STATUS_COLOURS.get(self.row_at(index.row()).status, "#222"))
        if index.isValid() and role == Qt.ItemDataRole.ToolTipRole:
            item: OutboxItem = self.row_at(index.row())
            return item.last_error or item.subject
        return super().data(index, role)


class OutboxDialog(QDialog):
    settings_requested = Signal()
    changed = Signal()  # an item was sent or cancelled: the tab's footer count is stale

    def __init__(self, outbox: Callable[[], Any], tasks: TaskRunner, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Email outbox")
        self.resize(980, 420)
        self._outbox, self._tasks = outbox, tasks
        self.model = OutboxTableModel(self)
        self.table = QTableView()
        self.table.setModel(self.model)
        self.table.setSelectionMode(QTableView.SelectionMode.SingleSelection)
        configure_table(self.table, 5)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(2, QHeaderView.ResizeMode.Interactive)
        header.resizeSection(2, 300)
        self.table.selectionModel().currentRowChanged.connect(lambda *_: self._sync_buttons())
        self.banner = ProblemBanner()
        self.summary = QLabel("")
        self.summary.setStyleSheet("color:#667")
        self.retry_button = QPushButton("Retry now")
        self.retry_button.setToolTip("Send the selected email again (same Idempotency-Key: it cannot arrive twice)")
        self.cancel_button = QPushButton("Cancel email")
        self.cancel_button.setToolTip("Do not send the selected email")
        self.refresh_button = QPushButton("Refresh")
        close = QPushButton("Close")
        self.retry_button.clicked.connect(self.retry_selected)
        self.cancel_button.clicked.connect(self.cancel_selected)
        self.refresh_button.clicked.connect(self.refresh)
        close.clicked.connect(self.close)
        buttons = QHBoxLayout()
        buttons.addWidget(self.summary, 1)
        for button in (self.retry_button, self.cancel_button, self.refresh_button, close):
            buttons.addWidget(button)
        layout = QVBoxLayout(self)
        layout.addWidget(self.banner)
        layout.addWidget(self.table, 1)
        layout.addLayout(buttons)
        self._busy: set[str] = set()
        self._sync_buttons()

    # --- loading -----------------------------------------------------------------------------
    def refresh(self) -> Any:
        return self._tasks.spawn(self._load(), key="outbox-view")

    async def _load(self, select: str | None = None) -> None:
        selected = select or (self.selected.id if self.selected else None)
        try:
            items = await self._outbox().items()
        except Exception as exc:
            self.banner.show_problem(f"The outbox could not be loaded. {explain(exc, 'The database').text}")
            return
        self.model.set_rows(list(reversed(items)))  # the service lists them oldest first
        unsent = sum(1 for i in items if i.unsent)
        self.summary.setText("The outbox is empty." if not items else
                             f"{len(items)} email{'s' if len(items) != 1 else ''}, {unsent} unsent")
        row = next((r for r, i in enumerate(self.model.rows) if i.id == selected), 0 if items else -1)
        if row >= 0:
            self.table.selectRow(row)
        self._sync_buttons()

    @property
    def selected(self) -> OutboxItem | None:
        index = self.table.selectionModel().currentIndex()
        return self.model.row_at(index.row()) if index.isValid() and index.row() < self.model.rowCount() else None

    def _sync_buttons(self) -> None:
        item = self.selected
        can_act = item is not None and item.unsent and item.id not in self._busy
        self.retry_button.setEnabled(can_act)
        self.cancel_button.setEnabled(can_act)

    # --- actions -----------------------------------------------------------------------------
    def retry_selected(self) -> Any:
        item = self.selected
        if item is None or not item.unsent:
            return None
        self._busy.add(item.id)
        self._sync_buttons()
        self.banner.show_info(f"Sending the email to {item.to_address}…")
        return self._tasks.spawn(self._retry(item), key=f"outbox-retry-{item.id}")

    async def _retry(self, item: OutboxItem) -> None:
        failures: list[BaseException] = []
        try:
            result = await self._outbox().deliver(item.id, on_failure=failures.append)
        except Exception as exc:
            failures.append(exc)
            result = None
        finally:
            self._busy.discard(item.id)
        if result is not None and result.status == "sent":
            self.banner.show_info(f"Sent to {result.to_address}.")
        elif failures:
            problem = explain(failures[-1], "Resend")
            actions = [("Open Settings", self.settings_requested.emit)] if problem.fix == SETTINGS else []
            self.banner.show_problem(f"The email to {item.to_address} was not sent. {problem.text}", actions)
        else:
            self.banner.clear_problem()
        self.changed.emit()
        await self._load(select=item.id)

    def cancel_selected(self) -> Any:
        item = self.selected
        if item is None or not item.unsent:
            return None
        self._busy.add(item.id)
        self._sync_buttons()
        return self._tasks.spawn(self._cancel(item), key=f"outbox-cancel-{item.id}")

    async def _cancel(self, item: OutboxItem) -> None:
        try:
            result = await self._outbox().cancel(item.id)
        except Exception as exc:
            self.banner.show_problem(f"The email to {item.to_address} was not cancelled. "
                                     f"{explain(exc, 'The database').text}")
        else:
            self.banner.show_info(f"Cancelled: the email to {result.to_address} will not be sent.")
        finally:
            self._busy.discard(item.id)
        self.changed.emit()
        await self._load(select=item.id)
