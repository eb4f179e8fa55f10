"""What answered, and whether it lets this user write: read once when the app opens a database.

One statement on PostgreSQL (the server's version and the host come from the driver's connection, without a round
trip): the role's INSERT privilege on profiles, `transaction_read_only` (a role or database set to
`default_transaction_read_only`) and `pg_is_in_recovery()` (a standby). With a split read/write pair (a multi-host
URL), the label is the read engine's server and the verdict the write engine's.
"""
from __future__ import annotations

import os
import sys
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy.engine import Connection, Engine

from insighta_desktop.db.engine import Engines, is_sqlite, psycopg_connection

ACCESS_SQL = ("SELECT current_user, coalesce(has_table_privilege(to_regclass('profiles'), 'INSERT'), false), "
              "current_setting('transaction_read_only') = 'on', pg_is_in_recovery()")
# SQLSTATEs of a write the server refused: no privilege, a read-only transaction or server.
WRITE_REFUSED_SQLSTATES = ("42501", "25006")


class ReadOnlyDatabase(RuntimeError):
    """A write asked of a database this user may only read; the message says why, in a person's words."""

    transient = False

    def __init__(self, reason: str) -> None:
        super().__init__(f"This database is read-only for you: {reason}. Nothing was changed.")
        self.reason = reason


@dataclass(frozen=True)
class ServerInfo:
    backend: str  # "PostgreSQL 15", "SQLite 3.45.1"
    host: str | None  # the host that answered (None: an embedded file)
    database: str
    read_only_reason: str | None = None  # None: this user may write

    @property
    def read_only(self) -> bool:
        return self.read_only_reason is not None

    @property
    def label(self) -> str:
        """"PostgreSQL 15 · db.example.com · insighta" for the status bar."""
        return " · ".join(part for part in (self.backend, self.host, self.database) if part)

    def refuse_writes(self) -> None:
        """Raise ReadOnlyDatabase when this user may not write here."""
        if self.read_only_reason is not None:
            raise ReadOnlyDatabase(self.read_only_reason)


def read_server_info(engines: Engines, database: str) -> ServerInfo:
    """Connect (one statement per engine) and say what answered and whether writes are allowed. Blocking."""
    if is_sqlite(engines.read):
        return _sqlite_info(engines.read, database)
    with engines.read.connect() as conn:
        raw = psycopg_connection(conn)
        backend = f"PostgreSQL {raw.info.server_version // 10_000}"
        host = raw.info.host
        reason = None if engines.split else _read_only_reason(conn)
    if engines.split:
        try:
            with engines.write.connect() as conn:
                reason = _read_only_reason(conn)
        except Exception as exc:  # sqlalchemy's OperationalError: libpq found no read-write server
            reason = f"no read-write server is reachable ({failure_line(exc)})"
    return ServerInfo(backend, host if host and not host.startswith("/") else "localhost", database, reason)


def _read_only_reason(conn: Connection) -> str | None:
    user, may_insert, read_only, standby = conn.exec_driver_sql(ACCESS_SQL).one()
    if standby:
        return "the server is a standby (a read-only replica)"
    if read_only:
        return "the server only allows read-only sessions for this role (default_transaction_read_only)"
    if not may_insert:
        return f"the role “{user}” may read the profiles but not add or change them"
    return None


def _sqlite_info(engine: Engine, database: str) -> ServerInfo:
    with engine.connect() as conn:
        version = conn.exec_driver_sql("select sqlite_version()").scalar_one()
    path = engine.url.database
    reason = None
    if path and path != ":memory:" and Path(path).exists() and not os.access(path, os.W_OK):
        reason = f"the file {Path(path).name} is not writable"
    return ServerInfo(f"SQLite {version}", None, database, reason)


def failure_line(exc: BaseException) -> str:
    """The driver's own reason, first line only (SQLAlchemy's wrapper adds the SQL and a link)."""
    text = str(getattr(exc, "orig", None) or exc).strip()
    return text.splitlines()[0] if text else type(exc).__name__


def write_refused(exc: BaseException) -> bool:
    """True for the server's refusal of a write: no privilege (42501) or a read-only transaction (25006)."""
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        if isinstance(current, ReadOnlyDatabase):
            return True
        if "psycopg" in sys.modules and getattr(current, "sqlstate", None) in WRITE_REFUSED_SQLSTATES:
            return True
        orig = getattr(current, "orig", None)
        current = orig if isinstance(orig, BaseException) else current.__cause__
    return False
