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


class ProfileResultsModel(RecordTableModel):
    """Rows of the current search. `fetch_more(cursor)` is called (once at a time) when the view wants more."""

    def __init__(self, fetch_more: Callable[[str], None] | None = None, parent: QObject | None = None) -> None:
        super().__init__(PROFILE_COLUMNS, parent)
        self._cursor: str | None = None
        self._fetching = False
        self._fetch_more = fetch_more
        self.result: SearchResult | None = None

    # -- updates from the tab --------------------------------------------------------------------------------------
    def reset(self, result: SearchResult | None) -> None:
        self.result = result
        self._cursor = result.next_cursor if result else None
        self._fetching = False
        self.set_rows(result.rows if result else [])

    def append(self, result: SearchResult) -> None:
        self._fetching = False
        self._cursor = result.next_cursor
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

    def headerData(self, section: int, orientation: Qt.Orientation,  # noqa: N802
                   role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.ToolTipRole:
            return "Click to sort (on the server)" if section in SORTABLE_COLUMNS else "Not sortable"
        return super().headerData(section, orientation, role)


def configure_results_table(table: QTableView) -> None:
    """Compact rows; sortable headers; fixed readable widths for Name and Country (the columns whose values vary
    most in length) rather than whatever their longest value asks, so Country stays in view at the default size."""
    configure_table(table, 0)
    header = table.horizontalHeader()
    for column, width in ((0, 175), (3, 150)):
        header.setSectionResizeMode(column, QHeaderView.ResizeMode.Interactive)
        table.setColumnWidth(column, width)
    header.setStretchLastSection(True)
    header.setSectionsClickable(True)
    header.setSortIndicatorShown(True)
