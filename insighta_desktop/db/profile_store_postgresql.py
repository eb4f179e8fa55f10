"""The profile store on PostgreSQL: reads without BEGIN/ROLLBACK, the data version on a kept connection, the
planner's estimate for large totals, and import batches that add their own counts in commit order."""
from __future__ import annotations

import threading
from typing import ClassVar

from sqlalchemy.engine import Connection, Engine
from sqlalchemy.pool import PoolProxiedConnection

from insighta_desktop.db import search_sql
from insighta_desktop.db.bulk_insert import LoadResult
from insighta_desktop.db.engine import psycopg_connection
from insighta_desktop.db.profile_counts import add_profile_counts, count_inserts_in_caller
from insighta_desktop.db.profile_store import ESTIMATE, ProfileStore, StatementRunner, plan_json
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
        with self._version_lock:
            self._release_version_connection(invalidate=False)

    def connect(self) -> Connection:
        # Reads only: no BEGIN/ROLLBACK round trips around them.
        return self.engine.connect().execution_options(isolation_level="AUTOCOMMIT")

    def data_version(self) -> int:
        """One round trip on a kept autocommit connection: a cache hit needs no pool checkout (nor pre-ping)."""
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

    def _large_total(self, run: StatementRunner, filters: ProfileFilters, cap: int, bound: int) -> tuple[int, str]:
        plan = plan_json(run(search_sql.estimate_statement(self.backend, filters))[0][0])
        estimate = int(plan[0]["Plan"]["Plan Rows"])
        return max(1, min(estimate, bound)), ESTIMATE

    def _begin_write(self, conn: Connection) -> None:
        count_inserts_in_caller(conn)

    def _add_counts(self, conn: Connection, loaded: LoadResult) -> None:
        add_profile_counts(conn, loaded.counts)
