"""The profile store on SQLite: one writer at a time, row triggers keep the counts, and a planner that needs a hint."""
from __future__ import annotations

import time
from dataclasses import replace
from typing import ClassVar

from sqlalchemy.exc import OperationalError

from insighta_desktop.db import search_sql
from insighta_desktop.db.profile_store import PageRows, ProfileStore, StatementRunner
from insighta_desktop.profiles.filters import ProfileFilters
from insighta_desktop.profiles.model import Profile

_LOCKED_ATTEMPTS = 5


class SqliteProfileStore(ProfileStore):
    backend: ClassVar[str] = "sqlite"
    parallel_writers: ClassVar[int] = 1

    def page(self, run: StatementRunner, filters: ProfileFilters, limit: int, *, offset: int = 0,
             after: tuple[object, object] | None = None) -> PageRows:
        # SQLite's planner prefers the filter's index plus a sort even when most rows match; the exact match count
        # says when walking the sort order's index finds the page sooner.
        # A name decides the index without them (its total needs the gender/age/country count only with those).
        if filters.name:
            named_only = not replace(filters, name=None, name_ids=None).has_conditions
            bound = None if named_only else self.counts_total(run, filters)
            hint = search_sql.sqlite_sort_index(filters, 0, 0, offset + limit + 1)
        else:
            bound = self.counts_total(run, filters)
            stored = int(run(search_sql.Statement(self.backend, search_sql.ROW_ESTIMATE_SQL))[0][0] or 0)
            hint = search_sql.sqlite_sort_index(filters, bound, stored, offset + limit + 1)
        rows = run(search_sql.page_statement(self.backend, filters, limit + 1, offset=offset, after=after,
                                             index_hint=hint))
        return PageRows(rows[:limit], len(rows) > limit, bound)

    def insert_one(self, profile: Profile, name_key: str) -> tuple[Profile, bool]:
        # Several names are stored at once (five at a time). An insert whose triggers also write the name word
        # tables and their FTS5 index can meet another writer's commit with a stale snapshot; SQLite then answers
        # "database is locked" at once instead of waiting (SQLITE_BUSY_SNAPSHOT). The insert is one transaction
        # that wrote nothing: try it again.
        for attempt in range(1, _LOCKED_ATTEMPTS + 1):
            try:
                return super().insert_one(profile, name_key)
            except OperationalError as exc:
                if "database is locked" not in str(exc) or attempt == _LOCKED_ATTEMPTS:
                    raise
                time.sleep(0.02 * attempt)
        raise AssertionError("unreachable")
