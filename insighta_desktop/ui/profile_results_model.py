"""The search results as a lazily growing table: the view asks for more rows as it scrolls (keyset cursor), and a
click on a sortable header asks the tab for a new server-side search."""
from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QAbstractTableModel, QModelIndex, Qt

from insighta_desktop.profiles.model import Profile
from insighta_desktop.profiles.search import SearchResult
from insighta_desktop.ui.table_model import Column


def _probability(value) -> str:
    return "" if value is None else f"{value:.2f}"


PROFILE_COLUMNS = [
    Column("Name", lambda p: p.name),
    Column("Gender", lambda p: p.gender),
    Column("Gender p", lambda p: p.gender_probability, True, _probability),
    Column("Age", lambda p: p.age, True),
    Column("Age group", lambda p: p.age_group),
    Column("Country", lambda p: f"{p.country_name} ({p.country_id})"),
    Column("Country p", lambda p: p.country_probability, True, _probability),
    Column("Created", lambda p: p.created_at.strftime("%Y-%m-%d %H:%M")),
]
# Column index -> sort_by for the headers the server can sort by.
SORTABLE_COLUMNS = {0: "name", 2: "gender_probability", 3: "age", 7: "created_at"}


class ProfileResultsModel(QAbstractTableModel):
    """Rows of the current search. `fetch_more(cursor)` is called (once at a time) when the view wants more."""

    def __init__(self, fetch_more: Callable[[str], None] | None = None, parent=None):
        super().__init__(parent)
        self._columns = PROFILE_COLUMNS
        self._rows: list[Profile] = []
        self._cursor: str | None = None
        self._fetching = False
        self._fetch_more = fetch_more
        self.result: SearchResult | None = None

    # -- updates from the tab --------------------------------------------------------------------------------------
    def reset(self, result: SearchResult | None) -> None:
        self.beginResetModel()
        self.result = result
        self._rows = list(result.rows) if result else []
        self._cursor = result.next_cursor if result else None
        self._fetching = False
        self.endResetModel()

    def append(self, result: SearchResult) -> None:
        self._fetching = False
        self._cursor = result.next_cursor
        if result.rows:
            start = len(self._rows)
            self.beginInsertRows(QModelIndex(), start, start + len(result.rows) - 1)
            self._rows.extend(result.rows)
            self.endInsertRows()

    def fetch_failed(self) -> None:
        self._fetching = False

    @property
    def rows(self) -> list[Profile]:
        return self._rows

    def row_at(self, row: int) -> Profile:
        return self._rows[row]

    # -- Qt model API ------------------------------------------------------------------------------------------------
    def canFetchMore(self, parent=QModelIndex()) -> bool:  # noqa: N802
        return not parent.isValid() and self._cursor is not None and not self._fetching and self._fetch_more is not None

    def fetchMore(self, parent=QModelIndex()) -> None:  # noqa: N802
        if self.canFetchMore(parent):
            self._fetching = True
            self._fetch_more(self._cursor)

    def rowCount(self, parent=QModelIndex()) -> int:  # noqa: N802
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent=QModelIndex()) -> int:  # noqa: N802
        return 0 if parent.isValid() else len(self._columns)

    def data(self, index, role=Qt.ItemDataRole.DisplayRole):
        if not index.isValid():
            return None
        column = self._columns[index.column()]
        if role == Qt.ItemDataRole.DisplayRole:
            return column.format(column.value(self._rows[index.row()]))
        if role == Qt.ItemDataRole.TextAlignmentRole and column.align_right:
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        return None

    def headerData(self, section, orientation, role=Qt.ItemDataRole.DisplayRole):  # noqa: N802
        if orientation != Qt.Orientation.Horizontal:
            return None
        if role == Qt.ItemDataRole.DisplayRole:
            return self._columns[section].title
        if role == Qt.ItemDataRole.ToolTipRole:
            return "Click to sort (on the server)" if section in SORTABLE_COLUMNS else "Not sortable"
        return None
