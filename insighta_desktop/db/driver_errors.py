"""Which database driver errors are worth retrying: the one place outside SQLAlchemy that knows the drivers'
exception classes (resilience/classify.py asks here)."""
from __future__ import annotations

import sqlite3
import sys

# SQLSTATE classes/codes meaning the connection (not the statement) failed.
PG_CONNECTION_SQLSTATES = ("08", "57P01", "57P02", "57P03")
SQLITE_BUSY_MESSAGES = ("database is locked", "database table is locked", "database is busy")
# A failed connection attempt carries no SQLSTATE in psycopg, only libpq's text. "FATAL:" there means the server
# answered and refused: a wrong role, password or database stays wrong (permanent), unless it refused for now.
PG_REFUSED_FOR_NOW = ("starting up", "shutting down", "too many clients", "remaining connection slots",
                      "recovery mode", "not yet accepting connections")
# A host name that does not exist (a typo), as against a name service that cannot answer now (network down).
UNKNOWN_HOST_MESSAGES = ("name or service not known", "nodename nor servname provided", "no such host is known")


def driver_error_verdict(exc: BaseException) -> bool | None:
    """True: transient (a lost connection, a busy database); False: permanent; None: not a driver error."""
    if isinstance(exc, sqlite3.OperationalError):
        text = str(exc).lower()
        return any(m in text for m in SQLITE_BUSY_MESSAGES)
    if isinstance(exc, sqlite3.Error):
        return False
    psycopg = sys.modules.get("psycopg")  # never imported here: without it loaded, no psycopg error exists
    if psycopg is None:
        return None
    if isinstance(exc, psycopg.OperationalError):
        sqlstate = getattr(exc, "sqlstate", None)
        if sqlstate is not None:
            return bool(sqlstate.startswith(PG_CONNECTION_SQLSTATES))
        text = str(exc)
        if "FATAL:" in text:  # a connection attempt the server refused
            return any(m in text.lower() for m in PG_REFUSED_FOR_NOW)
        # else the server never answered (refused, reset, closed, timed out), unless the host does not exist
        return not any(m in text.lower() for m in UNKNOWN_HOST_MESSAGES)
    if isinstance(exc, psycopg.InterfaceError):
        return "closed" in str(exc).lower()
    if isinstance(exc, psycopg.Error):
        return False
    return None
