"""One profile at a time: look a profile up by its name and insert a new one (a profile predicted from a name).

The insert goes through the ordinary INSERT path, so the profile_counts triggers update the totals and bump the data
version (the search cache notices). The name is unique by `name_key` (uq_profiles_name_key): when another writer
stored the same name first, the stored profile is returned instead.
"""
from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError

from insighta_desktop.db.schema import profiles
from insighta_desktop.profiles.model import Profile

_COLUMNS = (profiles.c.id, profiles.c.name, profiles.c.gender, profiles.c.gender_probability, profiles.c.age,
            profiles.c.age_group, profiles.c.country_id, profiles.c.country_name, profiles.c.country_probability,
            profiles.c.created_at)


def _profile(row: Any) -> Profile:
    created: datetime = row.created_at  # aware UTC (schema.UtcDateTime)
    return Profile(id=str(row.id), name=row.name, gender=row.gender, gender_probability=row.gender_probability,
                   age=int(row.age), age_group=row.age_group, country_id=row.country_id,
                   country_name=row.country_name, country_probability=row.country_probability,
                   created_at=created)


def find_profile_by_name_key(engine: Engine, name_key: str) -> Profile | None:
    with engine.connect() as conn:
        row = conn.execute(sa.select(*_COLUMNS).where(profiles.c.name_key == name_key)).first()
    return _profile(row) if row is not None else None


def insert_profile(engine: Engine, profile: Profile, name_key: str) -> tuple[Profile, bool]:
    """Store `profile`; (the stored profile, True) — or (the profile already stored under `name_key`, False)."""
    values = {"id": profile.id, "name": profile.name, "name_key": name_key, "gender": profile.gender,
              "gender_probability": profile.gender_probability, "age": profile.age, "age_group": profile.age_group,
              "country_id": profile.country_id, "country_name": profile.country_name,
              "country_probability": profile.country_probability, "created_at": profile.created_at}
    try:
        with engine.begin() as conn:
            conn.execute(sa.insert(profiles).values(**values))
    except IntegrityError:
        existing = find_profile_by_name_key(engine, name_key)
        if existing is None:
            raise
        return existing, False
    stored = find_profile_by_name_key(engine, name_key)
    return (stored or profile), True
