"""The profiles' data version, pushed: a background thread keeps it current so a cached search needs no round trip.

PostgreSQL: a trigger on `profile_data_version` sends `NOTIFY insighta_profiles, '<schema>:<version>'` whenever any
writer bumps the version (this app's triggers and importer, another client, psql). The watcher holds one connection
of its own (detached from the pool), LISTENs, reads the version once, and then follows the notifications; when the
server has no such trigger (a database not yet upgraded), or LISTEN fails, it polls the version every
`poll_interval` seconds instead. A lost connection is retried with backoff; meanwhile the version is unknown and
readers ask the server themselves (`current()` returns None), so nothing is ever served from a stale version for
longer than the notification (or poll) delay.

SQLite: no notifications; the watcher polls the one-row version table (a local read of a few microseconds) only to
tell subscribers (the GUI's "data changed"); searches read the version themselves.

Subscribers are called on the watcher's thread with the new version; a GUI re-emits it as a queued signal.
"""
from __future__ import annotations

import logging
import re
import threading
from collections.abc import Callable
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine

from insighta_desktop.db.engine import psycopg_connection
from insighta_desktop.db.search_sql import DATA_VERSION_SQL

log = logging.getLogger(__name__)

CHANNEL = "insighta_profiles"
NOTIFY_TRIGGER = "insighta_data_version_notify"
PG_POLL_SECONDS = 0.5
SQLITE_POLL_SECONDS = 0.25
WAIT_SLICE_SECONDS = 0.2  # how long one wait for notifications lasts before the stop flag is looked at again
BACKOFF_SECONDS = (0.5, 1.0, 2.0, 5.0, 10.0)
# A statement of this app that changes profiles: its commit makes the pushed version unknown until the next read,
# so this process never answers from its cache between its own commit and the notification of it.
_PROFILE_WRITE = re.compile(r"^\s*(insert\s+into|update|delete\s+from|truncate)\s+(table\s+)?\"?profiles\b",
                            re.IGNORECASE)

Subscriber = Callable[[int], None]


class DataVersionWatcher:
    """Follows one database's profile data version on a thread of its own; `close()` stops it."""

    def __init__(self, engine: Engine, *, poll_interval: float | None = None, listen: bool = True) -> None:
        self.engine = engine
        self.is_postgres = engine.dialect.name == "postgresql"
        default_poll = PG_POLL_SECONDS if self.is_postgres else SQLITE_POLL_SECONDS
        self.poll_interval = default_poll if poll_interval is None else poll_interval
        self.listen = listen and self.is_postgres
        self.mode = "starting"  # starting | listening | polling | reconnecting | closed
        self._version: int | None = None
        self._lock = threading.Lock()
        self._subscribers: list[Subscriber] = []
        self._stop = threading.Event()
        self._conn: Any = None  # the psycopg connection (PostgreSQL) or SQLAlchemy connection (SQLite)
        self._schema = "public"
        self._last_told: int | None = None  # the version subscribers last heard of (the first read tells nobody)
        self._thread = threading.Thread(target=self._run, name="insighta-data-version", daemon=True)
        sa.event.listen(engine, "before_cursor_execute", self._flag_profile_write)
        sa.event.listen(engine, "commit", self._on_commit)
        sa.event.listen(engine, "begin", self._on_begin)
        self._thread.start()

    # -- what readers use ------------------------------------------------------------------------------------------
    def current(self) -> int | None:
        """The version pushed by the server, or None while it is unknown (starting, reconnecting, polling SQLite)."""
        with self._lock:
            return self._version if self.mode == "listening" or self.mode == "polling" else None

    def expect_change(self) -> None:
        """This process committed a change to profiles: read the version from the server until it is pushed."""
        with self._lock:
            self._version = None

    def subscribe(self, callback: Subscriber) -> Callable[[], None]:
        """Call `callback(version)` on every change from now on; returns the function that stops it."""
        with self._lock:
            self._subscribers.append(callback)

        def unsubscribe() -> None:
            with self._lock:
                if callback in self._subscribers:
                    self._subscribers.remove(callback)

        return unsubscribe

    def close(self) -> None:
        self._stop.set()
        if self._thread.is_alive() and self._thread is not threading.current_thread():
            self._thread.join(timeout=5)
        for event, listener in (("before_cursor_execute", self._flag_profile_write), ("commit", self._on_commit),
                                ("begin", self._on_begin)):
            if sa.event.contains(self.engine, event, listener):
                sa.event.remove(self.engine, event, listener)
        with self._lock:
            self.mode, self._version = "closed", None

    # -- the thread ------------------------------------------------------------------------------------------------
    def _run(self) -> None:
        failures = 0
        while not self._stop.is_set():
            try:
                self._connect()
                failures = 0
                self._follow()
            except Exception as exc:  # a lost link, a server restart: retry with backoff
                with self._lock:
                    self._version = None
                    if self.mode != "closed":
                        self.mode = "reconnecting"
                delay = BACKOFF_SECONDS[min(failures, len(BACKOFF_SECONDS) - 1)]
                failures += 1
                log.info("Data version watcher lost its connection (%s); retrying in %.1f s", exc, delay)
                self._stop.wait(delay)
            finally:
                self._disconnect()

    def _connect(self) -> None:
        if self.is_postgres:
            fairy = self.engine.raw_connection()
            conn = psycopg_connection(fairy)
            fairy.detach()  # this connection is the watcher's: it never goes back to the pool
            conn.autocommit = True
            self._conn = conn
            listening = False
            if self.listen and self._has_notify_trigger():
                try:
                    conn.execute(f"LISTEN {CHANNEL}")
                    listening = True
                except Exception as exc:  # e.g. a transaction-pooling proxy in between
                    log.info("LISTEN refused (%s); polling the data version instead", exc)
            schema_row = conn.execute("SELECT current_schema()").fetchone()
            self._schema = str(schema_row[0]) if schema_row and schema_row[0] else "public"
            self._set_version(self._read(), "listening" if listening else "polling")
        else:
            self._conn = self.engine.connect()
            self._set_version(self._read(), "polling")

    def _has_notify_trigger(self) -> bool:
        row = self._conn.execute(
            "SELECT EXISTS (SELECT 1 FROM pg_trigger WHERE tgname = %s "
            "AND tgrelid = to_regclass('profile_data_version'))", (NOTIFY_TRIGGER,)).fetchone()
        return bool(row and row[0])

    def _read(self) -> int:
        if self.is_postgres:
            row = self._conn.execute(DATA_VERSION_SQL).fetchone()
            return int(row[0] or 0) if row else 0
        conn: Connection = self._conn
        version = conn.exec_driver_sql(DATA_VERSION_SQL).scalar_one()
        conn.rollback()  # end the read transaction, so the next read sees other writers' commits
        return int(version or 0)

    def _follow(self) -> None:
        while not self._stop.is_set():
            if self.mode == "listening":
                for note in self._conn.notifies(timeout=WAIT_SLICE_SECONDS):
                    schema, _, payload = note.payload.rpartition(":")
                    if schema != self._schema:
                        continue  # another schema's profiles in the same database
                    version = int(payload) if payload.isdigit() else self._read()
                    self._set_version(version, "listening")
                if self._version is None:  # expect_change() and no notification yet: ask
                    self._set_version(self._read(), "listening")
            else:
                if self._stop.wait(self.poll_interval):
                    return
                self._set_version(self._read(), "polling")

    def _set_version(self, version: int, mode: str) -> None:
        with self._lock:
            if self.mode == "closed":
                return
            changed = self._last_told is not None and version != self._last_told
            self._version, self.mode, self._last_told = version, mode, version
            subscribers = list(self._subscribers) if changed else []
        for callback in subscribers:
            try:
                callback(version)
            except Exception:
                log.exception("A data version subscriber failed")

    def _disconnect(self) -> None:
        conn, self._conn = self._conn, None
        if conn is None:
            return
        try:
            conn.close()
        except Exception:
            pass

    def _flag_profile_write(self, conn: Connection, _cursor: object, statement: str, *_args: object) -> None:
        if _PROFILE_WRITE.match(statement):
            conn.info["insighta_profile_write"] = True

    def _on_begin(self, conn: Connection) -> None:
        conn.info.pop("insighta_profile_write", None)

    def _on_commit(self, conn: Connection) -> None:
        if conn.info.get("insighta_profile_write"):
            self.expect_change()
