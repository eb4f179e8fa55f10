"""The results table's model: each row's cells formatted when the view first asks for them (rows below the fold of a
new result are not formatted before they are shown), the same texts for the first page and for a page fetched on."""
from __future__ import annotations

from datetime import UTC, datetime

from PySide6.QtCore import Qt

from insighta_desktop.profiles.filters import build_filters
from insighta_desktop.profiles.model import Profile
from insighta_desktop.profiles.search import SearchResult
from insighta_desktop.ui.profiles.results_model import ProfileResultsModel


def page(start: int, count: int, cursor: str | None) -> SearchResult:
    rows = tuple(Profile(id=f"id-{i}", name=f"Name {i}", gender="female", gender_probability=0.875 if i % 2 else None,
                         age=20 + i, age_group="adult", country_id="NG", country_name="Nigeria",
                         country_probability=0.5, created_at=datetime(2026, 3, 1, 9, i % 60, tzinfo=UTC))
                 for i in range(start, start + count))
    return SearchResult(rows=rows, total=1000, total_kind="exact", page=1, limit=count, filters=build_filters(),
                        next_cursor=cursor, elapsed_ms=1.0)


def texts(model: ProfileResultsModel, row: int) -> list[str]:
    return [model.index(row, column).data() for column in range(model.columnCount())]


def test_cells_are_formatted_when_asked_for_in_every_page(qtbot):
    asked: list[str] = []
    model = ProfileResultsModel(asked.append)
    model.reset(page(0, 100, "next"))
    assert model.rowCount() == 100
    assert texts(model, 99) == ["Name 99", "female", "119", "Nigeria (NG)", "adult", "0.88", "0.50",
                                "2026-03-01 09:39"]
    assert texts(model, 0)[5] == ""  # no gender probability
    assert model.index(0, 2).data(Qt.ItemDataRole.TextAlignmentRole) is not None  # numbers to the right
    assert model.index(0, 0).data(Qt.ItemDataRole.TextAlignmentRole) is None
    assert model.canFetchMore()
    model.fetchMore()
    assert asked == ["next"]
    model.append(page(100, 50, None))
    assert model.rowCount() == 150 and texts(model, 149)[:3] == ["Name 149", "female", "169"]
    assert not model.canFetchMore()
    model.reset(page(500, 3, None))  # a new result: none of the old texts
    assert [texts(model, row)[0] for row in range(3)] == ["Name 500", "Name 501", "Name 502"]
    assert model.index(3, 0).data() is None
