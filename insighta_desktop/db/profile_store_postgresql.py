"""The profile store on PostgreSQL: reads without BEGIN/ROLLBACK, the data version on a kept connection, the
planner's estimate for large totals, and import batches that add their own counts in commit order."""
from __future__ import annotations

import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import Any, ClassVar

import psycopg
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.pool import PoolProxiedConnection

from insighta_desktop.db import search_sql
from insighta_desktop.db.bulk_insert import LoadResult
from insighta_desktop.db.engine import psycopg_connection
from insighta_desktop.db.name_index import add_name_words
from insighta_desktop.db.profile_counts import add_profile_counts, count_inserts_in_caller
from insighta_desktop.db.profile_store import (
    ESTIMATE,
    EXACT,
    PageTotal,
    ProfileStore,
    StatementRunner,
    _connection_broken,
    plan_json,
)
from insighta_desktop.db.search_sql import Statement
from insighta_desktop.profiles.filters import ProfileFilters


class PostgresProfileStore(ProfileStore):
    backend: ClassVar[str] = "postgresql"
    # Two batches at once on two connections, so the server's index work uses both cores; each commits after the
    # one before it (ingest/writer.py).
    parallel_writers: ClassVar[int] = 2

    def __init__(self, engine: Engine) -> None:
        super().__init__(engine)
        self._version_lock = threading.Lock()
        self._version_conn: PoolProxiedConnection | None = None

    def close(self) -> None:
        super().close()
        with self._version_lock:
            self._release_version_connection(invalidate=False)

    def connect(self) -> Connection:
        # Reads only: no BEGIN/ROLLBACK round trips around them.
        return self.engine.connect().execution_options(isolation_level="AUTOCOMMIT")

    def data_version(self) -> int:
        """The version the watcher was pushed (no round trip), else one round trip on a kept autocommit connection:
        a cache hit needs no pool checkout."""
        pushed = self.pushed_version()
        if pushed is not None:
            return pushed
        with self._version_lock:
            for attempt in (1, 2):
                try:
                    if self._version_conn is None:
                        fairy = self.engine.raw_connection()
                        psycopg_connection(fairy).autocommit = True
                        self._version_conn = fairy
                    row = psycopg_connection(self._version_conn).execute(search_sql.DATA_VERSION_SQL).fetchone()
                    assert row is not None  # an aggregate: always one row
                    return int(row[0] or 0)
                except Exception:
                    self._release_version_connection(invalidate=True)
                    if attempt == 2:
                        raise
        raise AssertionError("unreachable")

    def _release_version_connection(self, *, invalidate: bool) -> None:
        fairy, self._version_conn = self._version_conn, None
        if fairy is None:
            return
        try:
            if invalidate:
                fairy.invalidate()
            else:
                psycopg_connection(fairy).autocommit = False
                fairy.close()
        except Exception:  # a broken connection is dropped either way
            pass

    @contextmanager
    def reading(self) -> Iterator[StatementRunner]:
        """A runner on one autocommit connection, straight on the driver; `run.many` pipelines statements."""
        with self.connect() as conn:
            runner = _PipelineRunner(psycopg_connection(conn))
            try:
                yield runner
            except BaseException:
                if _connection_broken(conn):
                    conn.invalidate()
                raise

    def page_total_statements(self, filters: ProfileFilters, limit: int, *, cap: int,
                              after: tuple[object, object] | None = None) -> list[Statement] | None:
        if filters.name:
            return None  # a name's total is counted (the planner cannot estimate it): page(), then total()
        statements = [search_sql.page_total_statement(filters, limit + 1, cap=cap, after=after)]
        if not search_sql.counts_cover(filters):
            # The planner's estimate, in the same round trip, for when the count would pass the cap (planning only).
            statements.append(search_sql.estimate_statement(self.backend, filters))
        return statements

    def page_total(self, results: Sequence[Sequence[Any]], filters: ProfileFilters, limit: int, *,
                   cap: int, first: bool) -> PageTotal:
        combined = results[0]
        bound = int(combined[0][0] or 0) if combined else 0
        counted = combined[0][1] if combined else None
        rows = [row[2:] for row in combined if row[2] is not None]
        more = len(rows) > limit
        rows = rows[:limit]
        if first and not more:
            return PageTotal(rows, more, len(rows), EXACT)
        if search_sql.counts_cover(filters) or bound == 0:
            return PageTotal(rows, more, bound, EXACT)
        if bound <= cap and counted is not None:
            return PageTotal(rows, more, int(counted), EXACT)
        estimate = int(plan_json(results[1][0][0])[0]["Plan"]["Plan Rows"])
        return PageTotal(rows, more, max(1, min(estimate, bound)), ESTIMATE)

    def _large_total(self, run: StatementRunner, filters: ProfileFilters, cap: int, bound: int) -> tuple[int, str]:
        if filters.name:  # the planner cannot estimate a name's matches: count them, up to the cap
            return super()._large_total(run, filters, cap, bound)
        plan = plan_json(run(search_sql.estimate_statement(self.backend, filters))[0][0])
        estimate = int(plan[0]["Plan"]["Plan Rows"])
        return max(1, min(estimate, bound)), ESTIMATE

    def _begin_write(self, conn: Connection) -> None:
        count_inserts_in_caller(conn)

    def _add_counts(self, conn: Connection, loaded: LoadResult) -> None:
        with psycopg_connection(conn).pipeline():  # both statements in one round trip
            add_profile_counts(conn, loaded.counts)
            add_name_words(conn, loaded.words)


class _PipelineRunner:
    """Runs Statements on a psycopg connection; `many` sends them all before reading any answer (pipeline mode):
    one round trip for the lot."""

    def __init__(self, conn: psycopg.Connection[Any]) -> None:
        self.conn = conn

    def __call__(self, statement: Statement) -> Sequence[Any]:
        return self.conn.execute(statement.sql, statement.params).fetchall()

    def many(self, statements: Sequence[Statement]) -> list[Sequence[Any]]:
        if len(statements) == 1:
            return [self(statements[0])]
        with self.conn.pipeline():
            cursors = [self.conn.execute(st.sql, st.params) for st in statements]
        return [cursor.fetchall() for cursor in cursors]
