"""Schema version 11: profile_counts' pages are filled to half on PostgreSQL (db/schema.py: COUNTS_FILLFACTOR), so an
import's many updates of its rows stay on their page and do not leave the table full of dead rows for every total to
read. A fresh database has it; a version-10 one gains it and keeps its counts; SQLite has nothing to change."""
from __future__ import annotations

from datetime import UTC, datetime

import sqlalchemy as sa

from insighta_desktop import __version__
from insighta_desktop.db import schema
from insighta_desktop.db.engine import create_engine_for
from insighta_desktop.db.migrations import current_version, ensure_schema
from insighta_desktop.db.transcript_index import create_transcript_index
from insighta_desktop.db.triggers import install_triggers
from insighta_desktop.demo.loader import load_demo_data


def counts_options(engine) -> list[str]:
    with engine.connect() as conn:
        found = conn.execute(sa.text("SELECT reloptions FROM pg_class WHERE oid = 'profile_counts'::regclass")
                             ).scalar_one()
    return list(found or [])


def counts(engine) -> list[tuple]:
    with engine.connect() as conn:
        return sorted(map(tuple, conn.execute(sa.select(schema.profile_counts))))


def test_a_new_postgresql_database_fills_the_counts_pages_to_half(ready_pg_url):
    engine = create_engine_for(ready_pg_url)
    try:
        assert counts_options(engine) == [f"fillfactor={schema.COUNTS_FILLFACTOR}"]
    finally:
        engine.dispose()


def test_a_version_10_database_is_upgraded_and_keeps_its_counts(db_url, tmp_path):
    engine = create_engine_for(db_url)
    postgres = engine.dialect.name == "postgresql"
    try:
        with engine.begin() as conn:
            schema.metadata.create_all(conn)
            create_transcript_index(conn)
            install_triggers(conn)
            if postgres:  # as version 10 created it
                conn.exec_driver_sql("ALTER TABLE profile_counts RESET (fillfactor)")
            conn.execute(schema.schema_version.insert().values(version=10, applied_at=datetime.now(UTC),
                                                               app_version=__version__))
        load_demo_data(engine, profiles=300, interviews=0)
        before = counts(engine)
        assert before and sum(row[-1] for row in before) == 300
        if postgres:
            assert counts_options(engine) == []
        assert ensure_schema(engine, backup_dir=tmp_path / "backups") == 10
        with engine.connect() as conn:
            assert current_version(conn) == schema.SCHEMA_VERSION
        assert counts(engine) == before
        if postgres:
            assert counts_options(engine) == [f"fillfactor={schema.COUNTS_FILLFACTOR}"]
    finally:
        engine.dispose()
