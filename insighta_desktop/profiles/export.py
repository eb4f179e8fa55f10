"""Export every profile matching a search to CSV, streamed a batch at a time by keyset (no OFFSET, no big list)."""
from __future__ import annotations

import csv
from collections.abc import Callable
from typing import TextIO

from insighta_desktop.profiles import search_sql
from insighta_desktop.profiles.filters import ProfileFilters
from insighta_desktop.profiles.search import ProfileSearch, _row_to_profile, profile_to_dict

EXPORT_COLUMNS = ("id", "name", "gender", "gender_probability", "age", "age_group", "country_id", "country_name",
                  "country_probability", "created_at")
# A cell starting with one of these is run as a formula by spreadsheet programs (CSV/formula injection).
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r", "\n")


class ExportCancelled(Exception):
    def __init__(self, written: int) -> None:
        super().__init__(f"export cancelled after {written:,} rows")
        self.written = written


def neutralise(value: object) -> object:
    """Text a spreadsheet would evaluate gets a leading apostrophe; numbers and plain text pass unchanged."""
    if isinstance(value, str) and value.startswith(_FORMULA_STARTS):
        return "'" + value
    return value


def export_csv(
    search: ProfileSearch,
    filters: ProfileFilters,
    out: TextIO,
    *,
    batch_size: int = 5_000,
    should_cancel: Callable[[], bool] | None = None,
    progress: Callable[[int], None] | None = None,
) -> int:
    """Write a header and every matching row in the filters' sort order; returns the rows written."""
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(EXPORT_COLUMNS)
    written = 0
    after: tuple[object, object] | None = None
    _, sort_index = search_sql.SORT_EXPRESSIONS[filters.sort_by]
    with search.engine.connect() as conn:
        while True:
            if should_cancel is not None and should_cancel():
                raise ExportCancelled(written)
            stmt = search_sql.page_statement(search.dialect, filters, batch_size, after=after)
            rows = conn.exec_driver_sql(stmt.sql, stmt.params).all()
            for raw in rows:
                record = profile_to_dict(_row_to_profile(raw))
                writer.writerow([neutralise(record[column]) for column in EXPORT_COLUMNS])
            written += len(rows)
            if progress is not None:
                progress(written)
            if len(rows) < batch_size:
                return written
            last = rows[-1]
            sort_value = last[sort_index]
            if sort_value is None and filters.sort_by == "gender_probability":
                sort_value = -1.0
            after = (sort_value, last[0])
