"""Write one validated batch in one transaction: profiles, rejects, and the run's totals and resume point."""
from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from itertools import compress

from sqlalchemy.engine import Engine

from insighta_desktop.db.bulk_insert import Existing, LoadResult, ProfileBatch
from insighta_desktop.db.name_lines_file import NameLinesFile
from insighta_desktop.db.profile_store import BatchCommittedEarlier, ProfileStore, ProfileWrite, profile_store_for
from insighta_desktop.db.profile_update import UpdateResult
from insighta_desktop.ingest import runs
from insighta_desktop.ingest.batches import DUPLICATE, Batch
from insighta_desktop.ingest.duplicates import UpdatePolicy
from insighta_desktop.ingest.rejects import Reject
from insighta_desktop.ingest.summary import empty_reasons
from insighta_desktop.profiles.ids import Uuid7Batches

log = logging.getLogger(__name__)

IN_DATABASE = "already in the database"
NO_UPDATES = UpdateResult(0, 0, frozenset())
_RETRY_SQLSTATES = ("40001", "40P01")  # serialization failure, deadlock: the same transaction may pass next time


@dataclass
class Totals:
    total_rows: int = 0
    inserted: int = 0
    skipped: int = 0
    reasons: dict[str, int] = field(default_factory=empty_reasons)
    corrected: dict[str, int] = field(default_factory=lambda: {"age_group": 0, "country_name": 0})
    updated: int = 0  # --on-duplicate update: stored profiles the file changed
    unchanged: int = 0  # --on-duplicate update: stored profiles that held the file's values already

    @classmethod
    def empty(cls) -> Totals:
        return cls()

    @classmethod
    def from_run(cls, run: runs.RunRecord) -> Totals:
        corrected = {"age_group": 0, "country_name": 0}
        corrected.update(run.corrected)
        return cls(run.total_rows, run.inserted, run.skipped, dict(run.reasons), corrected, run.updated,
                   run.unchanged)

    def plus(self, batch: Batch, inserted: int, rejects: list[Reject], updates: UpdateResult = NO_UPDATES) -> Totals:
        reasons = dict(self.reasons)
        for reject in rejects:
            reasons[reject.reason] = reasons.get(reject.reason, 0) + 1
        corrected = {k: self.corrected.get(k, 0) + batch.corrected.get(k, 0) for k in self.corrected}
        return Totals(self.total_rows + batch.records, self.inserted + inserted, self.skipped + len(rejects),
                      reasons, corrected, self.updated + updates.updated, self.unchanged + updates.unchanged)


def is_retryable(exc: BaseException) -> bool:
    """Lost connections, busy databases, serialization failures and deadlocks; never data errors."""
    from insighta_desktop.resilience.classify import is_transient

    if is_transient(exc):
        return True
    orig = getattr(exc, "orig", None) or exc
    return getattr(orig, "sqlstate", None) in _RETRY_SQLSTATES


class PredecessorFailed(RuntimeError):
    """The batch before this one was not committed, so this one must not be either."""


class _PredecessorRetrying(Exception):
    """The batch before this one is trying again: give back this transaction's locks, then follow it."""


class BatchCommit:
    """What a batch written in parallel with the next one tells that next one: its failed attempts, its end."""

    def __init__(self) -> None:
        self._changed = threading.Condition()
        self.failed_attempts = 0
        self.done = False
        self.error: BaseException | None = None

    def attempt_failed(self) -> None:
        with self._changed:
            self.failed_attempts += 1
            self._changed.notify_all()

    def finish(self, error: BaseException | None = None) -> None:
        with self._changed:
            self.done, self.error = True, error
            self._changed.notify_all()

    def wait_committed(self, failed_attempts_seen: int | None = None) -> None:
        """Return once committed; raise if it failed, or (given what was seen) if it started another attempt."""
        with self._changed:
            while True:
                if self.done:
                    if self.error is not None:
                        raise PredecessorFailed("an earlier batch of this import was not committed") from None
                    return
                if failed_attempts_seen is not None and self.failed_attempts > failed_attempts_seen:
                    raise _PredecessorRetrying()
                self._changed.wait()


class InFlightNames(Mapping[str, Existing]):
    """name key -> Existing(run, line) for a batch being written; built for every batch, read for a few names, so
    each Existing is made only when asked for."""

    def __init__(self, run_id: int, lines: dict[str, int]) -> None:
        self._run_id = run_id
        self._lines = lines

    def __getitem__(self, key: str) -> Existing:
        return Existing(self._run_id, self._lines[key])

    def __contains__(self, key: object) -> bool:
        return key in self._lines

    def __iter__(self) -> Iterator[str]:
        return iter(self._lines)

    def __len__(self) -> int:
        return len(self._lines)


class BatchWriter:
    """Owns the running totals of one import run; `write` commits a batch and returns its rejects."""

    def __init__(self, store: ProfileStore | Engine, run_id: int, totals: Totals, *, now: Callable[[], datetime],
                 clock: Callable[[], float] = time.monotonic, sleep: Callable[[float], None] = time.sleep,
                 max_attempts: int = 5, initial_delay: float = 0.5, on_duplicate: str = "skip",
                 seen_names: NameLinesFile | None = None) -> None:
        self.on_duplicate = on_duplicate  # skip | update: a name stored before this run
        self.updates = UpdatePolicy(run_id, seen_names) if on_duplicate == "update" else None
        self.store = store if isinstance(store, ProfileStore) else profile_store_for(store)
        self.engine = self.store.engine
        self.run_id = run_id
        self.totals = totals
        self.now = now
        self.clock = clock
        self.sleep = sleep
        self.max_attempts = max_attempts
        self.initial_delay = initial_delay
        self.ids = Uuid7Batches()
        self._ids_lock = threading.Lock()
        self.offset = 0
        self.encoding = ""
        self.on_retry: Callable[[str], None] | None = None

    def close(self) -> None:
        """Give up what the run kept on the side (an update run's names found unchanged)."""
        if self.updates is not None:
            self.updates.close()

    def write(self, batch: Batch, *, after: BatchCommit | None = None,
              in_flight: Mapping[str, Existing] | None = None, commit: BatchCommit | None = None) -> list[Reject]:
        """Commit one batch. With `after`, the batch loads while that earlier batch (whose rows not yet committed
        are `in_flight`) finishes, and commits only after it: run totals and resume offsets stay in file order.
        `commit` is told how this batch's own attempts go, for the batch after it."""
        try:
            rejects = self._write(batch, after, in_flight, commit)
        except BaseException as exc:
            if commit is not None:
                commit.finish(exc)
            raise
        if commit is not None:
            commit.finish()
        return rejects

    def _write(self, batch: Batch, after: BatchCommit | None, in_flight: Mapping[str, Existing] | None,
               commit: BatchCommit | None) -> list[Reject]:
        from insighta_desktop.resilience.retry import RetryEvent, retry_sync

        def report(event: RetryEvent) -> None:
            log.warning("Import batch ending at line %d: %s (%s)", batch.last_line, event.message, event.error)
            if commit is not None:
                commit.attempt_failed()
            if self.on_retry:
                self.on_retry(f"Database error, {event.message}: {type(event.error).__name__}")

        def attempts(after_batch: BatchCommit | None) -> tuple[Totals, list[Reject]] | None:
            return retry_sync(self._attempt, batch, after_batch, in_flight, max_retries=self.max_attempts,
                              initial_delay=self.initial_delay, max_delay=10.0, task_name="Import batch",
                              retry_if=is_retryable, on_retry=report, sleep=self.sleep, clock=self.clock)

        try:
            outcome = attempts(after)
        except _PredecessorRetrying:
            # The earlier batch needs the locks this transaction held (it rolled back): follow it, one at a time.
            assert after is not None  # raised only while waiting on an earlier batch
            after.wait_committed()
            outcome = attempts(None)
        if self.updates is not None:
            self.updates.committed()
        if outcome is None:  # committed by an earlier attempt whose answer was lost
            run = runs.get_run(self.engine, self.run_id)
            assert run is not None
            self.totals = Totals.from_run(run)
            rejects = self._rejects_committed_earlier(batch)
        else:
            self.totals, rejects = outcome
        self.offset = batch.end_offset
        self.encoding = batch.encoding
        return rejects

    def _attempt(self, batch: Batch, after: BatchCommit | None,
                 in_flight: Mapping[str, Existing] | None) -> tuple[Totals, list[Reject]] | None:
        seen = after.failed_attempts if after is not None else None
        with self.store.write() as tx:
            # A batch whose commit succeeded although its answer was lost is recognised by the run's committed
            # offset: SQLite reads it first (a write, so it takes its write lock before the existence check),
            # PostgreSQL with the commit, in its round trip. Either way the run's row is locked only once the
            # earlier batch committed.
            if tx.claim_first(self.run_id, batch.end_offset):
                tx.rollback()
                return None
            result, updates = self._load(tx, batch, in_flight)
            if after is not None:
                after.wait_committed(seen)
            try:
                with tx.committing(self.run_id, batch.end_offset):
                    outcome = self._record(tx, batch, result, updates)
            except BatchCommittedEarlier:
                return None
            return outcome

    def _load(self, tx: ProfileWrite, batch: Batch,
              in_flight: Mapping[str, Existing] | None) -> tuple[LoadResult, UpdateResult]:
        columns = batch.columns
        created_at = self.now()
        with self._ids_lock:
            ids = self.ids.next_ids(len(columns.keys), int(created_at.timestamp() * 1000))
        profiles = ProfileBatch(ids, columns.names, columns.keys, columns.genders, columns.gender_ps,
                                columns.ages, columns.age_groups, columns.country_ids, columns.country_names,
                                columns.country_ps, columns.lines, created_at, self.run_id)
        loaded = tx.load(profiles, in_flight)
        if self.updates is None or not loaded.existing:
            return loaded, NO_UPDATES
        # Names stored before this run are updated; a name this run met before is a repeat in the file.
        return loaded, self.updates.update(tx.connection, profiles, loaded.existing)

    def _record(self, tx: ProfileWrite, batch: Batch, result: LoadResult,
                updates: UpdateResult = NO_UPDATES) -> tuple[Totals, list[Reject]]:
        existing = result.existing
        if updates.keys:
            existing = {key: where for key, where in existing.items() if key not in updates.keys}
        rejects = self._duplicates(batch, existing)
        written = updates.updated + updates.unchanged
        if result.inserted + written + len(rejects) != batch.records:
            raise RuntimeError(f"import counts do not add up for lines up to {batch.last_line}: "
                               f"{result.inserted} inserted + {written} updated + {len(rejects)} rejected "
                               f"!= {batch.records} rows")
        totals = self.totals.plus(batch, result.inserted, rejects, updates)
        tx.add_counts(result)
        runs.record_batch(tx.connection, self.run_id, rejects=rejects, total_rows=totals.total_rows,
                          inserted=totals.inserted, skipped=totals.skipped, reasons=totals.reasons,
                          corrected=totals.corrected, last_offset=batch.end_offset, last_line=batch.last_line,
                          encoding=batch.encoding, now=self.now(), updated=totals.updated,
                          unchanged=totals.unchanged)
        return totals, rejects

    def in_flight_names(self, batch: Batch) -> Mapping[str, Existing]:
        """The names `batch` may insert, as a later batch's lookup should see them before they are committed."""
        columns = batch.columns
        return InFlightNames(self.run_id, dict(zip(columns.keys, columns.lines, strict=True)))

    def _duplicates(self, batch: Batch, existing: dict[str, Existing]) -> list[Reject]:
        """The batch's rejects plus its rows whose name the database already holds, in line order."""
        rejects = list(batch.rejects)
        if existing:
            for index, key in batch.repeats.items():  # the earlier line of this batch was not inserted either
                if key in existing:
                    rejects[index] = rejects[index]._replace(detail=self._detail(existing[key]))
            columns = batch.columns
            for i in compress(range(len(columns.keys)), map(existing.__contains__, columns.keys)):
                detail = self._detail(existing[columns.keys[i]])
                rejects.append(Reject(columns.lines[i], DUPLICATE, detail, columns.raws[i].rstrip("\r")))
        rejects.sort(key=lambda r: r.line_number)
        return [r._replace(raw_line=runs.clip_raw(r.raw_line))
                if len(r.raw_line) > runs.MAX_STORED_RAW or "\x00" in r.raw_line else r for r in rejects]

    def _detail(self, where: Existing) -> str:
        if where.import_run_id == self.run_id and where.source_line is not None:
            return f"repeats line {where.source_line}"
        return IN_DATABASE

    def _rejects_committed_earlier(self, batch: Batch) -> list[Reject]:
        first = min([r.line_number for r in batch.rejects] + batch.columns.lines[:1] or [batch.last_line])
        return [r for r in runs.iter_rejects(self.engine, self.run_id)
                if first <= r.line_number <= batch.last_line]
