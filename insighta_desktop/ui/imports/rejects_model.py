"""The rejected rows as an editable table: Line, Problem (in words), then one column per profile field the file has.
The cell at fault is highlighted and carries the problem as its tooltip; an edit checks the row again at once."""
from __future__ import annotations

from typing import Any

from PySide6.QtCore import (
    QAbstractTableModel,
    QModelIndex,
    QPersistentModelIndex,
    QRegularExpression,
    QSortFilterProxyModel,
    Qt,
    Signal,
)
from PySide6.QtGui import QBrush, QColor

from insighta_desktop.ingest.fixed_rows import EditableReject, with_value
from insighta_desktop.ingest.rejects import Reject

Index = QModelIndex | QPersistentModelIndex
FAULT = QBrush(QColor("#fbd5d5"))
FIXED = QBrush(QColor("#d7f0d7"))
FAULT_TEXT = QBrush(QColor("#8a1c1c"))
FIXED_TEXT = QBrush(QColor("#1b6b1b"))
FIRST_FIELD_COLUMN = 2
NO_PARENT = QModelIndex()
MAX_SHOWN_CHARS = 300


class EditableRejectsModel(QAbstractTableModel):
    """Rows of one run; `fixed_count_changed` tells how many are now edited into validity."""

    fixed_count_changed = Signal(int)

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self.rows: list[EditableReject] = []
        self.fields: tuple[str, ...] = ()
        self.fixed_count = 0

    def set_rows(self, rows: list[EditableReject], fields: tuple[str, ...]) -> None:
        self.beginResetModel()
        self.rows, self.fields = rows, fields
        self.endResetModel()
        self._count_fixed()

    def row_at(self, row: int) -> EditableReject:
        return self.rows[row]

    def rejects(self) -> list[Reject]:
        return [row.reject for row in self.rows]

    def rowCount(self, parent: Index = NO_PARENT) -> int:  # noqa: N802
        return 0 if parent.isValid() else len(self.rows)

    def columnCount(self, parent: Index = NO_PARENT) -> int:  # noqa: N802
        return 0 if parent.isValid() else FIRST_FIELD_COLUMN + len(self.fields)

    def headerData(self, section: int, orientation: Qt.Orientation,  # noqa: N802
                   role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if orientation != Qt.Orientation.Horizontal or role != Qt.ItemDataRole.DisplayRole:
            return None
        if section == 0:
            return "Line"
        if section == 1:
            return "Problem"
        return self.fields[section - FIRST_FIELD_COLUMN]

    def flags(self, index: Index) -> Qt.ItemFlag:
        base = Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable
        return base | Qt.ItemFlag.ItemIsEditable if index.column() >= FIRST_FIELD_COLUMN else base

    def field_of(self, column: int) -> str | None:
        return self.fields[column - FIRST_FIELD_COLUMN] if column >= FIRST_FIELD_COLUMN else None

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        row = self.rows[index.row()]
        column = index.column()
        field = self.field_of(column)
        at_fault = not row.check.ok and field is not None and field == row.check.field
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.EditRole):
            if column == 0:
                return f"{row.reject.line_number:,}" if role == Qt.ItemDataRole.DisplayRole else row.reject.line_number
            if column == 1:
                return "fixed — ready to import" if row.fixed else row.check.words
            text = row.values[column - FIRST_FIELD_COLUMN]
            return text[:MAX_SHOWN_CHARS] if role == Qt.ItemDataRole.DisplayRole else text
        if role == Qt.ItemDataRole.BackgroundRole:
            if row.fixed and column >= 1:
                return FIXED
            return FAULT if at_fault or (column == 1 and not row.check.ok) else None
        if role == Qt.ItemDataRole.ForegroundRole and column == 1:
            return FIXED_TEXT if row.fixed else FAULT_TEXT
        if role == Qt.ItemDataRole.ToolTipRole:
            if at_fault or column == 1:
                return row.check.words if not row.fixed else "Fixed: imported by Import fixed rows"
            return None
        if role == Qt.ItemDataRole.TextAlignmentRole and column == 0:
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        return None

    def setData(self, index: Index, value: Any, role: int = Qt.ItemDataRole.EditRole) -> bool:  # noqa: N802
        field = self.field_of(index.column())
        if not index.isValid() or role != Qt.ItemDataRole.EditRole or field is None:
            return False
        row = self.rows[index.row()]
        changed = with_value(row, self.fields, field, "" if value is None else str(value))
        if changed is row:
            return False
        self.rows[index.row()] = changed
        self.dataChanged.emit(self.index(index.row(), 0), self.index(index.row(), self.columnCount() - 1))
        self._count_fixed()
        return True

    def _count_fixed(self) -> None:
        count = sum(1 for row in self.rows if row.fixed)
        if count != self.fixed_count:
            self.fixed_count = count
            self.fixed_count_changed.emit(count)


class ReasonFilter(QSortFilterProxyModel):
    """Rows of one reason (by the reason's code, whatever the Problem column says now), or all rows."""

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self.reason: str | None = None

    def set_reason(self, reason: str | None) -> None:
        self.reason = reason
        self.setFilterRegularExpression(QRegularExpression(reason or ""))  # invalidates the filter

    def filterAcceptsRow(self, source_row: int, source_parent: Index) -> bool:  # noqa: N802
        if self.reason is None:
            return True
        source = self.sourceModel()
        assert isinstance(source, EditableRejectsModel)
        return source.row_at(source_row).reject.reason == self.reason

    def visible_rows(self) -> list[Reject]:
        source = self.sourceModel()
        assert isinstance(source, EditableRejectsModel)
        return [source.row_at(self.mapToSource(self.index(i, 0)).row()).reject for i in range(self.rowCount())]
