"""Schema version 5 (transcript highlights) upgrades an older database on both back ends, keeping its rows."""
from __future__ import annotations

from datetime import UTC, datetime

import sqlalchemy as sa

from insighta_desktop import __version__
from insighta_desktop.db import schema
from insighta_desktop.db.engine import create_engine_for
from insighta_desktop.db.migrations import UPGRADES, current_version, ensure_schema
from insighta_desktop.db.triggers import install_triggers

NEW_IN_V5 = {"interview_highlights"}


def create_version_3(engine) -> None:
    """The schema as version 3 wrote it (version 4 adds an index, version 5 a table), and an interview in it."""
    with engine.begin() as conn:
        schema.metadata.create_all(conn, tables=[t for t in schema.metadata.sorted_tables if t.name not in NEW_IN_V5])
        install_triggers(conn)
        for version in (1, 2, 3):
            conn.execute(schema.schema_version.insert().values(version=version, applied_at=datetime.now(UTC),
                                                               app_version=__version__))
        conn.execute(schema.interviews.insert().values(id="kept", candidate_name="A", role="R", status="completed",
                                                       created_at=datetime.now(UTC)))


def test_version_3_database_gains_the_highlights_table(db_url, tmp_path):
    engine = create_engine_for(db_url)
    try:
        create_version_3(engine)
        assert not NEW_IN_V5 & set(sa.inspect(engine).get_table_names())
        assert ensure_schema(engine, target=5, upgrades=UPGRADES, backup_dir=tmp_path / "backups") == 3
        assert NEW_IN_V5 <= set(sa.inspect(engine).get_table_names())
        indexes = {i["name"] for i in sa.inspect(engine).get_indexes("interview_highlights")}
        assert "ix_interview_highlights_interview" in indexes
        with engine.begin() as conn:
            assert current_version(conn) == 5
            conn.execute(schema.interview_highlights.insert().values(
                id="h1", interview_id="kept", first_turn_id="t1", last_turn_id="t2", note=None,
                created_at=datetime.now(UTC)))
            assert conn.execute(sa.select(schema.interviews.c.id)).scalars().all() == ["kept"]
            # the highlight goes with its interview
            conn.execute(schema.interviews.delete())
            assert conn.execute(sa.select(sa.func.count()).select_from(schema.interview_highlights)).scalar() == 0
    finally:
        engine.dispose()
