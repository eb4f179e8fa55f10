"""Past imports, newest first, for the Import tab's history and the CLI."""
from __future__ import annotations

from sqlalchemy.engine import Engine

from insighta_desktop.ingest.runs import RunRecord, list_runs


def list_import_runs(engine: Engine, limit: int = 50) -> list[RunRecord]:
    return list_runs(engine, limit)
