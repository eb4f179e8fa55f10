"""Schema version 7 (saved searches and history) upgrades a version 6 database on both back ends, keeping its rows."""
from __future__ import annotations

from datetime import UTC, datetime

import sqlalchemy as sa

from insighta_desktop import __version__
from insighta_desktop.db import schema
from insighta_desktop.db.engine import create_engine_for
from insighta_desktop.db.migrations import UPGRADES, current_version, ensure_schema
from insighta_desktop.db.transcript_index import create_transcript_index
from insighta_desktop.db.triggers import install_triggers
from insighta_desktop.profiles.filters import build_filters
from insighta_desktop.profiles.saved_searches import SavedSearches

NEW_IN_V7 = {"saved_searches", "search_history"}


def create_version_6(engine) -> None:
    with engine.begin() as conn:
        schema.metadata.create_all(conn, tables=[t for t in schema.metadata.sorted_tables if t.name not in NEW_IN_V7])
        create_transcript_index(conn)
        install_triggers(conn)
        for version in range(1, 7):
            conn.execute(schema.schema_version.insert().values(version=version, applied_at=datetime.now(UTC),
                                                               app_version=__version__))
        conn.execute(schema.interviews.insert().values(id="kept", candidate_name="A", role="R", status="completed",
                                                       created_at=datetime.now(UTC)))


def test_version_6_database_gains_saved_searches_and_history(db_url, tmp_path):
    engine = create_engine_for(db_url)
    try:
        create_version_6(engine)
        assert not NEW_IN_V7 & set(sa.inspect(engine).get_table_names())
        assert ensure_schema(engine, target=7, upgrades=UPGRADES, backup_dir=tmp_path / "backups") == 6
        assert NEW_IN_V7 <= set(sa.inspect(engine).get_table_names())
        with engine.connect() as conn:
            assert current_version(conn) == 7
            assert conn.execute(sa.select(schema.interviews.c.id)).scalars().all() == ["kept"]
        searches = SavedSearches(engine)
        searches.save("Seniors", "seniors", build_filters(age_group="senior"))
        searches.record("seniors", build_filters(age_group="senior"))
        assert [s.name for s in searches.list()] == ["Seniors"] and len(searches.history()) == 1
    finally:
        engine.dispose()
