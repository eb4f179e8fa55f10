"""Import tab: the drop zone and the history of past imports."""
from __future__ import annotations

from pathlib import Path

from PySide6.QtWidgets import QLabel, QTableView, QVBoxLayout, QWidget

from insighta_desktop.context import AppContext
from insighta_desktop.ingest.history import list_import_runs
from insighta_desktop.ui.drop_zone import DropZone
from insighta_desktop.ui.table_model import Column, RecordTableModel, configure_table
from insighta_desktop.ui.tasks import TaskRunner, in_thread

HISTORY_COLUMNS = [
    Column("Started", lambda r: r.started_at.strftime("%Y-%m-%d %H:%M")),
    Column("File", lambda r: r.file_name),
    Column("Status", lambda r: r.status),
    Column("Rows", lambda r: r.total_rows, True, "{:,}".format),
    Column("Inserted", lambda r: r.inserted, True, "{:,}".format),
    Column("Skipped", lambda r: r.skipped, True, "{:,}".format),
]


class ImportTab(QWidget):
    def __init__(self, ctx: AppContext, tasks: TaskRunner, parent=None):
        super().__init__(parent)
        self._ctx, self._tasks = ctx, tasks
        self.setAcceptDrops(True)
        self.drop_zone = DropZone()
        self.drop_zone.file_chosen.connect(self.choose_file)
        self.drop_zone.refused.connect(self.show_message)
        self.message = QLabel(f"Imports go into {ctx.database_label}.")
        self.message.setWordWrap(True)
        self.history_model = RecordTableModel(HISTORY_COLUMNS, self)
        self.history = QTableView()
        self.history.setModel(self.history_model)
        configure_table(self.history, 1)
        layout = QVBoxLayout(self)
        layout.addWidget(self.drop_zone)
        layout.addWidget(self.message)
        layout.addWidget(QLabel("<b>Past imports</b>"))
        layout.addWidget(self.history, 1)
        self.chosen_file: Path | None = None

    # Drops anywhere on the tab go to the drop zone.
    def dragEnterEvent(self, event) -> None:  # noqa: N802
        self.drop_zone.dragEnterEvent(event)

    def dropEvent(self, event) -> None:  # noqa: N802
        self.drop_zone.dropEvent(event)

    def choose_file(self, path: Path) -> None:
        self.chosen_file = path
        self.show_message(f"Selected {path.name} ({path.stat().st_size:,} bytes) for {self._ctx.database_label}.")

    def show_message(self, text: str) -> None:
        self.message.setText(text)

    def refresh(self):
        return self._tasks.spawn(self._load_history(), key="import-history")

    async def _load_history(self) -> None:
        self.history_model.set_rows(await in_thread(list_import_runs, self._ctx.engine))
