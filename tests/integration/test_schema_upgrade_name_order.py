"""Schema version 10: ix_profiles_gender_name_key gains country_id and age after the name, so a walk in name order
within a gender checks them on the index entry. A version-9 database is upgraded on both back ends, keeps its
profiles, and sorts by name exactly as before."""
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
from insighta_desktop.profiles.filters import PageRequest, build_filters
from insighta_desktop.profiles.search import ProfileSearch


def index_columns(engine) -> list[str]:
    found = {ix["name"]: ix["column_names"] for ix in sa.inspect(engine).get_indexes("profiles")}
    return list(found["ix_profiles_gender_name_key"])


def create_version_9(engine) -> None:
    with engine.begin() as conn:
        schema.metadata.create_all(conn)
        create_transcript_index(conn)
        install_triggers(conn)
        conn.exec_driver_sql("DROP INDEX ix_profiles_gender_name_key")
        conn.exec_driver_sql("CREATE INDEX ix_profiles_gender_name_key ON profiles (gender, name_key)")
        conn.execute(schema.schema_version.insert().values(version=9, applied_at=datetime.now(UTC),
                                                           app_version=__version__))


def test_version_9_database_gets_the_name_order_index_with_country_and_age(db_url, tmp_path):
    engine = create_engine_for(db_url)
    try:
        create_version_9(engine)
        load_demo_data(engine, profiles=400, interviews=0)
        assert index_columns(engine) == ["gender", "name_key"]
        assert ensure_schema(engine, backup_dir=tmp_path / "backups") == 9
        with engine.connect() as conn:
            assert current_version(conn) == schema.SCHEMA_VERSION >= 10
            p = schema.profiles.c
            stored = conn.execute(sa.select(p.name, p.name_key, p.gender, p.country_id, p.age)).all()
        assert len(stored) == 400
        assert index_columns(engine) == ["gender", "name_key", "country_id", "age"]
        country = max({row.country_id for row in stored}, key=lambda c: sum(r.country_id == c for r in stored))
        filters = build_filters(gender="female", country_id=country, min_age=20, max_age=59, sort_by="name",
                                order="asc")
        expected = [r.name for r in sorted(stored, key=lambda r: r.name_key)
                    if r.gender == "female" and r.country_id == country and 20 <= r.age <= 59]
        page = ProfileSearch(engine).search(filters, PageRequest(limit=1000))
        assert expected and [p.name for p in page.rows] == expected and page.total == len(expected)
    finally:
        engine.dispose()
