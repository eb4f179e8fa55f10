"""The profile store on SQLite: one writer at a time, row triggers keep the counts, and a planner that needs a hint."""
from __future__ import annotations

from typing import ClassVar

from insighta_desktop.db import search_sql
from insighta_desktop.db.profile_store import PageRows, ProfileStore, StatementRunner
from insighta_desktop.profiles.filters import ProfileFilters


class SqliteProfileStore(ProfileStore):
    backend: ClassVar[str] = "sqlite"
    parallel_writers: ClassVar[int] = 1

    def page(self, run: StatementRunner, filters: ProfileFilters, limit: int, *, offset: int = 0,
             after: tuple[object, object] | None = None) -> PageRows:
        # SQLite's planner prefers the filter's index plus a sort even when most rows match; the exact match count
        # says when walking the sort order's index finds the page sooner.
        bound = self.counts_total(run, filters)
        stored = int(run(search_sql.Statement(self.backend, search_sql.ROW_ESTIMATE_SQL))[0][0] or 0)
        hint = search_sql.sqlite_sort_index(filters, bound, stored, offset + limit + 1)
        rows = run(search_sql.page_statement(self.backend, filters, limit + 1, offset=offset, after=after,
                                             index_hint=hint))
        return PageRows(rows[:limit], len(rows) > limit, bound)
