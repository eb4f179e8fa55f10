"""Past imports, newest first, for the Import tab's history and the CLI."""
from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from insighta_desktop.db.schema import import_runs


@dataclass(frozen=True)
class ImportRunSummary:
    id: int
    file_name: str
    status: str
    total_rows: int
    inserted: int
    skipped: int
    reasons: dict[str, int]
    started_at: datetime
    finished_at: datetime | None
    sha256: str
    last_offset: int


def list_import_runs(engine: Engine, limit: int = 50) -> list[ImportRunSummary]:
    c = import_runs.c
    query = (sa.select(c.id, c.file_name, c.status, c.total_rows, c.inserted, c.skipped, c.reasons_json,
                       c.started_at, c.finished_at, c.sha256, c.last_offset)
             .order_by(c.id.desc()).limit(limit))
    with engine.connect() as conn:
        return [ImportRunSummary(r.id, r.file_name, r.status, r.total_rows, r.inserted, r.skipped,
                                 json.loads(r.reasons_json or "{}"), r.started_at, r.finished_at, r.sha256,
                                 r.last_offset)
                for r in conn.execute(query)]
