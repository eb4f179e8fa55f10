"""The schema is created, upgraded and refused the same way on both back ends."""
from __future__ import annotations

import pytest
import sqlalchemy as sa

from insighta_desktop.db import schema
from insighta_desktop.db.engine import DatabaseUrlError, create_engine_for, mask_url, normalise_url
from insighta_desktop.db.migrations import SchemaError, SchemaTooNewError, current_version, ensure_schema, table_counts


def test_new_database_gets_every_table(db):
    names = set(sa.inspect(db).get_table_names())
    expected = {"profiles", "import_runs", "import_rejects", "interviews", "interview_sessions", "transcript_turns",
                "assessments", "chat_messages", "email_outbox", "schema_version"}
    assert expected <= names
    with db.connect() as conn:
        assert current_version(conn) == schema.SCHEMA_VERSION
    assert set(table_counts(db).values()) == {0}


def test_ensure_schema_is_idempotent(db):
    assert ensure_schema(db) == schema.SCHEMA_VERSION
    with db.connect() as conn:
        assert conn.execute(sa.select(sa.func.count()).select_from(schema.schema_version)).scalar_one() == 1


def test_name_key_is_unique(db):
    from datetime import UTC, datetime

    from insighta_desktop.profiles.ids import uuid7
    from insighta_desktop.profiles.model import normalise_name
    row = dict(name="Ada", name_key=normalise_name(" ADA "), gender="female", age=30, age_group="adult",
               country_id="NG", country_name="Nigeria", created_at=datetime.now(UTC))
    with db.begin() as conn:
        conn.execute(schema.profiles.insert().values(id=str(uuid7()), **row))
    with pytest.raises(sa.exc.IntegrityError), db.begin() as conn:
        conn.execute(schema.profiles.insert().values(id=str(uuid7()), **row))


def test_newer_database_is_refused(db):
    with db.begin() as conn:
        conn.execute(schema.schema_version.insert().values(
            version=schema.SCHEMA_VERSION + 1, applied_at=sa.func.now(), app_version="9.9"))
    with pytest.raises(SchemaTooNewError, match="newer Insighta Desktop"):
        ensure_schema(db)


def test_older_database_is_upgraded_and_sqlite_backed_up(db, tmp_path):
    """A real step to a version 2 adds a column; the SQLite file is backed up before it runs."""
    def add_note_column(conn):
        conn.execute(sa.text("ALTER TABLE interviews ADD COLUMN note TEXT"))

    before = ensure_schema(db, target=schema.SCHEMA_VERSION + 1, upgrades={schema.SCHEMA_VERSION + 1: add_note_column},
                           backup_dir=tmp_path / "backups")
    assert before == schema.SCHEMA_VERSION
    columns = {c["name"] for c in sa.inspect(db).get_columns("interviews")}
    assert "note" in columns
    with db.connect() as conn:
        assert current_version(conn) == schema.SCHEMA_VERSION + 1
    backups = list((tmp_path / "backups").glob("*.bak.db"))
    assert len(backups) == (1 if db.dialect.name == "sqlite" else 0)


def test_foreign_database_is_refused(db_url):
    engine = create_engine_for(db_url)
    with engine.begin() as conn:
        conn.execute(sa.text("CREATE TABLE profiles (id INTEGER)"))
    with pytest.raises(SchemaError, match="not created by Insighta"):
        ensure_schema(engine)
    engine.dispose()


def test_urls_are_masked_and_normalised():
    url = "postgres://alice:s3cret@db.example.com:5432/insighta?sslmode=require"
    assert "s3cret" not in mask_url(url)
    normalised = normalise_url(url)
    assert normalised.drivername == "postgresql+psycopg"
    assert normalised.query["sslmode"] == "require"
    with pytest.raises(DatabaseUrlError, match="Unsupported database"):
        normalise_url("mysql://x@y/z")


def test_postgres_engine_sets_statement_timeout(pg_url):
    engine = create_engine_for(pg_url, statement_timeout_ms=1234)
    with engine.connect() as conn:
        assert conn.exec_driver_sql("show statement_timeout").scalar_one() == "1234ms"
    engine.dispose()


def test_postgres_sessions_compile_no_jit_unless_the_url_asks(pg_url):
    """The app's short statements never gain from JIT compilation (it cost 8-25 ms per statement costed over
    jit_above_cost); the setting comes with the connection's start-up, and the URL's own options still win."""
    for url, expected in ((pg_url, "off"), (pg_url + ("&" if "?" in pg_url else "?") + "options=-c%20jit%3Don", "on")):
        engine = create_engine_for(url, statement_timeout_ms=1234)
        with engine.connect() as conn:
            assert conn.exec_driver_sql("show jit").scalar_one() == expected
            assert conn.exec_driver_sql("show statement_timeout").scalar_one() == "1234ms"
        engine.dispose()


def test_timestamps_come_back_as_aware_utc(db):
    from datetime import UTC, datetime, timedelta, timezone

    lagos = timezone(timedelta(hours=1))
    written = datetime(2026, 3, 1, 13, 30, tzinfo=lagos)
    with db.begin() as conn:
        conn.execute(schema.interviews.insert().values(id="i1", candidate_name="A", role="R", status="completed",
                                                       created_at=written))
        read = conn.execute(sa.select(schema.interviews.c.created_at)).scalar_one()
    assert read == written and read.tzinfo == UTC and read.hour == 12
