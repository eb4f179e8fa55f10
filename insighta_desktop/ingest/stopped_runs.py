"""A run whose import process stopped without its summary (killed after Cancel, crashed, out of memory): record it
as cancelled or failed, so that it can be resumed from its last committed batch, and describe it as a summary."""
from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy.engine import Engine

from insighta_desktop.ingest import runs
from insighta_desktop.ingest.summary import CANCELLED, COMPLETED, RUNNING, ImportSummary


def exit_description(exit_code: int, crashed: bool) -> str:
    if crashed or exit_code < 0:
        return "the import process stopped unexpectedly" + (f" (signal {-exit_code})" if exit_code < 0 else "")
    return f"the import process stopped unexpectedly (exit code {exit_code})"


def close_stopped_run(engine: Engine, run_id: int, status: str, error: str | None,
                      now: datetime | None = None) -> ImportSummary:
    """Marks the run `status` (cancelled or failed) if it is still marked running; the committed batches, its totals
    and its resume point stay as they are. Returns the summary of what was committed."""
    record = runs.get_run(engine, run_id)
    if record is None:
        return ImportSummary(status="failed", run_id=run_id, run_status="failed", error=error)
    if record.status == RUNNING:
        runs.finish_run(engine, run_id, status, now or datetime.now(UTC), error)
        record = runs.get_run(engine, run_id) or record
    shown = {COMPLETED: "success"}.get(record.status, record.status)
    return ImportSummary(status=shown, total_rows=record.total_rows, inserted=record.inserted,
                         skipped=record.skipped, reasons=dict(record.reasons), file_name=Path(record.file_name).name,
                         encoding=record.encoding or "", rejects_path=record.rejects_path, run_id=run_id,
                         run_status=record.status, corrected=dict(record.corrected),
                         error=None if record.status == CANCELLED else (record.error or error))
