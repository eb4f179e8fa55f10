"""Export every profile matching a search to CSV, streamed a batch at a time by keyset (no OFFSET, no big list)."""
from __future__ import annotations

import csv
from collections.abc import Callable
from typing import TextIO

from insighta_desktop.db.profile_rows import PROFILE_FIELDS
from insighta_desktop.profiles.filters import ProfileFilters
from insighta_desktop.profiles.search import ProfileSearch, profile_to_dict

EXPORT_COLUMNS = PROFILE_FIELDS
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
    for profiles in search.store.export_pages(filters, batch_size):
        if should_cancel is not None and should_cancel():
            raise ExportCancelled(written)
        for profile in profiles:
            record = profile_to_dict(profile)
            writer.writerow([neutralise(record[column]) for column in EXPORT_COLUMNS])
        written += len(profiles)
        if progress is not None:
            progress(written)
    return written
