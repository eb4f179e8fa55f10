"""Shared fixtures: headless Qt, and a database per test on SQLite and on PostgreSQL."""
from __future__ import annotations

import os
import sys
import time
import uuid
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import psycopg  # noqa: E402
import pytest  # noqa: E402
from sqlalchemy.engine import make_url  # noqa: E402

from insighta_desktop.db.engine import create_engine_for  # noqa: E402
from insighta_desktop.db.migrations import ensure_schema  # noqa: E402

REPO_ROOT = Path(__file__).resolve().parents[1]
SAMPLE_DATA_DIR = REPO_ROOT / "tests" / "data"
DEFAULT_PG_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/test"
IN_CI = os.environ.get("CI", "").lower() in ("1", "true", "yes")

# The fake Gemini and Resend servers (fake_gemini, fake_resend) and MeetMind databases (meetmind), for every test
# that asks for them.
pytest_plugins = ["tests.fakes.fixtures", "tests.meetmind_db"]


def _libpq_dsn(url: str) -> str:
    return make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)


@pytest.fixture(scope="session")
def pg_server_url() -> str:
    """The PostgreSQL server for tests; skipped locally when unreachable, a failure under CI."""
    url = os.environ.get("INSIGHTA_TEST_PG_URL", DEFAULT_PG_URL)
    try:
        psycopg.connect(_libpq_dsn(url), connect_timeout=3).close()
    except psycopg.OperationalError as exc:
        if IN_CI:
            pytest.fail(f"PostgreSQL is required in CI and is unreachable: {exc}")
        pytest.skip(f"PostgreSQL unreachable at {make_url(url).render_as_string()}: {exc}")
    return url


@pytest.fixture
def pg_url(pg_server_url: str):
    """A URL whose connections live in a schema of their own, dropped after the test."""
    schema_name = f"t_{uuid.uuid4().hex[:12]}"
    dsn = _libpq_dsn(pg_server_url)
    with psycopg.connect(dsn, autocommit=True) as conn:
        conn.execute(f'CREATE SCHEMA "{schema_name}"')
    url = make_url(pg_server_url).update_query_dict({"options": f"-csearch_path={schema_name}"})
    yield url.render_as_string(hide_password=False)
    _drop_schema(dsn, schema_name)


def _drop_schema(dsn: str, schema_name: str, attempts: int = 20) -> None:
    """Drop the test's schema; a query a test left running in a worker thread may hold a lock for a moment."""
    for attempt in range(attempts):
        try:
            with psycopg.connect(dsn, autocommit=True) as conn:
                conn.execute("SET lock_timeout = '2s'")
                conn.execute(f'DROP SCHEMA "{schema_name}" CASCADE')
            return
        except (psycopg.errors.DeadlockDetected, psycopg.errors.LockNotAvailable):
            if attempt == attempts - 1:
                raise
            time.sleep(0.25)


@pytest.fixture(scope="session")
def sample_data_dir() -> Path:
    """The real sample data committed under tests/data: seed_profiles.json and csv_samples/*.csv."""
    return SAMPLE_DATA_DIR


@pytest.fixture
def sqlite_url(tmp_path) -> str:
    return f"sqlite:///{(tmp_path / 'insighta-test.db').as_posix()}"


@pytest.fixture(params=["sqlite", "postgresql"])
def db_url(request) -> str:
    """An empty database URL, once for each back end."""
    fixture = "sqlite_url" if request.param == "sqlite" else "pg_url"
    return request.getfixturevalue(fixture)


@pytest.fixture
def db(db_url: str):
    """An engine on a fresh database with the current schema, once for SQLite and once for PostgreSQL."""
    engine = create_engine_for(db_url)
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
    session.config._insighta_exit_status = int(session.exitstatus)


def pytest_unconfigure(config):
    """Leave without interpreter finalization once everything is reported.

    After tests that run an import on a QThread, PySide6 6.12 can over-release a reference while the interpreter
    tears down ("Fatal Python error: bool_dealloc"), turning a green run into exit code 134. The results are final
    by now, so the process exits with pytest's own status instead.
    """
    status = getattr(config, "_insighta_exit_status", None)
    if status is not None and "PySide6.QtCore" in sys.modules:
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(status)
