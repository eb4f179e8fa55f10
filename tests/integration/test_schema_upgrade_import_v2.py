"""Schema version 8 (import v2: delimiter, mapping, duplicate policy, owner, parent run; mappings per header row)
upgrades a version-7 database on both back ends, keeping the runs it holds."""
from __future__ import annotations

from datetime import UTC, datetime

import sqlalchemy as sa

from insighta_desktop import __version__
from insighta_desktop.db import schema
from insighta_desktop.db.engine import create_engine_for
from insighta_desktop.db.migrations import IMPORT_RUN_COLUMNS, current_version, ensure_schema
from insighta_desktop.db.transcript_index import create_transcript_index
from insighta_desktop.db.triggers import install_triggers
from insighta_desktop.ingest.runs import get_run


def create_version_7(engine) -> None:
    """The schema as version 7 wrote it: import runs without the version-8 columns, no import_mappings table."""
    with engine.begin() as conn:
        schema.metadata.create_all(conn, tables=[t for t in schema.metadata.sorted_tables
                                                 if t.name != "import_mappings"])
        create_transcript_index(conn)
        for name in IMPORT_RUN_COLUMNS:
            conn.execute(sa.text(f"ALTER TABLE import_runs DROP COLUMN {name}"))
        install_triggers(conn)
        conn.execute(schema.schema_version.insert().values(version=7, applied_at=datetime.now(UTC),
                                                           app_version=__version__))
        now = datetime.now(UTC)
        conn.execute(sa.text(
            "INSERT INTO import_runs (file_name, file_size, sha256, status, total_rows, inserted, skipped, "
            "reasons_json, last_offset, last_line, started_at, updated_at) "
            "VALUES ('old.csv', 10, 'abc', 'completed', 3, 2, 1, '{}', 10, 4, :now, :now)"), {"now": now})


def test_version_7_database_gains_the_import_v2_columns_and_mappings(db_url, tmp_path):
    engine = create_engine_for(db_url)
    try:
        create_version_7(engine)
        assert "import_mappings" not in sa.inspect(engine).get_table_names()
        assert ensure_schema(engine, target=8, backup_dir=tmp_path / "backups") == 7
        inspector = sa.inspect(engine)
        assert set(IMPORT_RUN_COLUMNS) <= {c["name"] for c in inspector.get_columns("import_runs")}
        assert "import_mappings" in inspector.get_table_names()
        with engine.connect() as conn:
            assert current_version(conn) == 8
            run_id = conn.execute(sa.select(schema.import_runs.c.id)).scalar_one()
        run = get_run(engine, run_id)
        assert run is not None
        assert (run.file_name, run.inserted, run.skipped, run.status) == ("old.csv", 2, 1, "completed")
        assert (run.updated, run.unchanged, run.delimiter, run.parent_run_id, run.owner_pid) == (0, 0, None, None, None)
        with engine.begin() as conn:
            conn.execute(schema.import_mappings.insert().values(
                header_signature="s" * 64, headers_json='["Full Name"]', mapping_json='{"name": "Full Name"}',
                updated_at=datetime.now(UTC)))
            conn.execute(schema.import_runs.update().values(updated=5, owner_pid=2_147_483_647, delimiter=";"))
        run = get_run(engine, run_id)
        assert run is not None and (run.updated, run.owner_pid, run.delimiter) == (5, 2_147_483_647, ";")
        if engine.dialect.name == "sqlite":
            assert list((tmp_path / "backups").iterdir())
    finally:
        engine.dispose()
