"""The profile store on PostgreSQL: reads without BEGIN/ROLLBACK, the data version on a kept connection, the
planner's estimate for large totals, and import batches that add their own counts in commit order."""
from __future__ import annotations

import threading
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from typing import Any, ClassVar

import psycopg
from sqlalchemy.engine import Connection, Engine, RootTransaction
from sqlalchemy.pool import PoolProxiedConnection

from insighta_desktop.db import search_sql
from insighta_desktop.db.bulk_insert import Existing, LoadResult, ProfileBatch, load_profiles
from insighta_desktop.db.engine import psycopg_connection
from insighta_desktop.db.import_runs import check_claim, is_committed_earlier
from insighta_desktop.db.name_index import add_name_words
from insighta_desktop.db.profile_counts import COUNTS_BY_CALLER_SQL, add_profile_counts
from insighta_desktop.db.profile_store import (
    ESTIMATE,
    EXACT,
    BatchCommittedEarlier,
    PageTotal,
    ProfileStore,
    ProfileWrite,
    StatementRunner,
    _connection_broken,
    plan_json,
)
from insighta_desktop.db.search_sql import Statement
from insighta_desktop.profiles.filters import ProfileFilters

# What an import grows: the profiles, their counts and their names' words.
STATISTICS_TABLES = ("profiles", "profile_counts", "profile_name_words", "name_words")


class PostgresProfileWrite(ProfileWrite):
    """An import batch in three round trips: BEGIN, the transaction's setting, the existence lookup, the COPY's
    savepoint and the COPY's start together (1, db/copy_after.py); the COPY's rows (1), which the lookup's answer
    decides; the claim's check, the counts, the name words, the rejects, the run's update and COMMIT together (1).
    The COPY's end must be heard before COMMIT (a unique violation rolls back to the savepoint and stages the rows)."""

    def __init__(self, store: ProfileStore, connection: Connection, transaction: RootTransaction) -> None:
        super().__init__(store, connection, transaction)
        self._counts_by_caller = False  # BEGIN and COUNTS_BY_CALLER_SQL sent

    def _prelude(self) -> tuple[str, ...]:
        """BEGIN and COUNTS_BY_CALLER_SQL, once: sent in the round trip of the transaction's first
        statements. The connection is in autocommit mode (PostgresProfileStore._begin_write), so psycopg sends no
        BEGIN of its own: in pipeline mode it would wait for that BEGIN's answer, a round trip for nothing."""
        if self._counts_by_caller:
            return ()
        self._counts_by_caller = True
        return ("BEGIN", COUNTS_BY_CALLER_SQL)

    @property
    def connection(self) -> Connection:
        """For statements of other modules in this transaction: its BEGIN is sent first if it was not yet."""
        prelude = self._prelude()
        if prelude:
            raw = psycopg_connection(self._connection)
            with raw.pipeline():
                for statement in prelude:
                    raw.execute(statement)
        return self._connection

    def load(self, batch: ProfileBatch, in_flight: Mapping[str, Existing] | None = None) -> LoadResult:
        return load_profiles(self._connection, batch, in_flight, prelude=self._prelude())

    def claim_first(self, run_id: int, end_offset: int) -> bool:
        return False  # checked with the commit, in its round trip (committing)

    @contextmanager
    def committing(self, run_id: int, end_offset: int) -> Iterator[None]:
        raw = psycopg_connection(self._connection)
        try:
            with raw.pipeline():  # everything below, COMMIT included, in one round trip: the Sync at its end
                for statement in self._prelude():
                    raw.execute(statement)
                # First, as the claim was: it locks the run's row, so batches commit one at a time in file order.
                check_claim(self._connection, run_id, end_offset)
                yield
                # A statement, not raw.commit(): that would send a Sync of its own, and the pipeline's end another.
                raw.execute("COMMIT")
        except psycopg.errors.InvalidTextRepresentation as exc:
            if is_committed_earlier(exc):
                raise BatchCommittedEarlier(str(exc)) from None
            raise
        self.commit()  # SQLAlchemy's transaction ends (the driver's has already), the store expects the change


class PostgresProfileStore(ProfileStore):
    backend: ClassVar[str] = "postgresql"
    # Two batches at once on two connections, so the server's index work uses both cores; each commits after the
    # one before it (ingest/writer.py).
    parallel_writers: ClassVar[int] = 2
    write_type: ClassVar[type[ProfileWrite]] = PostgresProfileWrite

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

    def statistics_rows(self) -> int:
        with self.connect() as conn:
            rows = conn.exec_driver_sql("SELECT reltuples FROM pg_class WHERE oid = 'profiles'::regclass").scalar()
        return max(0, int(rows or 0))  # -1: never analysed

    def refresh_statistics(self) -> None:
        # A role that does not own the tables gets a warning per table, not an error: nothing is lost.
        # profile_counts is vacuumed too: each batch rewrote its rows (db/schema.py: COUNTS_FILLFACTOR), and every
        # total and facet reads it. A VACUUM is a statement of its own (never inside a transaction block).
        with self.connect() as conn:
            conn.exec_driver_sql("VACUUM profile_counts")
            conn.exec_driver_sql(f"ANALYZE {', '.join(STATISTICS_TABLES)}")

    def version_without_asking(self) -> int | None:
        return self.pushed_version()  # what data_version() answers first, without a round trip

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
        # The write transaction's BEGIN is sent by PostgresProfileWrite with its first statements, in their round
        # trip; SQLAlchemy still commits and rolls it back through the driver, and gives the connection back to the
        # pool with the engine's isolation level.
        conn.execution_options(isolation_level="AUTOCOMMIT")

    def _add_counts(self, conn: Connection, loaded: LoadResult) -> None:
        # Two statements; in an import batch they go in its commit's round trip (PostgresProfileWrite.committing).
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
