"""Create an empty database, upgrade an older one (backing up an SQLite file first), refuse a newer one.

Versions are plain Python steps over SQLAlchemy Core rather than Alembic: the whole schema is one module, the steps
ship inside the package (nothing to discover on disk when frozen by PyInstaller), and both back ends run the same steps.
"""
from __future__ import annotations

import logging
import sqlite3
from collections.abc import Callable, Mapping
from datetime import UTC, datetime
from pathlib import Path

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine

from insighta_desktop import __version__
from insighta_desktop.db import schema
from insighta_desktop.db.engine import is_sqlite
from insighta_desktop.db.name_index import add_name_search
from insighta_desktop.db.pg_connect import schema_version_read_on_connect
from insighta_desktop.db.transcript_index import add_transcript_index, create_transcript_index
from insighta_desktop.db.triggers import install_triggers

log = logging.getLogger(__name__)

# version -> step that brings a database from version-1 to version. Version 1 is the initial create_all.
UpgradeStep = Callable[[Connection], None]


def _add_meetmind_tables(conn: Connection) -> None:
    """Version 2: interviews synced from MeetMind (their fingerprints and MeetMind's assessment) and notes."""
    schema.metadata.create_all(conn, tables=[schema.meetmind_interviews, schema.interview_notes])


def _add_interview_imports(conn: Connection) -> None:
    """Version 3: the speakers of a session by name and part, and the source file of an imported interview."""
    schema.interview_speakers.create(conn)
    schema.interview_sources.create(conn)


def _add_interview_highlights(conn: Connection) -> None:
    """Version 5: the turns recruiters highlight in transcripts, with their notes."""
    schema.metadata.create_all(conn, tables=[schema.interview_highlights])


ASSESSMENT_OWNER_COLUMNS = ("owner_host", "owner_pid", "heartbeat_at")


def _add_assessment_owner(conn: Connection) -> None:
    """Version 6: who is generating an assessment (host, process id, heartbeat), so a dead owner's is taken over."""
    _add_columns(conn, schema.assessments, ASSESSMENT_OWNER_COLUMNS)


def _add_saved_searches(conn: Connection) -> None:
    """Version 7: searches saved under a name and the search history, shared by everyone on the database."""
    schema.metadata.create_all(conn, tables=[schema.saved_searches, schema.search_history])


IMPORT_RUN_COLUMNS = ("delimiter", "mapping_json", "on_duplicate", "updated", "unchanged", "owner_host", "owner_pid",
                      "heartbeat_at", "parent_run_id")


def _add_import_v2(conn: Connection) -> None:
    """Version 8: import runs record their delimiter, column mapping, duplicate policy and update counts, their owner
    (host, process id, heartbeat) and the run a fixed-rows import came from; mappings are kept per header row."""
    _add_columns(conn, schema.import_runs, IMPORT_RUN_COLUMNS)
    schema.import_mappings.create(conn)


def _widen_gender_name_index(conn: Connection) -> None:
    """Version 10: ix_profiles_gender_name_key holds country_id and age after the name (db/schema.py says why).

    PostgreSQL: the new index is built under another name first (other clients go on reading meanwhile; 5,000,000
    rows: ~25-40 s, so without the session's statement timeout), then the old one is dropped and the new one
    renamed, which locks the table only for the moment left before the commit."""
    index = next(ix for ix in schema.profiles.indexes if ix.name == "ix_profiles_gender_name_key")
    columns = ", ".join(column.name for column in index.columns)
    if conn.dialect.name != "postgresql":
        conn.exec_driver_sql(f"DROP INDEX IF EXISTS {index.name}")
        index.create(conn)
        return
    conn.exec_driver_sql("SET LOCAL statement_timeout = 0")
    conn.exec_driver_sql("SET LOCAL maintenance_work_mem = '256MB'")
    conn.exec_driver_sql(f"CREATE INDEX {index.name}_v10 ON profiles ({columns})")
    conn.exec_driver_sql(f"DROP INDEX IF EXISTS {index.name}")
    conn.exec_driver_sql(f"ALTER INDEX {index.name}_v10 RENAME TO {index.name}")


def _loosen_counts_pages(conn: Connection) -> None:
    """Version 11: profile_counts' pages are filled to half (db/schema.py: COUNTS_FILLFACTOR says why). Only pages
    written from now on are; the import's VACUUM of the table (ingest/statistics.py) frees its dead rows."""
    if conn.dialect.name == "postgresql":
        conn.exec_driver_sql(f"ALTER TABLE profile_counts SET (fillfactor = {schema.COUNTS_FILLFACTOR})")


def _add_columns(conn: Connection, table: sa.Table, names: tuple[str, ...]) -> None:
    for name in names:
        column = table.c[name]
        ddl = f"ALTER TABLE {table.name} ADD COLUMN {column.name} {column.type.compile(dialect=conn.dialect)}"
        if isinstance(column.server_default, sa.DefaultClause):  # a counter: NOT NULL DEFAULT 0
            ddl += f" NOT NULL DEFAULT {column.server_default.arg}"
        conn.execute(sa.text(ddl))


UPGRADES: Mapping[int, UpgradeStep] = {
    2: _add_meetmind_tables,
    3: _add_interview_imports,
    4: add_transcript_index,  # full-text search over transcript turns
    5: _add_interview_highlights,
    6: _add_assessment_owner,
    7: _add_saved_searches,
    8: _add_import_v2,
    9: add_name_search,  # name search: profiles.name_search, its words, the fuzzy index
    10: _widen_gender_name_index,  # name order within a gender, checked for country and age on the index
    11: _loosen_counts_pages,  # profile_counts' rows updated on their own page (PostgreSQL)
}


class SchemaError(RuntimeError):
    """The database cannot be used by this version of the app."""


class SchemaTooNewError(SchemaError):
    pass


def current_version(conn: Connection) -> int | None:
    """The database's schema version, 0 for an empty database, None for a database that is not ours.

    PostgreSQL: one statement (no catalog reflection) on a database of ours; `conn` should be in autocommit (see
    read_version), as a failed statement aborts a transaction."""
    if conn.dialect.name == "postgresql":
        found = conn.exec_driver_sql(
            "SELECT to_regclass('schema_version') IS NOT NULL, to_regclass('profiles') IS NOT NULL").one()
        if found[0]:
            return conn.execute(sa.select(sa.func.max(schema.schema_version.c.version))).scalar() or 0
        return 0 if not found[1] else None
    tables = set(sa.inspect(conn).get_table_names())
    if "schema_version" not in tables:
        return 0 if "profiles" not in tables else None
    return conn.execute(sa.select(sa.func.max(schema.schema_version.c.version))).scalar() or 0


def read_schema_version(engine: Engine) -> int | None:
    """current_version in one round trip on PostgreSQL (every start of the app and of each CLI command): the
    version table read straight away in autocommit; only when it is missing are the tables looked up."""
    if engine.dialect.name != "postgresql":
        with engine.connect() as conn:
            return current_version(conn)
    schema_version_read_on_connect(engine)  # one read by an earlier first connection is out of date now
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        if (on_connect := schema_version_read_on_connect(engine)) is not None and on_connect >= 0:
            return on_connect  # this engine's first connection read it during its set-up, a moment ago
        try:
            return conn.execute(sa.select(sa.func.max(schema.schema_version.c.version))).scalar() or 0
        except sa.exc.ProgrammingError as exc:
            if getattr(exc.orig, "sqlstate", None) != "42P01":  # undefined_table: an empty database, or not ours
                raise
        return current_version(conn)


def ensure_schema(
    engine: Engine,
    *,
    target: int = schema.SCHEMA_VERSION,
    upgrades: Mapping[int, UpgradeStep] | None = None,
    backup_dir: Path | None = None,
) -> int:
    """Bring the database to `target`; returns the version it had before."""
    upgrades = UPGRADES if upgrades is None else upgrades
    found = read_schema_version(engine)
    if found is None:
        raise SchemaError("This database has a profiles table but no Insighta schema version; it was not created "
                          "by Insighta Desktop. Point the app at an empty database or an Insighta one.")
    if found > target:
        raise SchemaTooNewError(
            f"This database uses schema version {found}, written by a newer Insighta Desktop; this version "
            f"({__version__}) understands up to version {target}. Update the app to open it.")
    if found == target:
        return found
    if found == 0:
        with engine.begin() as conn:
            schema.metadata.create_all(conn)
            create_transcript_index(conn)
            install_triggers(conn)
            _record(conn, target)
        log.info("Created schema version %d", target)
        return found
    if is_sqlite(engine) and engine.url.database not in (None, "", ":memory:"):
        backup = backup_sqlite(Path(engine.url.database), found, backup_dir)
        log.info("Backed up the database to %s before upgrading", backup)
    for version in range(found + 1, target + 1):
        step = upgrades.get(version)
        if step is None:
            raise SchemaError(f"No upgrade step to schema version {version}")
        with engine.begin() as conn:
            step(conn)
            _record(conn, version)
        log.info("Upgraded schema to version %d", version)
    with engine.begin() as conn:
        install_triggers(conn)
    return found


def backup_sqlite(path: Path, version: int, backup_dir: Path | None = None) -> Path:
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    target = (backup_dir or path.parent) / f"{path.stem}.v{version}.{stamp}.bak{path.suffix}"
    target.parent.mkdir(parents=True, exist_ok=True)
    src = sqlite3.connect(path)
    try:
        dst = sqlite3.connect(target)
        with dst:
            src.backup(dst)
        dst.close()
    finally:
        src.close()
    return target


def _record(conn: Connection, version: int) -> None:
    conn.execute(schema.schema_version.insert().values(
        version=version, applied_at=datetime.now(UTC), app_version=__version__))


def table_counts(engine: Engine) -> dict[str, int]:
    counts = {}
    with engine.connect() as conn:
        for table in schema.metadata.sorted_tables:
            if table.name != "schema_version":
                counts[table.name] = conn.execute(sa.select(sa.func.count()).select_from(table)).scalar_one()
    return counts
