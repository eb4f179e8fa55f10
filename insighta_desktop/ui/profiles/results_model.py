"""The search results as a lazily growing table: the view asks for more rows as it scrolls (keyset cursor), and a
click on a sortable header asks the tab for a new server-side search."""
from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QModelIndex, QObject, QPersistentModelIndex, Qt
from PySide6.QtWidgets import QHeaderView, QTableView

from insighta_desktop.profiles.search import SearchResult
from insighta_desktop.ui.shared.profile_columns import PROFILE_COLUMNS
from insighta_desktop.ui.shared.table_model import NO_PARENT, RecordTableModel, configure_table

# Column index -> sort_by for the headers the server can sort by.
SORTABLE_COLUMNS = {0: "name", 2: "age", 5: "gender_probability", 7: "created_at"}
# The widest value each fixed-format column can hold (Name and Country get fixed widths; Added, the last, stretches).
WIDEST_VALUES = {1: "female", 2: "100", 4: "teenager", 5: "0.99", 6: "0.99", 7: "2026-12-31 23:59"}
CELL_PADDING = 14  # the cell's margins and the grid line either side of the text
DISPLAY = int(Qt.ItemDataRole.DisplayRole)
ALIGNMENT = int(Qt.ItemDataRole.TextAlignmentRole)
RIGHT = int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)


class ProfileResultsModel(RecordTableModel):
    """Rows of the current search. `fetch_more(cursor)` is called (once at a time) when the view wants more."""

    def __init__(self, fetch_more: Callable[[str], None] | None = None, parent: QObject | None = None) -> None:
        super().__init__(PROFILE_COLUMNS, parent)
        self._cursor: str | None = None
        self._fetching = False
        self._fetch_more = fetch_more
        self.result: SearchResult | None = None
        # Each row's cell texts, formatted once, when the view first asks for the row (a paint asks for every
        # visible cell and role; the rows below the fold of a new result are not formatted until scrolled to).
        self._texts: list[tuple[str, ...] | None] = []
        self._alignment = [RIGHT if c.align_right else None for c in PROFILE_COLUMNS]

    # -- updates from the tab --------------------------------------------------------------------------------------
    def reset(self, result: SearchResult | None) -> None:
        self.result = result
        self._cursor = result.next_cursor if result else None
        self._fetching = False
        rows = result.rows if result else ()
        self._texts = [None] * len(rows)
        self.set_rows(rows)

    def append(self, result: SearchResult) -> None:
        self._fetching = False
        self._cursor = result.next_cursor
        self._texts.extend([None] * len(result.rows))
        self.append_rows(result.rows)

    def fetch_failed(self) -> None:
        self._fetching = False

    # -- Qt model API ------------------------------------------------------------------------------------------------
    def canFetchMore(self, parent: QModelIndex | QPersistentModelIndex = NO_PARENT) -> bool:  # noqa: N802
        return not parent.isValid() and self._cursor is not None and not self._fetching and self._fetch_more is not None

    def fetchMore(self, parent: QModelIndex | QPersistentModelIndex = NO_PARENT) -> None:  # noqa: N802
        fetch, cursor = self._fetch_more, self._cursor
        if fetch is not None and cursor is not None and self.canFetchMore(parent):
            self._fetching = True
            fetch(cursor)

    def data(self, index: QModelIndex | QPersistentModelIndex, role: int = DISPLAY) -> Any:
        if role == DISPLAY:
            row = index.row()
            if not 0 <= row < len(self._texts):
                return None
            texts = self._texts[row]
            if texts is None:
                texts = self._texts[row] = _texts(self.rows[row])
            return texts[index.column()]
        if role == ALIGNMENT:
            return self._alignment[index.column()] if index.isValid() else None
        return None

    def headerData(self, section: int, orientation: Qt.Orientation,  # noqa: N802
                   role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.ToolTipRole:
            return "Click to sort (on the server)" if section in SORTABLE_COLUMNS else "Not sortable"
        return super().headerData(section, orientation, role)


def _texts(profile: object) -> tuple[str, ...]:
    return tuple(c.format(c.value(profile)) for c in PROFILE_COLUMNS)


def configure_results_table(table: QTableView) -> None:
    """Compact rows; sortable headers; fixed readable widths for Name and Country (the columns whose values vary
    most in length) rather than whatever their longest value asks, so Country stays in view at the default size.

    The other columns hold values of a known format, so their widths are worked out once from the widest such value
    and the header, not measured over every row on every search: a column sized to its contents asks the model for
    every cell of every row at each new result and each relayout (thousands of Python calls on the GUI thread, which
    also hold up the next search's worker) before anything is painted."""
    configure_table(table, 0)
    header = table.horizontalHeader()
    header.setSectionsClickable(True)
    header.setSortIndicatorShown(True)
    for column, width in ((0, 175), (3, 150)):
        header.setSectionResizeMode(column, QHeaderView.ResizeMode.Interactive)
        table.setColumnWidth(column, width)
    metrics = table.fontMetrics()
    for column, widest in WIDEST_VALUES.items():
        header.setSectionResizeMode(column, QHeaderView.ResizeMode.Interactive)
        table.setColumnWidth(column, max(header.sectionSizeHint(column),
                                         metrics.horizontalAdvance(widest) + CELL_PADDING))
    header.setStretchLastSection(True)
