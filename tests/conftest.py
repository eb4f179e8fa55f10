"""Shared fixtures: headless Qt, and a database per test on SQLite and on PostgreSQL."""
from __future__ import annotations

import os
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import psycopg  # noqa: E402
import pytest  # noqa: E402
from sqlalchemy.engine import make_url  # noqa: E402

from insighta_desktop.db.engine import create_engine_for  # noqa: E402
from insighta_desktop.db.migrations import ensure_schema  # noqa: E402
from tests.pg_schemas import ReadySchemas, create_schema, drop_schema, libpq_dsn, schema_url  # noqa: E402

REPO_ROOT = Path(__file__).resolve().parents[1]
SAMPLE_DATA_DIR = REPO_ROOT / "tests" / "data"
DEFAULT_PG_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/test"
IN_CI = os.environ.get("CI", "").lower() in ("1", "true", "yes")

# The fake Gemini and Resend servers (fake_gemini, fake_resend), MeetMind databases (meetmind) and PostgreSQL roles
# (reader_role, closed_port), for every test that asks for them.
pytest_plugins = ["tests.fakes.fixtures", "tests.meetmind_db", "tests.pg_roles"]


@pytest.fixture(scope="session")
def pg_server_url() -> str:
    """The PostgreSQL server for tests; skipped locally when unreachable, a failure under CI."""
    url = os.environ.get("INSIGHTA_TEST_PG_URL", DEFAULT_PG_URL)
    try:
        psycopg.connect(libpq_dsn(url), connect_timeout=3).close()
    except psycopg.OperationalError as exc:
        if IN_CI:
            pytest.fail(f"PostgreSQL is required in CI and is unreachable: {exc}")
        pytest.skip(f"PostgreSQL unreachable at {make_url(url).render_as_string()}: {exc}")
    return url


@pytest.fixture
def pg_url(pg_server_url: str):
    """A URL whose connections live in an empty schema of their own, dropped after the test."""
    dsn = libpq_dsn(pg_server_url)
    schema_name = create_schema(dsn)
    yield schema_url(pg_server_url, schema_name)
    drop_schema(dsn, schema_name)


@pytest.fixture(scope="session")
def ready_pg_schemas(pg_server_url: str):
    schemas = ReadySchemas(pg_server_url)
    yield schemas
    schemas.close()


@pytest.fixture
def ready_pg_url(ready_pg_schemas: ReadySchemas):
    """A URL in a schema of its own with the current tables and no rows, emptied for another test afterwards."""
    schema_name = ready_pg_schemas.acquire()
    yield schema_url(ready_pg_schemas.server_url, schema_name)
    ready_pg_schemas.release(schema_name)


@pytest.fixture(scope="session")
def sample_data_dir() -> Path:
    """The real sample data committed under tests/data: seed_profiles.json and csv_samples/*.csv."""
    return SAMPLE_DATA_DIR


@pytest.fixture
def sqlite_url(tmp_path) -> str:
    return f"sqlite:///{(tmp_path / 'insighta-test.db').as_posix()}"


# Fixtures that open db_url with ensure_schema and need no more than the current tables and no rows: on PostgreSQL
# they get a ready schema from the pool (see tests/pg_schemas.py); other tests of db_url get an empty schema.
READY_SCHEMA_USERS = {"db", "app_context"}


@pytest.fixture(params=["sqlite", "postgresql"])
def db_url(request) -> str:
    """An empty database URL, once for each back end (PostgreSQL: with the current tables for `db`, `app_context`)."""
    if request.param == "sqlite":
        return request.getfixturevalue("sqlite_url")
    ready = READY_SCHEMA_USERS.intersection(request.fixturenames)
    return request.getfixturevalue("ready_pg_url" if ready else "pg_url")


@pytest.fixture
def db(db_url: str):
    """An engine on a database of its own with the current schema and no rows, on SQLite and on PostgreSQL."""
    engine = create_engine_for(db_url)
    if engine.dialect.name != "postgresql":  # a PostgreSQL one is a ready schema, made by ensure_schema already
        ensure_schema(engine)
    yield engine
    engine.dispose()


@pytest.fixture
def sqlite_engine(sqlite_url: str):
    engine = create_engine_for(sqlite_url)
    ensure_schema(engine)
    yield engine
    engine.dispose()


_postgres_skips: list[str] = []


def pytest_runtest_logreport(report):
    if report.skipped and ("postgresql" in report.nodeid or "PostgreSQL" in str(report.longrepr)):
        _postgres_skips.append(report.nodeid)


def pytest_terminal_summary(terminalreporter, exitstatus, config):  # noqa: ARG001
    if _postgres_skips:
        terminalreporter.write_line(f"PostgreSQL tests skipped: {len(_postgres_skips)}", red=IN_CI)


def pytest_sessionfinish(session, exitstatus):  # noqa: ARG001
    """Under CI a skipped PostgreSQL test fails the run: CI must prove both back ends."""
    if IN_CI and _postgres_skips and session.exitstatus == 0:
        session.exitstatus = 1
