"""Schema version 9 (name search: profiles.name_search, its words, the fuzzy index) upgrades a version-8 database on
both back ends: every existing profile gets its key and words, the counts stay right, names are found at once."""
from __future__ import annotations

import uuid
from datetime import UTC, datetime

import sqlalchemy as sa

from insighta_desktop import __version__
from insighta_desktop.db import schema
from insighta_desktop.db.engine import create_engine_for
from insighta_desktop.db.migrations import current_version, ensure_schema
from insighta_desktop.db.transcript_index import create_transcript_index
from insighta_desktop.db.triggers import install_triggers
from insighta_desktop.profiles.filters import build_filters
from insighta_desktop.profiles.model import normalise_name
from insighta_desktop.profiles.names import fold
from insighta_desktop.profiles.search import ProfileSearch

NEW_IN_V9 = {"profile_name_words", "name_words"}
OLD_NAMES = ["Aïssata Kaboré", "Kojo Kaboré", "Amara Obi", "Иван Петров", "Jean-Luc N'Diaye", "Zoë Straße"]


def create_version_8(engine) -> None:
    """The schema as version 8 wrote it: profiles without name_search, no word tables, profiles inserted by SQL."""
    with engine.begin() as conn:
        schema.metadata.create_all(conn, tables=[t for t in schema.metadata.sorted_tables if t.name not in NEW_IN_V9])
        create_transcript_index(conn)
        conn.execute(sa.text("ALTER TABLE profiles DROP COLUMN name_search"))
        install_triggers(conn)
        conn.execute(schema.schema_version.insert().values(version=8, applied_at=datetime.now(UTC),
                                                           app_version=__version__))
        for i, name in enumerate(OLD_NAMES * 2):
            shown = name if i < len(OLD_NAMES) else f"{name} {i}"
            conn.execute(sa.text(
                "INSERT INTO profiles (id, name, name_key, gender, gender_probability, age, age_group, country_id, "
                "country_name, country_probability, created_at) VALUES (:id, :name, :key, 'female', 0.9, 30, "
                "'adult', 'NG', 'Nigeria', 0.5, :now)"),
                {"id": uuid.uuid4().hex if engine.dialect.name == "sqlite" else str(uuid.uuid4()), "name": shown,
                 "key": normalise_name(shown), "now": datetime.now(UTC)})


def test_version_8_database_gains_name_search_with_every_profile_indexed(db_url, tmp_path):
    engine = create_engine_for(db_url)
    try:
        create_version_8(engine)
        assert not NEW_IN_V9 & set(sa.inspect(engine).get_table_names())
        assert ensure_schema(engine, target=9, backup_dir=tmp_path / "backups") == 8
        with engine.connect() as conn:
            assert current_version(conn) == 9
            keys = dict(conn.execute(sa.select(schema.profiles.c.name, schema.profiles.c.name_search)).all())
            words = conn.execute(sa.select(sa.func.count()).select_from(schema.profile_name_words)).scalar_one()
            dictionary = set(conn.execute(sa.select(schema.name_words.c.word)).scalars())
            counted = conn.execute(sa.text("SELECT sum(n) FROM profile_counts")).scalar_one()
        assert len(keys) == 12 and all(key == fold(name) for name, key in keys.items())
        assert words == sum(len(set(fold(name).split())) for name in keys)
        assert {"kabore", "иван", "strasse", "diaye", "7"} <= dictionary
        assert counted == 12
        search = ProfileSearch(engine)
        assert len(search.search(build_filters(name="kabore")).rows) == 4
        assert len(search.search(build_filters(name="ИВАН")).rows) == 2
        fuzzy = search.search(build_filters(name="kabroe"))
        assert len(fuzzy.rows) == 4 and fuzzy.name_match is not None and fuzzy.name_match.kind == "fuzzy"
        with engine.begin() as conn:  # the triggers are in place for what is written after the upgrade
            conn.execute(schema.profiles.insert().values(
                id=uuid.uuid4().hex, name="Nouvelle Kaboré", name_key="nouvelle kaboré", gender="female", age=20,
                age_group="adult", country_id="BF", country_name="Burkina Faso", created_at=datetime.now(UTC)))
        assert len(search.search(build_filters(name="kabo")).rows) == 5
    finally:
        engine.dispose()
