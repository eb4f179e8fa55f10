"""Plain paging over all profiles, newest first: what the Profiles tab shows before any search."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from insighta_desktop.db.schema import profiles
from insighta_desktop.profiles.model import Profile

PROFILE_COLUMNS = [profiles.c[name] for name in Profile.__dataclass_fields__]


@dataclass(frozen=True)
class ProfilePage:
    rows: list[Profile]
    offset: int
    total: int


def row_to_profile(row: sa.Row[Any]) -> Profile:
    values = row._asdict()
    values["id"] = str(values["id"])
    return Profile(**values)


def browse_profiles(engine: Engine, offset: int = 0, limit: int = 100) -> ProfilePage:
    query = (sa.select(*PROFILE_COLUMNS)
             .order_by(profiles.c.created_at.desc(), profiles.c.id.desc())
             .offset(offset).limit(limit))
    with engine.connect() as conn:
        rows = [row_to_profile(r) for r in conn.execute(query)]
        total = conn.execute(sa.select(sa.func.count()).select_from(profiles)).scalar_one()
    return ProfilePage(rows, offset, total)
