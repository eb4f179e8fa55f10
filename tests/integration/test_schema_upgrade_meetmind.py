"""Schema version 2 (interviews synced from MeetMind) upgrades a version-1 database on both back ends."""
from __future__ import annotations

from datetime import UTC, datetime

import sqlalchemy as sa

from insighta_desktop import __version__
from insighta_desktop.db import schema
from insighta_desktop.db.engine import create_engine_for
from insighta_desktop.db.migrations import current_version, ensure_schema
from insighta_desktop.db.triggers import install_triggers

NEW_IN_V2 = {"meetmind_interviews", "interview_notes"}
NEW_LATER = {"interview_speakers", "interview_sources", "interview_highlights"}  # versions 3 and 4


def create_version_1(engine) -> None:
    """The schema as version 1 wrote it: every table but those version 2 added."""
    with engine.begin() as conn:
        schema.metadata.create_all(conn, tables=[t for t in schema.metadata.sorted_tables
                                                 if t.name not in NEW_IN_V2 | NEW_LATER])
        install_triggers(conn)
        conn.execute(schema.schema_version.insert().values(version=1, applied_at=datetime.now(UTC),
                                                           app_version=__version__))
        conn.execute(schema.interviews.insert().values(id="kept", candidate_name="A", role="R", status="completed",
                                                       created_at=datetime.now(UTC)))


def test_version_1_database_gains_the_meetmind_tables(db_url, tmp_path):
    engine = create_engine_for(db_url)
    try:
        create_version_1(engine)
        assert not NEW_IN_V2 & set(sa.inspect(engine).get_table_names())
        assert ensure_schema(engine, target=2, backup_dir=tmp_path / "backups") == 1
        assert NEW_IN_V2 <= set(sa.inspect(engine).get_table_names())
        with engine.begin() as conn:
            assert current_version(conn) == 2
            conn.execute(schema.meetmind_interviews.insert().values(
                interview_id="kept", content_hash="mm1:x", source_label="postgresql://u:***@h/m",
                synced_at=datetime.now(UTC), transcript_source="none", turns=0, notes=0))
            assert conn.execute(sa.select(schema.interviews.c.id)).scalars().all() == ["kept"]
    finally:
        engine.dispose()
