"""Progress of an import that runs in another process: a bytes-based ETA, the JSON lines the child writes on its
stdout, and a ticker that writes them at a steady rate (not once per batch).

The protocol, one JSON object per line: ``{"event": "progress", ...ImportProgress fields...}`` at least five times a
second, then one ``{"event": "summary", ...ImportSummary.to_dict()...}`` as the last line. The parent writes
``cancel`` (a line) on the child's stdin to stop it; end of input means the same.
"""
from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable
from dataclasses import asdict, fields, replace
from typing import Any, TextIO

from insighta_desktop.ingest.summary import ImportProgress, ImportSummary

PROGRESS, SUMMARY = "progress", "summary"
CANCEL_COMMAND = "cancel"
TICK_S = 0.1  # the ticker's period: ten lines a second, twice the rate the GUI needs


class EtaEstimator:
    """Time left from bytes committed: the session's average rate (bytes since the start over time since the start),
    projected from the moment of the last observation, so the estimate counts down smoothly between batches.

    Pure: every method takes the time it is asked about.
    """

    def __init__(self, start_offset: int, total: int, started: float) -> None:
        self.start_offset = start_offset
        self.total = total
        self.started = started
        self.done = start_offset
        self.seen_at = started

    def observe(self, offset: int, at: float) -> None:
        if offset > self.done:
            self.done, self.seen_at = offset, at

    def eta(self, now: float) -> float | None:
        """Seconds left; None until some bytes are done."""
        handled = self.done - self.start_offset
        spent = self.seen_at - self.started
        if handled <= 0 or spent <= 0:
            return None
        left = (self.total - self.done) * spent / handled
        return max(0.0, left - max(0.0, now - self.seen_at))


# ASCII only (non-ASCII as \u escapes): the pipe then reads the same whatever the child's stdout encoding is (a
# frozen child ignores PYTHONIOENCODING; a Windows console code page is not UTF-8).
def progress_line(progress: ImportProgress) -> str:
    return json.dumps({"event": PROGRESS, **asdict(progress)})


def summary_line(summary: ImportSummary) -> str:
    return json.dumps({"event": SUMMARY, **summary.to_dict()})


_PROGRESS_FIELDS = {f.name for f in fields(ImportProgress)}
_SUMMARY_FIELDS = {f.name for f in fields(ImportSummary)}


def parse_line(line: str | bytes) -> ImportProgress | ImportSummary | None:
    """One line from the child: a progress snapshot, the summary, or None for anything else (a stray print)."""
    try:
        data = json.loads(line)
    except ValueError:
        return None
    if not isinstance(data, dict):
        return None
    event = data.pop("event", None)
    try:
        if event == PROGRESS:
            return ImportProgress(**{k: v for k, v in data.items() if k in _PROGRESS_FIELDS})
        if event == SUMMARY:
            return ImportSummary(**{k: v for k, v in data.items() if k in _SUMMARY_FIELDS})
    except TypeError:  # a field missing: not one of ours
        return None
    return None


class ProgressTicker:
    """Called by the pipeline with each snapshot (per batch); writes the latest one every `period` seconds, with
    the elapsed time and ETA brought up to the moment of writing."""

    def __init__(self, out: TextIO, *, period: float = TICK_S, clock: Callable[[], float] = time.monotonic) -> None:
        self.out = out
        self.period = period
        self.clock = clock
        self.started = clock()
        self._lock = threading.Lock()
        self._latest: ImportProgress | None = None
        self._eta: EtaEstimator | None = None
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="import-progress", daemon=True)

    def __enter__(self) -> ProgressTicker:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()

    def __call__(self, progress: ImportProgress) -> None:
        now = self.clock()
        with self._lock:
            if self._eta is None:
                start = progress.bytes_done if progress.phase == "starting" else 0
                self._eta = EtaEstimator(start, progress.bytes_total, now)
            self._eta.observe(progress.bytes_done, now)
            self._latest = progress
        if progress.phase in ("starting", "finished", "retrying"):
            self._write(progress)

    def _run(self) -> None:
        while not self._stop.wait(self.period):
            with self._lock:
                latest, eta = self._latest, self._eta
            if latest is None or eta is None or latest.phase == "finished":
                continue
            now = self.clock()
            self._write(replace(latest, elapsed_s=round(now - self.started, 3), eta_s=eta.eta(now)))

    def _write(self, progress: ImportProgress) -> None:
        line = progress_line(progress)
        with self._lock:
            try:
                self.out.write(line + "\n")
                self.out.flush()
            except (OSError, ValueError):  # the parent went away; the import itself carries on to its end
                pass


def summary_from_json(data: dict[str, Any]) -> ImportSummary:
    return ImportSummary(**{k: v for k, v in data.items() if k in _SUMMARY_FIELDS})
