"""Schema version 3 (interview speakers and import sources) on a database written at version 2 (the previous one)
or 1, on both back ends."""
from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest
import sqlalchemy as sa

from insighta_desktop import __version__
from insighta_desktop.db import schema
from insighta_desktop.db.engine import create_engine_for
from insighta_desktop.db.migrations import (
    ASSESSMENT_OWNER_COLUMNS,
    IMPORT_RUN_COLUMNS,
    current_version,
    ensure_schema,
)
from insighta_desktop.db.triggers import install_triggers
from insighta_desktop.demo.loader import load_demo_data
from insighta_desktop.interviews import repository
from insighta_desktop.interviews.file_import import ImportOptions, import_path
from insighta_desktop.interviews.transcript import build_transcript

DATA = Path(__file__).resolve().parents[2] / "data" / "interviews"
ADDED_IN = {2: {"meetmind_interviews", "interview_notes"}, 3: {"interview_speakers", "interview_sources"},
            4: {"interview_highlights"}, 7: {"saved_searches", "search_history"}, 8: {"import_mappings"},
            9: {"profile_name_words", "name_words"}}
# Columns later versions add to tables that existed before them.
COLUMNS_ADDED = {"assessments": ASSESSMENT_OWNER_COLUMNS,  # version 6
                 "import_runs": IMPORT_RUN_COLUMNS,  # version 8
                 "profiles": ("name_search",)}  # version 9


def make_version(engine, version: int) -> None:
    """What `version` created: every table but those added by later versions."""
    later = set().union(*(tables for v, tables in ADDED_IN.items() if v > version))
    with engine.begin() as conn:
        schema.metadata.create_all(conn, tables=[t for t in schema.metadata.sorted_tables if t.name not in later])
        for table, columns in COLUMNS_ADDED.items():
            for column in columns:
                conn.execute(sa.text(f"ALTER TABLE {table} DROP COLUMN {column}"))
        install_triggers(conn)
        conn.execute(schema.schema_version.insert().values(version=version, applied_at=datetime.now(UTC),
                                                           app_version=__version__))


def rows(engine) -> dict[str, list[tuple]]:
    """The rows of these tables, in the columns every version has (version 6 added the assessment owners)."""
    tables = (schema.interviews, schema.interview_sessions, schema.transcript_turns, schema.assessments)
    with engine.connect() as conn:
        return {t.name: sorted(map(tuple, conn.execute(sa.select(
                    *[c for c in t.c if c.name not in ASSESSMENT_OWNER_COLUMNS])))) for t in tables}


@pytest.mark.parametrize("version", [2, 1])
def test_an_older_database_is_upgraded_and_keeps_its_interviews(db_url, tmp_path, version):
    engine = create_engine_for(db_url)
    try:
        make_version(engine, version)
        load_demo_data(engine, profiles=0)  # the interviews; today's profile rows have columns this version lacks
        before = rows(engine)
        assert not ADDED_IN[3] & set(sa.inspect(engine).get_table_names())

        assert ensure_schema(engine, backup_dir=tmp_path / "backups") == version
        with engine.connect() as conn:
            assert current_version(conn) == schema.SCHEMA_VERSION
        assert ADDED_IN[3] <= set(sa.inspect(engine).get_table_names())
        indexes = {ix["name"] for ix in sa.inspect(engine).get_indexes("interview_sources")}
        assert "uq_interview_sources_sha256" in indexes
        backups = list((tmp_path / "backups").glob(f"*.v{version}.*"))
        assert len(backups) == (1 if engine.dialect.name == "sqlite" else 0)

        assert rows(engine) == before
        for summary in repository.list_interviews(engine):  # read as before: speakers labelled from their keys
            turns = build_transcript(repository.load_transcript_sources(engine, summary.id)).turns
            assert {t.speaker_label for t in turns} <= {"Interviewer", "Candidate"}
        outcome = import_path(engine, DATA / "otter.txt", ImportOptions(candidate_speaker="Amara Diallo"))
        assert outcome.imported
        assert import_path(engine, DATA / "otter.txt", ImportOptions()).interview_id == outcome.interview_id
    finally:
        engine.dispose()
