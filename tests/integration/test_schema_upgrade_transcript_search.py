"""Schema version 4 (transcript search) indexes the turns a version-3 database already holds, on both back ends."""
from __future__ import annotations

from datetime import UTC, datetime

import sqlalchemy as sa

from insighta_desktop import __version__
from insighta_desktop.db import schema
from insighta_desktop.db.engine import create_engine_for
from insighta_desktop.db.migrations import current_version, ensure_schema
from insighta_desktop.db.transcript_index import FTS_TABLE, SEARCH_COLUMN
from insighta_desktop.db.triggers import install_triggers
from insighta_desktop.interviews.transcript_search import find_hits
from tests.integration.interviews.test_transcript_search import add_interview


def create_version_3(engine) -> None:
    """The tables of version 3 (version 4 adds none; version 5 adds highlights) and their triggers, no search index."""
    with engine.begin() as conn:
        schema.metadata.create_all(conn, tables=[t for t in schema.metadata.sorted_tables
                                                 if t.name != "interview_highlights"])
        install_triggers(conn)  # on SQLite the search triggers wait for their FTS table
        for version in (1, 2, 3):
            conn.execute(schema.schema_version.insert().values(version=version, applied_at=datetime.now(UTC),
                                                               app_version=__version__))


def search_structures(engine) -> set[str]:
    inspector = sa.inspect(engine)
    found = {c["name"] for c in inspector.get_columns("transcript_turns")} & {SEARCH_COLUMN}
    found |= {i["name"] for i in inspector.get_indexes("transcript_turns")} & {"ix_transcript_turns_search"}
    return found | (set(inspector.get_table_names()) & {FTS_TABLE})


def test_version_3_database_gets_a_search_index_over_its_existing_turns(db_url, tmp_path):
    engine = create_engine_for(db_url)
    try:
        create_version_3(engine)
        add_interview(engine, "Before Upgrade", ["Do you know Kubernetes?", "Yes, Kubernetes and Helm daily."])
        assert search_structures(engine) == set()
        assert ensure_schema(engine, target=4, backup_dir=tmp_path / "backups") == 3
        with engine.connect() as conn:
            assert current_version(conn) == 4
        expected = {FTS_TABLE} if engine.dialect.name == "sqlite" else {SEARCH_COLUMN, "ix_transcript_turns_search"}
        assert search_structures(engine) == expected
        assert [h.sequence_no for h in find_hits(engine, "helm")] == [2]  # built for the turns already there
        add_interview(engine, "After Upgrade", ["We deploy with Helm charts."])
        assert {h.candidate_name for h in find_hits(engine, "helm")} == {"Before Upgrade", "After Upgrade"}
        assert ensure_schema(engine, target=4) == 4  # idempotent
    finally:
        engine.dispose()
