"""Which database driver errors are worth retrying: the one place outside SQLAlchemy that knows the drivers'
exception classes (resilience/classify.py asks here)."""
from __future__ import annotations

import sqlite3
import sys

# SQLSTATE classes/codes meaning the connection (not the statement) failed.
PG_CONNECTION_SQLSTATES = ("08", "57P01", "57P02", "57P03")
SQLITE_BUSY_MESSAGES = ("database is locked", "database table is locked", "database is busy")


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
        # no SQLSTATE: the server never answered (refused, reset, closed)
        return sqlstate is None or sqlstate.startswith(PG_CONNECTION_SQLSTATES)
    if isinstance(exc, psycopg.InterfaceError):
        return "closed" in str(exc).lower()
    if isinstance(exc, psycopg.Error):
        return False
    return None
