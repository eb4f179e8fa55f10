"""The rejected rows of an import: a table model, a filter by reason, and export to CSV."""
from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QRegularExpression, QSortFilterProxyModel, Qt
from PySide6.QtWidgets import (
    QComboBox,
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from insighta_desktop.ingest.rejects import Reject, write_rejects_csv
from insighta_desktop.ingest.summary import REASONS
from insighta_desktop.ui.shared.table_model import Column, RecordTableModel, configure_table

REJECT_COLUMNS = [
    Column("Line", lambda r: r.line_number, True, "{:,}".format),
    Column("Reason", lambda r: r.reason),
    Column("Detail", lambda r: r.detail),
    Column("Raw text", lambda r: r.raw_line[:300]),
]
ALL_REASONS = "All reasons"


class ReasonFilter(QSortFilterProxyModel):
    """Rows of one reason (the Reason column matched exactly), or all rows."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.reason: str | None = None
        self.setFilterKeyColumn(1)

    def set_reason(self, reason: str | None) -> None:
        self.reason = reason
        pattern = "" if reason is None else f"^{QRegularExpression.escape(reason)}$"
        self.setFilterRegularExpression(pattern)

    def visible_rows(self) -> list[Reject]:
        source = self.sourceModel()
        assert isinstance(source, RecordTableModel)
        return [source.row_at(self.mapToSource(self.index(i, 0)).row()) for i in range(self.rowCount())]


class RejectsPanel(QWidget):
    """Rejected rows of one run; the reason filter lists only reasons that occur."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.model = RecordTableModel(REJECT_COLUMNS, self)
        self.proxy = ReasonFilter(self)
        self.proxy.setSourceModel(self.model)
        self.table = QTableView()
        self.table.setModel(self.proxy)
        configure_table(self.table, 3)
        self.title = QLabel("<b>Rejected rows</b>")
        self.reason_box = QComboBox()
        self.reason_box.addItem(ALL_REASONS)
        self.reason_box.currentTextChanged.connect(self._reason_changed)
        self.export_button = QPushButton("Export CSV…")
        self.export_button.clicked.connect(self._choose_export_path)
        self.export_button.setEnabled(False)
        bar = QHBoxLayout()
        bar.addWidget(self.title)
        bar.addStretch(1)
        bar.addWidget(QLabel("Show:"))
        bar.addWidget(self.reason_box)
        bar.addWidget(self.export_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(bar)
        layout.addWidget(self.table, 1)

    def set_rejects(self, rejects: list[Reject], title: str = "Rejected rows") -> None:
        self.model.set_rows(rejects)
        counts = {reason: 0 for reason in REASONS}
        for reject in rejects:
            counts[reject.reason] = counts.get(reject.reason, 0) + 1
        self.reason_box.blockSignals(True)
        self.reason_box.clear()
        self.reason_box.addItem(ALL_REASONS)
        for reason, count in counts.items():
            if count:
                self.reason_box.addItem(reason, reason)
                self.reason_box.setItemData(self.reason_box.count() - 1, f"{count:,} rows", Qt.ItemDataRole.ToolTipRole)
        self.reason_box.blockSignals(False)
        self.proxy.set_reason(None)
        self.title.setText(f"<b>{title}</b> ({len(rejects):,})")
        self.export_button.setEnabled(bool(rejects))

    def filter_reason(self, reason: str | None) -> None:
        """Show one reason's rows (the box offers only reasons that occur; any reason can be asked for)."""
        self.reason_box.setCurrentText(reason or ALL_REASONS)
        self.proxy.set_reason(reason)

    def _reason_changed(self, text: str) -> None:
        self.proxy.set_reason(None if text in ("", ALL_REASONS) else text)

    @property
    def visible_count(self) -> int:
        return self.proxy.rowCount()

    def export(self, path: Path) -> int:
        """Write the rows now shown (after the filter) to a CSV file; formulas are neutralised."""
        return write_rejects_csv(path, self.proxy.visible_rows())

    def _choose_export_path(self) -> None:
        name, _ = QFileDialog.getSaveFileName(self, "Export rejected rows", "rejected-rows.csv", "CSV files (*.csv)")
        if name:
            self.export(Path(name))
