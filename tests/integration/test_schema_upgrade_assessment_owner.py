"""Schema version 6 (assessment owners: host, process id, heartbeat) upgrades a version-5 database on both back
ends, keeping the assessments it holds."""
from __future__ import annotations

from datetime import UTC, datetime

import sqlalchemy as sa

from insighta_desktop import __version__
from insighta_desktop.db import schema
from insighta_desktop.db.engine import create_engine_for
from insighta_desktop.db.migrations import ASSESSMENT_OWNER_COLUMNS, current_version, ensure_schema
from insighta_desktop.db.transcript_index import create_transcript_index
from insighta_desktop.db.triggers import install_triggers


def create_version_5(engine) -> None:
    """The schema as version 5 wrote it: the assessments table without its owner columns, and none of the tables
    later versions add (saved searches, version 7)."""
    with engine.begin() as conn:
        schema.metadata.create_all(conn, tables=[t for t in schema.metadata.sorted_tables
                                                 if t.name not in ("saved_searches", "search_history")])
        create_transcript_index(conn)
        for name in ASSESSMENT_OWNER_COLUMNS:
            conn.execute(sa.text(f"ALTER TABLE assessments DROP COLUMN {name}"))
        install_triggers(conn)
        conn.execute(schema.schema_version.insert().values(version=5, applied_at=datetime.now(UTC),
                                                           app_version=__version__))
        now = datetime.now(UTC)
        conn.execute(schema.interviews.insert().values(id="kept", candidate_name="A", role="R", status="completed",
                                                       created_at=now))
        conn.execute(sa.text("INSERT INTO assessments (id, interview_id, status, created_at, updated_at) "
                             "VALUES ('a1', 'kept', 'generating', :now, :now)"), {"now": now})


def test_version_5_database_gains_the_assessment_owner_columns(db_url, tmp_path):
    engine = create_engine_for(db_url)
    try:
        create_version_5(engine)
        columns = {c["name"] for c in sa.inspect(engine).get_columns("assessments")}
        assert not set(ASSESSMENT_OWNER_COLUMNS) & columns
        assert ensure_schema(engine, target=6, backup_dir=tmp_path / "backups") == 5
        columns = {c["name"] for c in sa.inspect(engine).get_columns("assessments")}
        assert set(ASSESSMENT_OWNER_COLUMNS) <= columns
        a = schema.assessments
        with engine.begin() as conn:
            assert current_version(conn) == 6
            row = conn.execute(sa.select(a.c.status, a.c.owner_host, a.c.owner_pid, a.c.heartbeat_at)).one()
            assert row == ("generating", None, None, None)
            beat = datetime(2026, 1, 2, 3, 4, 5, 678901, tzinfo=UTC)
            conn.execute(a.update().values(owner_host="laptop-7", owner_pid=2_147_483_647, heartbeat_at=beat))
            assert conn.execute(sa.select(a.c.owner_host, a.c.owner_pid, a.c.heartbeat_at)).one() == (
                "laptop-7", 2_147_483_647, beat)
        if engine.dialect.name == "sqlite":
            assert list((tmp_path / "backups").iterdir())  # the file was backed up before the upgrade
    finally:
        engine.dispose()
