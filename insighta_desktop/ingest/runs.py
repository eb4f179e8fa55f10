"""The record of each import in `import_runs` and its rejected rows in `import_rejects`."""
from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine

from insighta_desktop.db.schema import import_rejects, import_runs
from insighta_desktop.ingest.rejects import Reject
from insighta_desktop.ingest.summary import CANCELLED, COMPLETED, FAILED, RUNNING, empty_reasons
from insighta_desktop.timestamps import as_utc

# A run still marked running with no batch committed for this long is taken to have crashed.
STALE_AFTER = timedelta(minutes=2)
MAX_STORED_RAW = 10_000


@dataclass
class RunRecord:
    id: int
    file_name: str
    file_size: int
    sha256: str
    status: str
    encoding: str | None
    batch_size: int | None
    total_rows: int
    inserted: int
    skipped: int
    reasons: dict[str, int]
    corrected: dict[str, int]
    last_offset: int
    last_line: int
    rejects_path: str | None
    error: str | None
    started_at: datetime
    updated_at: datetime
    finished_at: datetime | None = None
    extra: dict[str, Any] = field(default_factory=dict)

    def is_stale(self, now: datetime) -> bool:
        return self.status == RUNNING and now - as_utc(self.updated_at) > STALE_AFTER

    def can_resume(self, now: datetime) -> bool:
        return self.status in (CANCELLED, FAILED) or self.is_stale(now)

    def shown_status(self, now: datetime) -> str:
        return "interrupted" if self.is_stale(now) else self.status


def _record(row: sa.Row[Any]) -> RunRecord:
    data = dict(row._mapping)
    stored = json.loads(data.pop("reasons_json") or "{}")
    reasons = empty_reasons()
    reasons.update(stored.get("reasons", {}))
    return RunRecord(**data, reasons=reasons, corrected=dict(stored.get("corrected", {})))


def reasons_json(reasons: dict[str, int], corrected: dict[str, int]) -> str:
    return json.dumps({"reasons": reasons, "corrected": corrected}, sort_keys=True)


def create_run(engine: Engine, *, file_name: str, file_size: int, sha256: str, encoding: str, batch_size: int,
               rejects_path: str | None, now: datetime) -> int:
    with engine.begin() as conn:
        result = conn.execute(import_runs.insert().values(
            file_name=file_name, file_size=file_size, sha256=sha256, status=RUNNING, encoding=encoding,
            batch_size=batch_size, reasons_json=reasons_json(empty_reasons(), {}), rejects_path=rejects_path,
            started_at=now, updated_at=now))
        key = result.inserted_primary_key
        assert key is not None  # an INSERT of one row
        return int(key[0])


def get_run(engine: Engine, run_id: int) -> RunRecord | None:
    with engine.connect() as conn:
        row = conn.execute(sa.select(import_runs).where(import_runs.c.id == run_id)).first()
    return _record(row) if row else None


def list_runs(engine: Engine, limit: int = 50) -> list[RunRecord]:
    with engine.connect() as conn:
        rows = conn.execute(sa.select(import_runs).order_by(import_runs.c.id.desc()).limit(limit)).all()
    return [_record(row) for row in rows]


def find_resumable(engine: Engine, sha256: str, now: datetime) -> RunRecord | None:
    """The latest cancelled, failed or crashed run of a file with this content."""
    with engine.connect() as conn:
        rows = conn.execute(sa.select(import_runs).where(import_runs.c.sha256 == sha256)
                            .where(import_runs.c.status.in_((CANCELLED, FAILED, RUNNING)))
                            .order_by(import_runs.c.id.desc())).all()
    for row in rows:
        record = _record(row)
        if record.can_resume(now):
            return record
    return None


def mark_running(engine: Engine, run_id: int, now: datetime, rejects_path: str | None) -> None:
    with engine.begin() as conn:
        conn.execute(sa.update(import_runs).where(import_runs.c.id == run_id).values(
            status=RUNNING, error=None, finished_at=None, updated_at=now, rejects_path=rejects_path))


def claim_batch(conn: Connection, run_id: int) -> int:
    """First statement of a batch's transaction: a write (so SQLite takes its write lock before reading) that
    returns the run's committed offset, to recognise a batch whose commit succeeded although the answer was lost."""
    offset = conn.execute(sa.update(import_runs).where(import_runs.c.id == run_id)
                          .values(updated_at=sa.func.current_timestamp())
                          .returning(import_runs.c.last_offset)).scalar_one()
    return int(offset)


def record_batch(conn: Connection, run_id: int, *, rejects: list[Reject], total_rows: int, inserted: int,
                 skipped: int, reasons: dict[str, int], corrected: dict[str, int], last_offset: int,
                 last_line: int, encoding: str, now: datetime) -> None:
    """Inside the batch's transaction: its rejects and the run's running totals and resume point."""
    if rejects:
        conn.execute(import_rejects.insert(), [
            {"run_id": run_id, "line_number": r.line_number, "reason": r.reason, "detail": r.detail,
             "raw_line": clip_raw(r.raw_line)} for r in rejects])
    conn.execute(sa.update(import_runs).where(import_runs.c.id == run_id).values(
        total_rows=total_rows, inserted=inserted, skipped=skipped, reasons_json=reasons_json(reasons, corrected),
        last_offset=last_offset, last_line=last_line, encoding=encoding, updated_at=now))


def finish_run(engine: Engine, run_id: int, status: str, now: datetime, error: str | None = None) -> None:
    with engine.begin() as conn:
        conn.execute(sa.update(import_runs).where(import_runs.c.id == run_id).values(
            status=status, error=error, updated_at=now, finished_at=now if status == COMPLETED else None))


def iter_rejects(engine: Engine, run_id: int, reason: str | None = None, batch: int = 5000) -> Iterator[Reject]:
    """The run's rejects in line order, read a page at a time."""
    after = -1
    while True:
        query = (sa.select(import_rejects.c.line_number, import_rejects.c.reason, import_rejects.c.detail,
                           import_rejects.c.raw_line)
                 .where(import_rejects.c.run_id == run_id).where(import_rejects.c.line_number > after)
                 .order_by(import_rejects.c.line_number).limit(batch))
        if reason:
            query = query.where(import_rejects.c.reason == reason)
        with engine.connect() as conn:
            rows = conn.execute(query).all()
        for row in rows:
            yield Reject(*row)
        if len(rows) < batch:
            return
        after = rows[-1][0]


def clip_raw(raw: str) -> str:
    """The raw line as stored and exported: NUL shown as \\x00 (PostgreSQL text cannot hold it), at most 10,000
    characters."""
    if "\x00" in raw:
        raw = raw.replace("\x00", "\\x00")
    if len(raw) <= MAX_STORED_RAW:
        return raw
    return f"{raw[:MAX_STORED_RAW]}… ({len(raw) - MAX_STORED_RAW:,} more characters)"
