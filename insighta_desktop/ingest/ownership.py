"""Who runs an import, and whether they are still alive: so `--resume` right after a crash continues at once, and a
run whose importer is still at work is never taken over.

The owner of a run holds a lock for as long as it imports: on PostgreSQL a session advisory lock on the run id (the
server drops it the moment the importing session's connection dies), on SQLite an exclusive `flock` on a small lock
file beside the database (the kernel drops it when the process dies). Taking the lock is therefore the liveness test:
whoever gets it owns the run. The run also records its owner's host and pid, and a heartbeat written with each batch
and by a timer between slow ones; where no lock can be taken (no lock file possible) those decide instead: the
owner is alive while its pid exists on this host, or, on another host, while its heartbeat is recent.
"""
from __future__ import annotations

import logging
import os
import socket
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import IO, Any

from sqlalchemy.engine import Engine

from insighta_desktop.db import run_ownership as stored
from insighta_desktop.ingest.runs import STALE_AFTER, RunRecord
from insighta_desktop.ingest.summary import RUNNING
from insighta_desktop.timestamps import as_utc

log = logging.getLogger(__name__)

HEARTBEAT_INTERVAL = 5.0  # seconds between the timer's heartbeats
HEARTBEAT_STALE = timedelta(seconds=30)  # an owner on another host with no heartbeat for this long is gone
SESSION_GONE_WAIT = 5.0  # seconds a dead owner's PostgreSQL session may take to end

try:
    import fcntl
except ImportError:  # Windows: pid and heartbeat decide
    fcntl = None  # type: ignore[assignment]  # the module is optional; None means "no lock files here"


def this_host() -> str:
    return socket.gethostname()


def _sqlite_lock_dir(engine: Engine) -> Path | None:
    database = engine.url.database
    if engine.dialect.name != "sqlite" or fcntl is None or not database or database == ":memory:":
        return None
    return Path(database).parent


class _RunLock:
    """The lock that says "this process imports run N" (PostgreSQL advisory lock or SQLite lock file)."""

    def __init__(self, engine: Engine, run_id: int) -> None:
        self.engine = engine
        self.run_id = run_id
        self._session: Any = None
        self._file: IO[bytes] | None = None
        self._path: Path | None = None

    @property
    def available(self) -> bool:
        return self.engine.dialect.name == "postgresql" or _sqlite_lock_dir(self.engine) is not None

    def try_acquire(self) -> bool:
        if self.engine.dialect.name == "postgresql":
            session = stored.open_lock_session(self.engine)
            try:
                got = stored.try_lock_run(session, self.run_id)
            except Exception:
                stored.close_lock_session(session, broken=True)
                raise
            if got:
                self._session = session
            else:
                stored.close_lock_session(session)
            return got
        folder = _sqlite_lock_dir(self.engine)
        if folder is None:
            return True
        assert fcntl is not None  # _sqlite_lock_dir is None without it
        path = folder / f".{Path(str(self.engine.url.database)).name}.import-run-{self.run_id}.lock"
        handle = path.open("ab")
        try:
            fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            handle.close()
            return False
        self._file, self._path = handle, path
        return True

    def release(self) -> None:
        session, self._session = self._session, None
        if session is not None:
            try:
                stored.unlock_run(session, self.run_id)
            except Exception:  # a broken connection: the server dropped the lock with it
                stored.close_lock_session(session, broken=True)
            else:
                stored.close_lock_session(session)
        handle, self._file = self._file, None
        if handle is not None:
            if self._path is not None:
                self._path.unlink(missing_ok=True)
            handle.close()


def _pid_exists(pid: int) -> bool:
    if pid <= 0:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # someone else's process
    except OSError:
        return False
    return True


def owner_alive_without_lock(record: RunRecord, now: datetime) -> bool:
    """The owner's liveness from the run's record alone (no lock to try)."""
    if record.owner_pid is None:  # a run of a version that kept no owner: the old rule, no batch for 2 minutes
        return now - as_utc(record.updated_at) <= STALE_AFTER
    beat = as_utc(record.heartbeat_at or record.updated_at)
    if record.owner_host == this_host():
        return _pid_exists(record.owner_pid) and (record.owner_pid != os.getpid() or now - beat <= HEARTBEAT_STALE)
    return now - beat <= HEARTBEAT_STALE


@dataclass
class Liveness:
    alive: bool
    holder: RunOwner | None = None  # when the check took the run's lock (the owner was gone): it now owns the run


class RunOwner:
    """Owns one run for this process: its lock, its owner columns and a heartbeat timer. `release` gives it all up."""

    def __init__(self, engine: Engine, run_id: int, *, now: Callable[[], datetime],
                 interval: float | None = None) -> None:
        self.engine = engine
        self.run_id = run_id
        self.now = now
        self.interval = HEARTBEAT_INTERVAL if interval is None else interval
        self._lock = _RunLock(engine, run_id)
        self._stop = threading.Event()
        self._timer: threading.Thread | None = None

    def try_acquire(self) -> bool:
        """Take the run's lock; False when another live process holds it."""
        return self._lock.try_acquire()

    def claim(self) -> None:
        """Record this process as the owner and start the heartbeat timer (after try_acquire succeeded)."""
        stored.set_details(self.engine, self.run_id, {"owner_host": this_host(), "owner_pid": os.getpid(),
                                                      "heartbeat_at": self.now()})
        self._timer = threading.Thread(target=self._beat, name=f"import-run-{self.run_id}-heartbeat", daemon=True)
        self._timer.start()

    def _beat(self) -> None:
        while not self._stop.wait(self.interval):
            try:
                stored.heartbeat(self.engine, self.run_id, self.now())
            except Exception as exc:  # a busy or lost database: the next beat tries again
                log.debug("Heartbeat of import run %d failed: %s", self.run_id, exc)

    def release(self) -> None:
        self._stop.set()
        if self._timer is not None:
            self._timer.join()
            self._timer = None
        self._lock.release()


def check_owner(engine: Engine, record: RunRecord, now: Callable[[], datetime]) -> Liveness:
    """Whether the run's owner is alive. A run not marked running has no owner; when the check could take the
    run's lock, the returned holder keeps it (release it, or claim the run)."""
    owner = RunOwner(engine, record.id, now=now)
    if record.status != RUNNING:
        if owner.try_acquire():
            return Liveness(False, owner)
        return Liveness(True)  # another process is resuming it right now
    if owner._lock.available and record.owner_pid is not None:
        if owner.try_acquire():
            return Liveness(False, owner)
        if record.owner_host == this_host() and not _pid_exists(record.owner_pid):
            # The owner process is gone; its database session ends as soon as the server sees the socket close.
            deadline = time.monotonic() + SESSION_GONE_WAIT
            while time.monotonic() < deadline:
                time.sleep(0.05)
                if owner.try_acquire():
                    return Liveness(False, owner)
        return Liveness(True)
    if owner_alive_without_lock(record, now()):
        return Liveness(True)
    if owner.try_acquire():
        return Liveness(False, owner)
    return Liveness(True)


def describe_owner(record: RunRecord, now: datetime) -> str:
    where = f"process {record.owner_pid} on {record.owner_host}" if record.owner_pid else "another process"
    beat = record.heartbeat_at or record.updated_at
    seconds = max(0, int((now - as_utc(beat)).total_seconds()))
    return f"{where} (last heard from {seconds} s ago)"


def owner_alive(engine: Engine, record: RunRecord, now: Callable[[], datetime]) -> bool:
    """Whether a run marked running has a live owner; takes nothing (a lock it could take is given back)."""
    liveness = check_owner(engine, record, now)
    if liveness.holder is not None:
        liveness.holder.release()
    return liveness.alive


def shown_state(engine: Engine, record: RunRecord, now: datetime) -> tuple[str, bool]:
    """(status as shown, whether it can be resumed) for a history: a running run whose owner is gone is
    interrupted (and resumable) at once, not after two minutes without a batch."""
    if record.status != RUNNING:
        return record.shown_status(now), record.can_resume(now)
    if owner_alive(engine, record, lambda: now):
        return RUNNING, False
    return "interrupted", True
