"""The dialect set-up in one round trip (db/pg_connect.py) leaves the dialect as SQLAlchemy's own initialize() does,
and hands the schema version read with it to ensure_schema once."""
from __future__ import annotations

import sqlalchemy as sa

from insighta_desktop.db.engine import create_engine_for
from insighta_desktop.db.migrations import read_schema_version
from insighta_desktop.db.pg_connect import _version_tuple, schema_version_read_on_connect
from insighta_desktop.db.schema import SCHEMA_VERSION

ATTRIBUTES = ("server_version_info", "default_schema_name", "default_isolation_level", "max_identifier_length",
              "_backslash_escapes", "supports_smallserial", "_supports_drop_index_concurrently",
              "supports_identity_columns", "_supports_jsonb_subscripting", "supports_virtual_generated_columns",
              "insert_returning", "insert_executemany_returning")


def test_the_dialect_is_set_up_as_sqlalchemy_does(ready_pg_url):
    ours = create_engine_for(ready_pg_url)
    plain = sa.create_engine(sa.engine.make_url(ready_pg_url).set(drivername="postgresql+psycopg"))
    try:
        for engine in (ours, plain):
            with engine.connect() as conn:
                conn.exec_driver_sql("SELECT 1")
        for name in ATTRIBUTES:
            assert getattr(ours.dialect, name) == getattr(plain.dialect, name), name
    finally:
        ours.dispose()
        plain.dispose()


def test_the_schema_version_comes_with_the_first_connection_once(ready_pg_url):
    engine = create_engine_for(ready_pg_url)
    try:
        assert read_schema_version(engine) == SCHEMA_VERSION  # taken from the first connection's set-up
        assert schema_version_read_on_connect(engine) == -1  # and not kept for a later, possibly stale, read
        assert read_schema_version(engine) == SCHEMA_VERSION  # read again by a query
    finally:
        engine.dispose()


def test_version_numbers():
    assert _version_tuple(150020) == (15, 20)
    assert _version_tuple(180000) == (18, 0)
    assert _version_tuple(90624) == (9, 6, 24)


def test_connections_ask_tcp_to_notice_a_dead_link(ready_pg_url):
    """Keepalives and a TCP user timeout on every connection, unless the URL sets its own."""
    from insighta_desktop.db.engine import KEEPALIVES, psycopg_connection

    engine = create_engine_for(ready_pg_url)
    own = create_engine_for(sa.engine.make_url(ready_pg_url).update_query_dict({"keepalives_idle": "42"}))
    try:
        with engine.connect() as conn:
            params = psycopg_connection(conn).info.get_parameters()
        assert {key: params.get(key) for key in KEEPALIVES} == {key: str(value) for key, value in KEEPALIVES.items()}
        with own.connect() as conn:
            assert psycopg_connection(conn).info.get_parameters()["keepalives_idle"] == "42"
    finally:
        engine.dispose()
        own.dispose()
