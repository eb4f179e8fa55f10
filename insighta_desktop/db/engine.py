"""Engine factory: the embedded SQLite file by default, or PostgreSQL through psycopg with a pool."""
from __future__ import annotations

import logging
import sqlite3
import time
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, cast

import sqlalchemy as sa
from sqlalchemy.engine import URL, Connection, Engine
from sqlalchemy.pool import PoolProxiedConnection

from insighta_desktop.db.pg_connect import initialize_in_one_round_trip
from insighta_desktop.db.url_hosts import needs_write_session, parse_url, write_url
from insighta_desktop.db.url_secrets import mask_url as mask_url  # re-exported: callers import it from here
from insighta_desktop.db.url_secrets import redact_secrets

if TYPE_CHECKING:
    import psycopg

log = logging.getLogger(__name__)

SQLITE_BUSY_TIMEOUT_MS = 30_000
CONNECT_TIMEOUT_S = 5  # per host, unless the URL sets connect_timeout
# A link that dies silently (a laptop's Wi-Fi gone, a NAT entry dropped) is noticed by TCP itself: an idle connection
# (the LISTEN connection waits for notifications) is probed after 15 s, three unanswered probes 5 s apart end it; sent
# data unacknowledged for 20 s ends it (Linux; elsewhere libpq ignores it). The URL's own values win.
KEEPALIVES: dict[str, int] = {"keepalives": 1, "keepalives_idle": 15, "keepalives_interval": 5,
                              "keepalives_count": 3, "tcp_user_timeout": 20_000}


class DatabaseUrlError(ValueError):
    """The database URL cannot be used (unknown scheme, unparseable)."""


def default_sqlite_url(data_dir: Path) -> str:
    return f"sqlite:///{(data_dir / 'insighta.db').as_posix()}"


def normalise_url(url: str) -> URL:
    """Accept the spellings people paste (postgres://, postgresql://) and pin the psycopg 3 driver."""
    try:
        parsed = parse_url(url)
    except Exception as exc:  # sqlalchemy.exc.ArgumentError and friends
        raise DatabaseUrlError(f"Not a database URL: {mask_url(url)} ({redact_secrets(str(exc), url)})") from None
    backend = parsed.get_backend_name()
    if backend in ("postgres", "postgresql"):
        return parsed.set(drivername="postgresql+psycopg")
    if backend == "sqlite":
        return parsed.set(drivername="sqlite+pysqlite")
    raise DatabaseUrlError(f"Unsupported database {backend!r}: use an SQLite file or a postgresql:// URL")


def database_name(url: str | URL) -> str:
    """What a person calls the database: the SQLite file's name, or the PostgreSQL database's name."""
    try:
        parsed = url if isinstance(url, URL) else parse_url(str(url))
    except Exception:
        return "unknown database"
    if parsed.get_backend_name() == "sqlite":
        if not parsed.database or parsed.database == ":memory:":
            return "in-memory database"
        return Path(parsed.database).name
    return parsed.database or parsed.username or "postgres"  # libpq's defaults: the user's name, then postgres


def is_sqlite(engine: Engine) -> bool:
    return engine.dialect.name == "sqlite"


def _driver_connection(conn: Connection | PoolProxiedConnection) -> Any:
    pooled = conn.connection if isinstance(conn, Connection) else conn
    raw = pooled.driver_connection
    if raw is None:  # SQLAlchemy leaves None only on a connection it has invalidated
        raise sa.exc.ResourceClosedError("The database connection was closed")
    return raw


def psycopg_connection(conn: Connection | PoolProxiedConnection) -> psycopg.Connection[Any]:
    """The psycopg connection under a PostgreSQL `conn` (or pooled raw connection), for COPY, array parameters
    and autocommit reads."""
    return cast("psycopg.Connection[Any]", _driver_connection(conn))


def sqlite_connection(conn: Connection) -> sqlite3.Connection:
    """The sqlite3 connection under an SQLite `conn`, for executemany without SQLAlchemy's per-row work."""
    return cast(sqlite3.Connection, _driver_connection(conn))


def create_engine_for(url: str | URL, *, pool_size: int = 5, statement_timeout_ms: int = 30_000) -> Engine:
    """One engine per database URL; callers keep it for the life of the app (or test)."""
    parsed = normalise_url(url if isinstance(url, str) else url.render_as_string(hide_password=False))
    if parsed.get_backend_name() == "sqlite":
        return _sqlite_engine(parsed)
    return _postgres_engine(parsed, pool_size=pool_size, statement_timeout_ms=statement_timeout_ms)


@dataclass(frozen=True)
class Engines:
    """The engine searches read through, and the one imports and writes use: the same engine, unless the URL lets
    libpq settle for a standby (several hosts, or `target_session_attrs=prefer-standby` and the like), when writes
    get an engine of their own that asks for `target_session_attrs=read-write`."""

    read: Engine
    write: Engine

    @property
    def split(self) -> bool:
        return self.read is not self.write

    def dispose(self) -> None:
        self.read.dispose()
        if self.split:
            self.write.dispose()


def create_engines_for(url: str, *, pool_size: int = 5, statement_timeout_ms: int = 30_000) -> Engines:
    """The read and write engines for a database URL (see Engines)."""
    parsed = normalise_url(url)
    read = create_engine_for(parsed, pool_size=pool_size, statement_timeout_ms=statement_timeout_ms)
    if parsed.get_backend_name() != "postgresql" or not needs_write_session(parsed):
        return Engines(read, read)
    write = create_engine_for(write_url(parsed), pool_size=pool_size, statement_timeout_ms=statement_timeout_ms)
    return Engines(read, write)


def _sqlite_engine(url: URL) -> Engine:
    if url.database and url.database != ":memory:":
        Path(url.database).parent.mkdir(parents=True, exist_ok=True)
    engine = sa.create_engine(url, connect_args={"timeout": SQLITE_BUSY_TIMEOUT_MS / 1000, "check_same_thread": False})

    @sa.event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn: sqlite3.Connection, _record: object) -> None:
        # pysqlite's own transaction handling defers BEGIN; take it over so BEGIN is explicit and immediate-safe.
        dbapi_conn.isolation_level = None
        cur = dbapi_conn.cursor()
        cur.execute("PRAGMA journal_mode=WAL")
        cur.execute("PRAGMA synchronous=NORMAL")
        cur.execute("PRAGMA foreign_keys=ON")
        cur.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
        cur.close()

    @sa.event.listens_for(engine, "begin")
    def _on_begin(conn: Connection) -> None:
        conn.exec_driver_sql("BEGIN")

    return engine


def _postgres_engine(url: URL, *, pool_size: int, statement_timeout_ms: int) -> Engine:
    options = url.query.get("options", "")
    if isinstance(options, tuple):
        options = " ".join(options)
    # No JIT compilation: the app's statements are short (a page, a capped count, facets), and a plan costed over
    # jit_above_cost (a capped count's init plan priced as a full scan) spent 8-25 ms compiling what then ran in
    # under 2 ms (a probability filter's first page on 5,000,000 rows). First, so the URL's own options win.
    options = " ".join(part for part in ("-c jit=off", options, f"-c statement_timeout={int(statement_timeout_ms)}")
                       if part)
    url = url.difference_update_query(["options"])
    connect_args: dict[str, object] = {"options": options, "application_name": "insighta-desktop"}
    defaults: dict[str, object] = {"connect_timeout": CONNECT_TIMEOUT_S, **KEEPALIVES}
    # The URL's own win (connect_args would override them).
    connect_args.update((key, value) for key, value in defaults.items() if key not in url.query)
    engine = sa.create_engine(
        url,
        pool_size=pool_size,
        max_overflow=pool_size,
        pool_recycle=1800,
        connect_args=connect_args,
        use_native_hstore=False,  # no hstore columns: skip the type lookup on the first connection
    )
    initialize_in_one_round_trip(engine)
    _ping_idle_connections(engine)
    return engine


# A pooled connection idle for longer than this is pinged before use (a round trip); one used more recently is not:
# a ping on every checkout was a round trip per user action. A connection that failed since is dropped at checkout
# (psycopg marks it broken), and a statement that meets a dead link is retried by the callers' retry layer.
IDLE_PING_SECONDS = 20.0


def _ping_idle_connections(engine: Engine) -> None:
    @sa.event.listens_for(engine, "checkin")
    def _checked_in(_dbapi_conn: Any, record: Any) -> None:
        record.info["insighta_idle_since"] = time.monotonic()

    @sa.event.listens_for(engine, "checkout")
    def _checked_out(dbapi_conn: Any, record: Any, _proxy: Any) -> None:
        if getattr(dbapi_conn, "broken", False) or getattr(dbapi_conn, "closed", False):
            raise sa.exc.DisconnectionError("the connection was lost while idle in the pool")
        since = record.info.get("insighta_idle_since")
        if since is None or time.monotonic() - since < IDLE_PING_SECONDS:
            return  # new, or used a moment ago
        try:
            engine.dialect.do_ping(dbapi_conn)
        except Exception as exc:  # the pool then connects afresh
            raise sa.exc.DisconnectionError(f"the idle connection did not answer a ping: {exc}") from exc


def check_connection(engine: Engine) -> str:
    """Connect once and return the server's version string; raises with the driver's reason on failure."""
    with engine.connect() as conn:
        if is_sqlite(engine):
            version: str = conn.exec_driver_sql("select sqlite_version()").scalar_one()
            return "SQLite " + version
        version = conn.exec_driver_sql("show server_version").scalar_one()
        return "PostgreSQL " + version
