"""A file seen before: the runs of a file with the same content (sha256), for the preview and the CLI to announce
("imported on 2 Dec 14:05: 185,299 inserted") and to offer Resume for an unfinished one."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy.engine import Engine

from insighta_desktop.db import import_runs
from insighta_desktop.ingest.runs import RunRecord, get_run
from insighta_desktop.ingest.summary import CANCELLED, COMPLETED, FAILED, RUNNING
from insighta_desktop.timestamps import as_utc

UNFINISHED = (CANCELLED, FAILED, RUNNING)


def when(moment: datetime) -> str:
    """"2 Dec 14:05" in local time."""
    local = as_utc(moment).astimezone()
    return f"{local.day} {local:%b %H:%M}"


@dataclass
class SameFile:
    sha256: str
    finished: RunRecord | None  # the latest completed run of this content
    unfinished: RunRecord | None  # the latest run, when it did not finish (cancelled, failed, interrupted, running)

    def describe_finished(self) -> str:
        run = self.finished
        assert run is not None
        moment = run.finished_at or run.updated_at
        text = f"this file was imported on {when(moment)}: {run.inserted:,} inserted"
        if run.updated or run.unchanged:
            text += f", {run.updated:,} updated"
        return f"{text} (run {run.id})"

    def describe_unfinished(self, now: datetime | None = None) -> str:
        run = self.unfinished
        assert run is not None
        state = run.shown_status(now or datetime.now(UTC))
        state = "stopped" if state == RUNNING else state
        return (f"an unfinished import of this file exists (run {run.id}, {state} on {when(run.updated_at)} "
                f"after line {run.last_line:,}: {run.inserted:,} inserted)")


def latest_runs(engine: Engine, sha256: str) -> tuple[RunRecord | None, RunRecord | None]:
    """(the latest completed run, the latest run if it is unfinished)."""
    rows = import_runs.runs_of_file(engine, sha256, (COMPLETED, *UNFINISHED))
    finished = next((r for r in rows if r["status"] == COMPLETED), None)
    unfinished = rows[0] if rows and rows[0]["status"] in UNFINISHED else None
    return (get_run(engine, int(finished["id"])) if finished else None,
            get_run(engine, int(unfinished["id"])) if unfinished else None)


def same_file(engine: Engine, path: Path, sha256: str | None = None) -> SameFile:
    from insighta_desktop.ingest.run_start import file_sha256

    digest = sha256 or file_sha256(path)
    finished, unfinished = latest_runs(engine, digest)
    return SameFile(digest, finished, unfinished)
