"""PostgreSQL connections without start-up chatter: SQLAlchemy's dialect set-up in one round trip instead of six.

On the first connection of an engine SQLAlchemy's psycopg dialect asks the server, one statement and one round trip
each, for its version, the current schema, the default isolation level (plus a ROLLBACK), the maximum identifier
length and `standard_conforming_strings`, and looks up the hstore type's OIDs (a catalog query): about 7 round
trips before a one-shot CLI command's first statement. The server version and `standard_conforming_strings` came
with the connection handshake already (psycopg's `conn.info`); the rest is one SELECT here, in autocommit, so no
BEGIN/ROLLBACK either. The app uses no hstore columns, so that lookup is dropped (`use_native_hstore=False`).
"""
from __future__ import annotations

from typing import Any

import psycopg
from sqlalchemy.engine import Connection, Engine

SCHEMA_VERSION_SQL = "SELECT max(version) FROM schema_version"
SETTINGS_SQL = ("SELECT current_schema(), current_setting('transaction_isolation'), "
                "current_setting('max_identifier_length')")


def _version_tuple(server_version: int) -> tuple[int, ...]:
    """psycopg's `info.server_version` (e.g. 160004, or 90624 before PostgreSQL 10) as SQLAlchemy's tuple."""
    if server_version >= 100_000:
        return server_version // 10_000, server_version % 10_000
    return server_version // 10_000, server_version // 100 % 100, server_version % 100


def initialize_in_one_round_trip(engine: Engine) -> None:
    """Replace the engine's dialect initialize() (run once, on its first connection) by a one-statement one."""
    dialect: Any = engine.dialect

    def initialize(connection: Connection) -> None:
        raw = connection.connection.dbapi_connection
        assert raw is not None
        autocommit = raw.autocommit
        raw.autocommit = True  # no BEGIN before the SELECT, no ROLLBACK after
        try:
            # The schema version rides along in the same round trip: the first thing every start asks
            # (read_schema_version takes it from here).
            settings = raw.cursor()
            version_read = raw.cursor()
            try:
                with raw.pipeline():
                    settings.execute(SETTINGS_SQL)
                    version_read.execute(SCHEMA_VERSION_SQL)
                row = version_read.fetchone()
                dialect.insighta_schema_version = int(row[0] or 0) if row else 0
            except psycopg.errors.UndefinedTable:
                dialect.insighta_schema_version = None  # no version table: read_schema_version looks further
            found = settings.fetchone()
            assert found is not None  # one row of settings, always
            schema, isolation, max_identifier = found
        finally:
            raw.autocommit = autocommit
        version = _version_tuple(raw.info.server_version)
        dialect.server_version_info = version
        dialect.default_schema_name = schema
        dialect.default_isolation_level = str(isolation).upper()
        if not dialect._user_defined_max_identifier_length:
            dialect.max_identifier_length = int(max_identifier)
        # The rest of PGDialect.initialize / PGDialect_psycopg.initialize, from what the handshake reported.
        dialect._backslash_escapes = raw.info.parameter_status("standard_conforming_strings") == "off"
        dialect.supports_smallserial = version >= (9, 2)
        dialect._supports_drop_index_concurrently = version >= (9, 2)
        dialect.supports_identity_columns = version >= (10,)
        dialect._supports_jsonb_subscripting = version >= (14,)
        dialect.supports_virtual_generated_columns = version >= (18,)
        if not dialect.insert_returning:
            dialect.insert_executemany_returning = False
        dialect._has_native_hstore = False

    dialect.initialize = initialize


def schema_version_read_on_connect(engine: Engine) -> int | None:
    """The schema version read with the first connection's set-up (once; -1 when there is none to take)."""
    value: int | None = engine.dialect.__dict__.pop("insighta_schema_version", -1)
    return value
