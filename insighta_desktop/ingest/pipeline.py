"""Import a CSV file into `profiles`: stream, validate, de-duplicate, and load batch by batch.

One thread reads and validates (ingest.batches) while writer threads load the previous batches into the
database, so parsing overlaps with the server's work; on PostgreSQL two batches load at once and commit in order.
Each batch is its own transaction, together with its rejects and the run's totals and resume offset: a failure
never undoes earlier batches, and a resumed run starts exactly after the last committed batch. Transient database
errors retry the batch with backoff.
"""
from __future__ import annotations

import logging
import queue
import threading
import time
from collections import deque
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from datetime import UTC, datetime
from enum import Enum
from pathlib import Path
from typing import Final

from sqlalchemy.engine import Engine

from insighta_desktop.db.profile_store import ProfileStore, profile_store_for
from insighta_desktop.ingest import run_start, runs
from insighta_desktop.ingest.batches import BATCH_BYTES, Batch, iter_batches
from insighta_desktop.ingest.duplicates import names_before
from insighta_desktop.ingest.errors import ImportRefused
from insighta_desktop.ingest.file_format import DETECT, FileFormat
from insighta_desktop.ingest.reader import CsvFile
from insighta_desktop.ingest.rejects import Reject, RejectsWriter, default_rejects_path, open_rejects
from insighta_desktop.ingest.rows import RowValidator
from insighta_desktop.ingest.run_start import file_sha256
from insighta_desktop.ingest.statistics import StatisticsKeeper
from insighta_desktop.ingest.summary import CANCELLED, COMPLETED, FAILED, ImportProgress, ImportSummary
from insighta_desktop.ingest.writer import BatchCommit, BatchWriter, Totals

log = logging.getLogger(__name__)

ProgressCallback = Callable[[ImportProgress], None]


@dataclass(frozen=True)
class ImportOptions:
    batch_size: int = 10_000
    batch_bytes: int = BATCH_BYTES  # a batch also ends before this much of the file's text (long lines)
    rejects_path: Path | None = None  # default: <file>.rejects.csv next to the file
    resume: bool = False  # continue the latest interrupted run of the same file, if there is one
    max_attempts: int = 5  # per batch, for transient database errors
    retry_initial_delay: float = 0.5
    progress_interval: float = 0.1  # at most this often, in seconds
    queue_depth: int = 2  # validated batches waiting for the database
    dry_run: bool = False  # check the whole file and give the summary an import would, writing nothing
    columns: dict[str, str | None] | None = None  # field -> column chosen (--map, --mapping, the preview)
    on_duplicate: str = "skip"  # skip | update: what a name already stored does
    parent_run_id: int | None = None  # this file holds the fixed rejected rows of that run
    file_format: FileFormat = DETECT  # an encoding or delimiter chosen by a person; the rest is detected


class CancelToken:
    """Set from any thread; the import stops after the batch it is writing."""

    def __init__(self) -> None:
        self._event = threading.Event()

    def cancel(self) -> None:
        self._event.set()

    @property
    def cancelled(self) -> bool:
        return self._event.is_set()


class _End(Enum):
    DONE = "done"


_DONE: Final = _End.DONE  # the producer's last item, after the last batch


class _Producer(threading.Thread):
    """Reads and validates batches ahead of the database, at most `depth` of them."""

    def __init__(self, csv_file: CsvFile, validator: RowValidator, batch_size: int, start_offset: int | None,
                 depth: int, batch_bytes: int = BATCH_BYTES) -> None:
        super().__init__(name="csv-import-reader", daemon=True)
        self.out: queue.Queue[Batch | BaseException | _End] = queue.Queue(maxsize=depth)
        self.stop = threading.Event()
        self._args = (csv_file, validator, batch_size, start_offset, batch_bytes)

    def run(self) -> None:
        try:
            for batch in iter_batches(*self._args):
                if not self._put(batch):
                    return
            self._put(_DONE)
        except BaseException as exc:  # handed to the writer thread, which reports it
            self._put(exc)

    def _put(self, item: Batch | BaseException | _End) -> bool:
        while not self.stop.is_set():
            try:
                self.out.put(item, timeout=0.1)
                return True
            except queue.Full:
                continue
        return False

    def close(self) -> None:
        self.stop.set()
        while self.is_alive():
            try:
                self.out.get(timeout=0.05)
            except queue.Empty:
                pass
        if self.ident is not None:  # never started when the import failed before its first batch
            self.join()


class Importer:
    """Imports files into one database. Collaborators are injectable for tests (clock, sleep, now)."""

    def __init__(self, store: ProfileStore | Engine, *, clock: Callable[[], float] = time.monotonic,
                 sleep: Callable[[float], None] = time.sleep,
                 now: Callable[[], datetime] = lambda: datetime.now(UTC)) -> None:
        self.store = store if isinstance(store, ProfileStore) else profile_store_for(store)
        self.engine = self.store.engine
        self.clock = clock
        self.sleep = sleep
        self.now = now

    def run(self, path: Path | str, options: ImportOptions = ImportOptions(),
            on_progress: ProgressCallback | None = None, cancel: CancelToken | None = None,
            foreground: Callable[[], bool] | None = None) -> ImportSummary:
        """Import one file. Raises ImportRefused (nothing written) for a file that cannot be imported at all;
        otherwise returns the summary, whose status is success, cancelled or failed. While `foreground` says True
        (the person is working in the window that started this import), one batch at a time is on the server."""
        started = self.clock()
        path = Path(path)
        if options.dry_run:
            from insighta_desktop.ingest.dry_run import check_file

            return check_file(self.store, path, options, self.now, self.clock, on_progress, cancel)
        start = run_start.begin(self.engine, path, options, self.now)
        csv_file, resumed, owner = start.csv_file, start.resumed, start.owner
        try:
            rejects_path = Path(options.rejects_path or (resumed.rejects_path if resumed and resumed.rejects_path
                                                          else default_rejects_path(path)))
            # The rejects file is opened before the run exists: a path that cannot be written refuses the import
            # with nothing recorded, and the input itself is never overwritten.
            rejects_file = open_rejects(rejects_path, path)
        except BaseException:
            if owner is not None:
                owner.release()
            raise
        try:
            if resumed:
                run_id = resumed.id
                totals = Totals.from_run(resumed)
                runs.mark_running(self.engine, run_id, self.now(), str(rejects_path))
                assert owner is not None  # a resumed run is owned by begin()
                owner.claim()
                rejects_file.write_all(runs.iter_rejects(self.engine, run_id))
                log.info("Resuming import run %d of %s from line %d", run_id, path.name, resumed.last_line + 1)
            else:
                run_id = runs.create_run(self.engine, file_name=str(path.resolve()), file_size=csv_file.size,
                                         sha256=start.sha256, encoding=csv_file.encoding,
                                         batch_size=options.batch_size, rejects_path=str(rejects_path),
                                         now=self.now(), parent_run_id=options.parent_run_id)
                owner = start.own(run_id)
                totals = Totals.empty()
        except BaseException:
            rejects_file.close()
            if owner is not None:
                owner.release()
            raise
        summary = ImportSummary(status="failed", file_name=path.name, rejects_path=str(rejects_path), run_id=run_id,
                                extra_columns=list(csv_file.mapping.extra),
                                resumed_from_line=resumed.last_line + 1 if resumed else None,
                                resume_note=start.note, mapping=start.chosen, on_duplicate=start.on_duplicate)
        writer = BatchWriter(self.store, run_id, totals, now=self.now, clock=self.clock, sleep=self.sleep,
                             max_attempts=options.max_attempts, initial_delay=options.retry_initial_delay,
                             on_duplicate=start.on_duplicate,
                             seen_names=names_before(csv_file, resumed.last_line)
                             if resumed and start.on_duplicate == "update" else None)
        session_rows, session_inserted = totals.total_rows, totals.inserted
        progress = _ProgressReporter(on_progress, csv_file.size, options.progress_interval, self.clock, started,
                                     resumed.last_offset if resumed else csv_file.data_offset, run_id)
        progress.report(totals, progress.start_offset, 0, force=True, phase="starting")
        producer = _Producer(csv_file, RowValidator(csv_file.mapping), options.batch_size,
                             resumed.last_offset if resumed else None, options.queue_depth, options.batch_bytes)
        status, error = FAILED, None
        statistics = StatisticsKeeper(self.store)
        try:
            with rejects_file:
                producer.start()
                status = self._drain(producer, writer, rejects_file, progress, cancel, session_rows, statistics,
                                     foreground)
        except KeyboardInterrupt:
            status = CANCELLED
            raise
        except Exception as exc:
            error = _describe(exc)
            log.warning("Import run %d of %s failed: %s", run_id, path.name, error, exc_info=True)
        finally:
            producer.close()
            statistics.finish()
            writer.close()
            runs.finish_run(self.engine, run_id, status, self.now(), error)
            if owner is not None:
                owner.release()
            totals = writer.totals
            duration = self.clock() - started
            handled = totals.total_rows - session_rows
            summary.session_rows, summary.session_inserted = handled, totals.inserted - session_inserted
            summary.status = {COMPLETED: "success"}.get(status, status)
            summary.run_status = status
            summary.error = error
            summary.total_rows, summary.inserted, summary.skipped = totals.total_rows, totals.inserted, totals.skipped
            summary.updated, summary.unchanged = totals.updated, totals.unchanged
            summary.reasons = dict(totals.reasons)
            summary.corrected = dict(totals.corrected)
            summary.encoding = writer.encoding or csv_file.encoding
            summary.delimiter, summary.format_notes = csv_file.delimiter, list(csv_file.format.notes)
            summary.duration_s = round(duration, 3)
            summary.rows_per_s = round(handled / duration, 1) if duration > 0 else 0.0
            progress.report(totals, csv_file.size if status == COMPLETED else writer.offset, handled, force=True,
                            phase="finished")
        return summary

    def _drain(self, producer: _Producer, writer: BatchWriter, rejects_file: RejectsWriter,
               progress: _ProgressReporter, cancel: CancelToken | None, session_start: int,
               statistics: StatisticsKeeper, foreground: Callable[[], bool] | None = None) -> str:
        writer.on_retry = lambda message: progress.report(writer.totals, writer.offset,
                                                          writer.totals.total_rows - session_start,
                                                          force=True, phase="retrying", message=message)
        # PostgreSQL: two batches at once on two connections, so the server's index work uses both cores; each
        # commits after the one before it. SQLite has one writer at a time anyway.
        # Updates run one batch at a time: an update's count triggers must not lock counts a batch before it adds.
        parallel = 1 if writer.on_duplicate == "update" else self.store.parallel_writers
        # While the person works in the window (it paused this import for a search a moment ago), one batch at a
        # time: a server on the same machine then keeps a core free for their searches. Each batch in flight there
        # runs to its end whatever pauses the import's process, and two took both cores of a two-core machine
        # (a search during the import: 2.6 times its idle time with two, 1.2-1.3 with one; tests/benchmarks/
        # bench_import.py --gui-only).
        def limit() -> int:
            return 1 if foreground is not None and foreground() else parallel
        in_flight: deque[tuple[Batch, Future[list[Reject]]]] = deque()
        previous: tuple[Batch, BatchCommit] | None = None

        def finish_oldest() -> None:
            batch, future = in_flight.popleft()
            changed = writer.totals.inserted + writer.totals.updated
            rejects_file.write(future.result())
            statistics.changed(writer.totals.inserted + writer.totals.updated - changed)
            rejects_file.flush()
            progress.report(writer.totals, batch.end_offset, writer.totals.total_rows - session_start)

        with ThreadPoolExecutor(max_workers=parallel, thread_name_prefix="csv-import-writer") as pool:
            try:
                while True:
                    if cancel is not None and cancel.cancelled:
                        while in_flight:
                            finish_oldest()
                        return CANCELLED
                    try:
                        item = producer.out.get(timeout=0.1)
                    except queue.Empty:
                        continue
                    if item is _DONE:
                        while in_flight:
                            finish_oldest()
                        return COMPLETED
                    if isinstance(item, BaseException):
                        raise item
                    while len(in_flight) >= limit():
                        finish_oldest()
                    batch: Batch = item
                    commit = BatchCommit()
                    if parallel > 1 and previous is not None and in_flight:
                        earlier, earlier_commit = previous
                        future = pool.submit(writer.write, batch, after=earlier_commit,
                                             in_flight=writer.in_flight_names(earlier), commit=commit)
                    else:
                        future = pool.submit(writer.write, batch, commit=commit)
                    in_flight.append((batch, future))
                    previous = (batch, commit)
            finally:
                for _batch, future in in_flight:  # after a failure: let the later batch give up, not commit
                    future.exception()

def _describe(exc: BaseException) -> str:
    orig = getattr(exc, "orig", None)
    text = str(orig or exc).strip().splitlines()
    return f"{type(orig or exc).__name__}: {text[0] if text else ''}".rstrip(": ")


class _ProgressReporter:
    def __init__(self, callback: ProgressCallback | None, size: int, interval: float, clock: Callable[[], float],
                 started: float, start_offset: int, run_id: int | None = None) -> None:
        self.callback = callback
        self.run_id = run_id
        self.size = size
        self.interval = interval
        self.clock = clock
        self.started = started
        self.start_offset = start_offset
        self.last = -1e9

    def report(self, totals: Totals, offset: int, session_rows: int, *, force: bool = False,
               phase: str = "importing", message: str = "") -> None:
        if self.callback is None:
            return
        now = self.clock()
        if not force and now - self.last < self.interval:
            return
        self.last = now
        elapsed = now - self.started
        rate = session_rows / elapsed if elapsed > 0 else 0.0
        done = max(0, offset - self.start_offset)
        eta = (self.size - offset) / (done / elapsed) if done > 0 and elapsed > 0.2 else None
        snapshot = ImportProgress(offset, self.size, totals.total_rows, totals.inserted, totals.skipped,
                                  dict(totals.reasons), elapsed, rate, eta, phase, message,
                                  self.run_id)
        try:
            self.callback(snapshot)
        except Exception:  # a broken progress display must not break the import
            log.exception("Import progress callback failed")


__all__ = ["CancelToken", "ImportOptions", "ImportRefused", "Importer", "file_sha256"]
