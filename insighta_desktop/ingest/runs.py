"""The record of each import and its rejected rows (stored by db/import_runs.py)."""
from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy.engine import Connection, Engine

from insighta_desktop.db import import_runs as stored_runs
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
    delimiter: str | None = None
    mapping_json: str | None = None  # profile field -> the file's column, as JSON
    on_duplicate: str | None = None  # skip | update
    updated: int = 0
    unchanged: int = 0
    owner_host: str | None = None
    owner_pid: int | None = None
    heartbeat_at: datetime | None = None
    parent_run_id: int | None = None  # the run whose rejected rows this one imported, fixed
    extra: dict[str, Any] = field(default_factory=dict)

    def is_stale(self, now: datetime) -> bool:
        return self.status == RUNNING and now - as_utc(self.updated_at) > STALE_AFTER

    def can_resume(self, now: datetime) -> bool:
        return self.status in (CANCELLED, FAILED) or self.is_stale(now)

    def shown_status(self, now: datetime) -> str:
        return "interrupted" if self.is_stale(now) else self.status


def _record(row: Mapping[str, Any]) -> RunRecord:
    data = dict(row)
    stored = json.loads(data.pop("reasons_json") or "{}")
    reasons = empty_reasons()
    reasons.update(stored.get("reasons", {}))
    return RunRecord(**data, reasons=reasons, corrected=dict(stored.get("corrected", {})))


def reasons_json(reasons: dict[str, int], corrected: dict[str, int]) -> str:
    return json.dumps({"reasons": reasons, "corrected": corrected}, sort_keys=True)


def create_run(engine: Engine, *, file_name: str, file_size: int, sha256: str, encoding: str, batch_size: int,
               rejects_path: str | None, now: datetime, parent_run_id: int | None = None) -> int:
    return stored_runs.create_run(engine, file_name=file_name, file_size=file_size, sha256=sha256, status=RUNNING,
                                  encoding=encoding, batch_size=batch_size,
                                  reasons_json=reasons_json(empty_reasons(), {}), rejects_path=rejects_path, now=now,
                                  parent_run_id=parent_run_id)


def get_run(engine: Engine, run_id: int) -> RunRecord | None:
    row = stored_runs.get_run(engine, run_id)
    return _record(row) if row else None


def list_runs(engine: Engine, limit: int = 50) -> list[RunRecord]:
    return [_record(row) for row in stored_runs.list_runs(engine, limit)]


def find_resumable(engine: Engine, sha256: str, now: datetime) -> RunRecord | None:
    """The latest cancelled, failed or crashed run of a file with this content."""
    for row in stored_runs.runs_of_file(engine, sha256, (CANCELLED, FAILED, RUNNING)):
        record = _record(row)
        if record.can_resume(now):
            return record
    return None


def mark_running(engine: Engine, run_id: int, now: datetime, rejects_path: str | None) -> None:
    stored_runs.mark_running(engine, run_id, RUNNING, now, rejects_path)


def record_batch(conn: Connection, run_id: int, *, rejects: list[Reject], total_rows: int, inserted: int,
                 skipped: int, reasons: dict[str, int], corrected: dict[str, int], last_offset: int,
                 last_line: int, encoding: str, now: datetime, updated: int = 0, unchanged: int = 0) -> None:
    """Inside the batch's transaction: its rejects, the run's running totals and resume point, and the owner's
    heartbeat."""
    stored_runs.record_batch(
        conn, run_id, rejects=((r.line_number, r.reason, r.detail, clip_raw(r.raw_line)) for r in rejects),
        total_rows=total_rows, inserted=inserted, skipped=skipped, reasons_json=reasons_json(reasons, corrected),
        last_offset=last_offset, last_line=last_line, encoding=encoding, now=now, updated=updated,
        unchanged=unchanged)


def finish_run(engine: Engine, run_id: int, status: str, now: datetime, error: str | None = None) -> None:
    stored_runs.finish_run(engine, run_id, status, now, error, finished=status == COMPLETED)


def iter_rejects(engine: Engine, run_id: int, reason: str | None = None, batch: int = 5000) -> Iterator[Reject]:
    """The run's rejects in line order, read a page at a time."""
    after = -1
    while True:
        rows = stored_runs.reject_rows(engine, run_id, after=after, limit=batch, reason=reason)
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
