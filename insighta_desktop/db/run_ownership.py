"""Statements on an import run's owner and version-8 details: who runs it (host, pid, heartbeat, and on PostgreSQL an
advisory lock held by the importing session), how it reads the file, and its update counts."""
from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Engine
from sqlalchemy.pool import PoolProxiedConnection

from insighta_desktop.db.engine import psycopg_connection
from insighta_desktop.db.schema import import_runs

# Advisory locks of import runs: pg_try_advisory_lock(<this schema's key>, run id). The first key is per schema, so
# runs of databases kept in different schemas of one server never share a lock.
_RUN_LOCK_KEY = "hashtext(current_schema() || ':insighta_import_runs')"

DETAIL_COLUMNS = ("delimiter", "mapping_json", "on_duplicate", "owner_host", "owner_pid", "heartbeat_at",
                  "parent_run_id")


def set_details(engine: Engine, run_id: int, values: dict[str, Any]) -> None:
    unknown = set(values) - set(DETAIL_COLUMNS)
    if unknown:
        raise ValueError(f"not a run detail: {', '.join(sorted(unknown))}")
    with engine.begin() as conn:
        conn.execute(sa.update(import_runs).where(import_runs.c.id == run_id).values(**values))


def heartbeat(engine: Engine, run_id: int, now: datetime) -> None:
    with engine.begin() as conn:
        conn.execute(sa.update(import_runs).where(import_runs.c.id == run_id).values(heartbeat_at=now))


def open_lock_session(engine: Engine) -> PoolProxiedConnection:
    """A connection of its own (autocommit) that holds the run locks it takes until it closes or dies."""
    fairy = engine.raw_connection()
    psycopg_connection(fairy).autocommit = True
    return fairy


def close_lock_session(session: PoolProxiedConnection, *, broken: bool = False) -> None:
    """Back to the pool (locks given up first), or dropped when broken."""
    if not broken:
        try:
            psycopg_connection(session).autocommit = False
            session.close()
            return
        except Exception:  # dropped below
            pass
    session.invalidate()


def try_lock_run(session: PoolProxiedConnection, run_id: int) -> bool:
    row = psycopg_connection(session).execute(f"SELECT pg_try_advisory_lock({_RUN_LOCK_KEY}, %s)",
                                              (run_id,)).fetchone()
    return bool(row and row[0])


def unlock_run(session: PoolProxiedConnection, run_id: int) -> None:
    psycopg_connection(session).execute(f"SELECT pg_advisory_unlock({_RUN_LOCK_KEY}, %s)", (run_id,))
