"""The rejected rows of an import: an editable table (the cell at fault highlighted with its reason in words), a
filter by reason with counts, export to CSV, and Import fixed rows (a new run linked to this one)."""
from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QFileDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from insighta_desktop.ingest.fixed_rows import EditableReject, reason_counts, reason_words
from insighta_desktop.ingest.rejects import write_rejects_csv
from insighta_desktop.ui.imports.rejects_model import EditableRejectsModel, ReasonFilter
from insighta_desktop.ui.shared.table_model import configure_table

ALL_REASONS = "All reasons"
PROBLEM_WIDTH = 250
HINT = "Double-click a cell to fix it; each edit is checked at once."

__all__ = ["ALL_REASONS", "ReasonFilter", "RejectsPanel"]


class RejectsPanel(QWidget):
    """Rejected rows of one run; the reason filter lists the reasons that occur, each with its count."""

    import_fixed_requested = Signal(int)  # the run whose fixed rows to import

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.run_id: int | None = None
        self.title_text = "Rejected rows"
        self.model = EditableRejectsModel(self)
        self.proxy = ReasonFilter(self)
        self.proxy.setSourceModel(self.model)
        self.table = QTableView()
        self.table.setModel(self.proxy)
        configure_table(self.table, 1)
        self.table.horizontalHeader().setStretchLastSection(True)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.DoubleClicked
                                   | QAbstractItemView.EditTrigger.EditKeyPressed
                                   | QAbstractItemView.EditTrigger.AnyKeyPressed)
        self.title = QLabel("<b>Rejected rows</b>")
        self.reason_box = QComboBox()
        self.reason_box.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)
        self.reason_box.addItem(ALL_REASONS, None)
        self.reason_box.currentIndexChanged.connect(self._reason_changed)
        self.export_button = QPushButton("Export CSV…")
        self.export_button.clicked.connect(self._choose_export_path)
        self.export_button.setEnabled(False)
        self.fix_button = QPushButton("Import fixed rows")
        self.fix_button.setToolTip("Import the rows you fixed as a new run, linked to this one; this run's counts "
                                   "stay as they are")
        self.fix_button.setEnabled(False)
        self.fix_button.clicked.connect(self._import_fixed)
        self.hint = QLabel(HINT)
        self.hint.setStyleSheet("color: #6b7385;")
        self.hint.setWordWrap(True)
        self.fix_button.setMinimumWidth(self.fix_button.fontMetrics().horizontalAdvance("Import fixed rows (00,000)")
                                        + 32)
        self.model.fixed_count_changed.connect(self._fixed_count_changed)
        bar = QHBoxLayout()
        bar.addWidget(self.title)
        bar.addStretch(1)
        bar.addWidget(QLabel("Show:"))
        bar.addWidget(self.reason_box)
        bar.addWidget(self.export_button)
        foot = QHBoxLayout()
        foot.addWidget(self.hint, 1)
        foot.addWidget(self.fix_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(bar)
        layout.addWidget(self.table, 1)
        layout.addLayout(foot)

    def set_rejects(self, rows: list[EditableReject], fields: tuple[str, ...], title: str = "Rejected rows",
                    run_id: int | None = None) -> None:
        self.run_id, self.title_text = run_id, title
        self.model.set_rows(rows, fields)
        self.reason_box.blockSignals(True)
        self.reason_box.clear()
        self.reason_box.addItem(f"{ALL_REASONS} ({len(rows):,})", None)
        for reason, count in reason_counts(row.reject for row in rows).items():
            self.reason_box.addItem(f"{reason_words(reason)} ({count:,})", reason)
        self.reason_box.blockSignals(False)
        self.proxy.set_reason(None)
        self.title.setText(f"<b>{title}</b> ({len(rows):,})")
        self.export_button.setEnabled(bool(rows))
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        if rows:
            header.setSectionResizeMode(1, QHeaderView.ResizeMode.Interactive)
            self.table.setColumnWidth(1, PROBLEM_WIDTH)

    def drop_fixed(self) -> None:
        """After their import: the fixed rows leave the table (the run's own rejects and counts are not changed)."""
        rows = [row for row in self.model.rows if not row.fixed]
        self.set_rejects(rows, self.model.fields, self.title_text, self.run_id)

    def reason_items(self) -> list[str]:
        return [self.reason_box.itemText(i) for i in range(self.reason_box.count())]

    def filter_reason(self, reason: str | None) -> None:
        """Show one reason's rows (the box offers only reasons that occur; any reason can be asked for)."""
        index = self.reason_box.findData(reason) if reason is not None else 0
        self.reason_box.blockSignals(True)
        self.reason_box.setCurrentIndex(max(index, 0))
        self.reason_box.blockSignals(False)
        self.proxy.set_reason(reason)

    def _reason_changed(self, index: int) -> None:
        reason = self.reason_box.itemData(index)
        self.proxy.set_reason(reason if isinstance(reason, str) else None)

    @property
    def visible_count(self) -> int:
        return self.proxy.rowCount()

    def export(self, path: Path) -> int:
        """Write the rows now shown (after the filter), as the import rejected them, to a CSV file (reason codes;
        formulas neutralised)."""
        return write_rejects_csv(path, self.proxy.visible_rows())

    def _choose_export_path(self) -> None:
        name, _ = QFileDialog.getSaveFileName(self, "Export rejected rows", "rejected-rows.csv", "CSV files (*.csv)")
        if name:
            self.export(Path(name))

    def _fixed_count_changed(self, count: int) -> None:
        self.fix_button.setEnabled(count > 0 and self.run_id is not None)
        self.fix_button.setText(f"Import fixed rows ({count:,})" if count else "Import fixed rows")

    def _import_fixed(self) -> None:
        if self.run_id is not None and self.model.fixed_count:
            self.import_fixed_requested.emit(self.run_id)
