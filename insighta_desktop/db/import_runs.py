"""Statements on `import_runs` and `import_rejects`: the record of each import and its rejected rows.

Rows come back as plain mappings (a run, with its reasons as JSON text) and tuples (a reject); ingest/runs.py
turns them into its dataclasses.
"""
from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine

from insighta_desktop.db.engine import psycopg_connection, sqlite_connection
from insighta_desktop.db.schema import import_rejects, import_runs
from insighta_desktop.timestamps import as_utc

RejectRow = tuple[int, str, str, str]  # line_number, reason, detail, raw_line


def create_run(engine: Engine, *, file_name: str, file_size: int, sha256: str, status: str, encoding: str,
               batch_size: int, reasons_json: str, rejects_path: str | None, now: datetime,
               parent_run_id: int | None = None) -> int:
    with engine.begin() as conn:
        result = conn.execute(import_runs.insert().values(
            file_name=file_name, file_size=file_size, sha256=sha256, status=status, encoding=encoding,
            batch_size=batch_size, reasons_json=reasons_json, rejects_path=rejects_path,
            started_at=now, updated_at=now, parent_run_id=parent_run_id))
        key = result.inserted_primary_key
        assert key is not None  # an INSERT of one row
        return int(key[0])


def get_run(engine: Engine, run_id: int) -> dict[str, Any] | None:
    with engine.connect() as conn:
        row = conn.execute(sa.select(import_runs).where(import_runs.c.id == run_id)).first()
    return dict(row._mapping) if row else None


def list_runs(engine: Engine, limit: int = 50) -> list[dict[str, Any]]:
    with engine.connect() as conn:
        rows = conn.execute(sa.select(import_runs).order_by(import_runs.c.id.desc()).limit(limit)).all()
    return [dict(row._mapping) for row in rows]


def runs_of_file(engine: Engine, sha256: str, statuses: Sequence[str]) -> list[dict[str, Any]]:
    """Runs of a file with this content in one of `statuses`, newest first."""
    with engine.connect() as conn:
        rows = conn.execute(sa.select(import_runs).where(import_runs.c.sha256 == sha256)
                            .where(import_runs.c.status.in_(tuple(statuses)))
                            .order_by(import_runs.c.id.desc())).all()
    return [dict(row._mapping) for row in rows]


def mark_running(engine: Engine, run_id: int, status: str, now: datetime, rejects_path: str | None) -> None:
    with engine.begin() as conn:
        conn.execute(sa.update(import_runs).where(import_runs.c.id == run_id).values(
            status=status, error=None, finished_at=None, updated_at=now, rejects_path=rejects_path))


def claim_batch(conn: Connection, run_id: int) -> int:
    """First statement of a batch's transaction: a write (so SQLite takes its write lock before reading) that
    returns the run's committed offset, to recognise a batch whose commit succeeded although the answer was lost."""
    offset = conn.execute(sa.update(import_runs).where(import_runs.c.id == run_id)
                          .values(updated_at=sa.func.current_timestamp())
                          .returning(import_runs.c.last_offset)).scalar_one()
    return int(offset)


def record_batch(conn: Connection, run_id: int, *, rejects: Iterable[RejectRow], total_rows: int, inserted: int,
                 skipped: int, reasons_json: str, last_offset: int, last_line: int, encoding: str,
                 now: datetime, updated: int = 0, unchanged: int = 0) -> None:
    """Inside the batch's transaction: its rejects and the run's running totals and resume point, its update counts
    and its owner's heartbeat. PostgreSQL: two statements straight on the driver, so that in the commit's pipeline
    (ProfileWrite.committing) they cost no round trip of their own."""
    if conn.dialect.name == "postgresql":
        _record_batch_postgresql(conn, run_id, list(rejects), (
            total_rows, inserted, skipped, reasons_json, last_offset, last_line, encoding, as_utc(now), updated,
            unchanged, as_utc(now), run_id))
        return
    # The driver's executemany on plain tuples: SQLAlchemy's would build and process a dict per reject.
    cursor = sqlite_connection(conn).cursor()
    try:
        cursor.executemany("INSERT INTO import_rejects (run_id, line_number, reason, detail, raw_line) "
                           "VALUES (?, ?, ?, ?, ?)", [(run_id, *reject) for reject in rejects])
    finally:
        cursor.close()
    conn.execute(sa.update(import_runs).where(import_runs.c.id == run_id).values(
        total_rows=total_rows, inserted=inserted, skipped=skipped, reasons_json=reasons_json,
        last_offset=last_offset, last_line=last_line, encoding=encoding, updated_at=now, updated=updated,
        unchanged=unchanged, heartbeat_at=now))


# The rejects as one JSON array of [line, reason, detail, raw] split by the server: one statement, which a pipeline
# can carry (a COPY cannot), and no per-row work in Python beyond json.dumps.
_INSERT_REJECTS_PG = ("INSERT INTO import_rejects (run_id, line_number, reason, detail, raw_line) "
                      "SELECT %s, (r->>0)::int, r->>1, r->>2, r->>3 FROM json_array_elements(%s::json) AS r")
_UPDATE_RUN_PG = ("UPDATE import_runs SET total_rows = %s, inserted = %s, skipped = %s, reasons_json = %s, "
                  "last_offset = %s, last_line = %s, encoding = %s, updated_at = %s, updated = %s, unchanged = %s, "
                  "heartbeat_at = %s WHERE id = %s")


def _record_batch_postgresql(conn: Connection, run_id: int, rejects: list[RejectRow],
                             run_values: tuple[object, ...]) -> None:
    with psycopg_connection(conn).cursor() as cur:
        if rejects:
            cur.execute(_INSERT_REJECTS_PG, (run_id, json.dumps(rejects, ensure_ascii=False)))
        cur.execute(_UPDATE_RUN_PG, run_values)


# The claim's check sent with the commit (PostgreSQL): it locks the run's row, as the claim did, and fails (so the
# pipeline's COMMIT rolls back) when the run's committed offset already reaches the batch's end. Only a failing
# statement can stop a COMMIT sent in the same round trip; this one fails with a text that says why.
COMMITTED_EARLIER = "insighta: import batch committed earlier, at offset "
_CHECK_CLAIM_PG = ("SELECT CASE WHEN last_offset >= %s THEN (%s || last_offset)::int ELSE 0 END "
                   "FROM import_runs WHERE id = %s FOR UPDATE")


def check_claim(conn: Connection, run_id: int, end_offset: int) -> None:
    """PostgreSQL, in the commit's pipeline: fail with COMMITTED_EARLIER when the batch ending at `end_offset` was
    committed already (its answer lost), so nothing is committed twice."""
    psycopg_connection(conn).execute(_CHECK_CLAIM_PG, (end_offset, COMMITTED_EARLIER, run_id))


def is_committed_earlier(exc: BaseException) -> bool:
    """The error check_claim raises when the batch was committed already."""
    return getattr(exc, "sqlstate", None) == "22P02" and COMMITTED_EARLIER in str(exc)


def finish_run(engine: Engine, run_id: int, status: str, now: datetime, error: str | None, *,
               finished: bool) -> None:
    with engine.begin() as conn:
        conn.execute(sa.update(import_runs).where(import_runs.c.id == run_id).values(
            status=status, error=error, updated_at=now, finished_at=now if finished else None))


def reject_rows(engine: Engine, run_id: int, *, after: int, limit: int, reason: str | None = None) -> list[RejectRow]:
    """Up to `limit` rejects of the run after line `after`, in line order."""
    query = (sa.select(import_rejects.c.line_number, import_rejects.c.reason, import_rejects.c.detail,
                       import_rejects.c.raw_line)
             .where(import_rejects.c.run_id == run_id).where(import_rejects.c.line_number > after)
             .order_by(import_rejects.c.line_number).limit(limit))
    if reason:
        query = query.where(import_rejects.c.reason == reason)
    with engine.connect() as conn:
        return [(int(line), reason_, detail, raw) for line, reason_, detail, raw in conn.execute(query).all()]
