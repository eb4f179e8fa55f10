"""PostgreSQL roles and ports for tests of remote use (issue 11 §3-4): a role that may read the app's tables but not
write them, made for one test and dropped after it; a port where nothing listens."""
from __future__ import annotations

import socket
import uuid
from collections.abc import Iterator
from dataclasses import dataclass

import psycopg
import pytest
from sqlalchemy.engine import make_url

from tests.pg_schemas import libpq_dsn


@dataclass(frozen=True)
class ReaderRole:
    name: str
    url: str  # the schema's URL, connecting as this role


def schema_of(url: str) -> str:
    options = make_url(url).query["options"]
    return str(options).split("search_path=", 1)[1].strip()


@pytest.fixture
def reader_role(pg_url: str) -> Iterator[ReaderRole]:
    """A LOGIN role with USAGE on the test's schema and SELECT on its tables (and nothing else); the schema's tables
    are created first, as the app's owner."""
    from insighta_desktop.db.engine import create_engine_for
    from insighta_desktop.db.migrations import ensure_schema

    engine = create_engine_for(pg_url)
    ensure_schema(engine)
    engine.dispose()
    schema = schema_of(pg_url)
    name = f"insighta_reader_{uuid.uuid4().hex[:10]}"
    dsn = libpq_dsn(pg_url)
    with psycopg.connect(dsn, autocommit=True) as conn:
        conn.execute(f'CREATE ROLE "{name}" LOGIN')
        conn.execute(f'GRANT USAGE ON SCHEMA "{schema}" TO "{name}"')
        conn.execute(f'GRANT SELECT ON ALL TABLES IN SCHEMA "{schema}" TO "{name}"')
    yield ReaderRole(name, make_url(pg_url).set(username=name).render_as_string(hide_password=False))
    with psycopg.connect(dsn, autocommit=True) as conn:
        conn.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE usename = %s", (name,))
        conn.execute(f'REVOKE ALL ON ALL TABLES IN SCHEMA "{schema}" FROM "{name}"')
        conn.execute(f'REVOKE ALL ON SCHEMA "{schema}" FROM "{name}"')
        conn.execute(f'DROP ROLE "{name}"')


@pytest.fixture
def closed_port() -> int:
    """A port on 127.0.0.1 where nothing listens (connections are refused at once)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])

