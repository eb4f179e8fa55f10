"""The profile row shape, declared once: the stored columns come from `schema.profiles`, the columns a search reads
from the Profile contract, and every read row becomes a Profile here."""
from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import fields
from datetime import datetime
from typing import Any

from insighta_desktop.db import schema
from insighta_desktop.profiles.model import Profile
from insighta_desktop.timestamps import as_utc

# Every stored column in table order: what COPY and executemany write.
PROFILE_COLUMNS: tuple[str, ...] = tuple(column.name for column in schema.profiles.columns)
# The Profile's fields: what a search, an export and a browse read, and what a CSV export writes.
PROFILE_FIELDS: tuple[str, ...] = tuple(f.name for f in fields(Profile))
# What a search reads: the Profile's fields, then the name's sort key (for keyset cursors on name).
ROW_COLUMNS: tuple[str, ...] = (*PROFILE_FIELDS, "name_key")


def _as_utc(value: object) -> datetime:
    """A raw driver value (SQLite answers with text) as an aware UTC datetime."""
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    assert isinstance(value, datetime)
    return as_utc(value)


def profile_from_row(row: Sequence[Any]) -> Profile:
    """A Profile from a row read in ROW_COLUMNS (or PROFILE_FIELDS) order; ids as canonical UUID text."""
    raw_id = row[0]
    profile_id = str(raw_id) if isinstance(raw_id, uuid.UUID) else str(uuid.UUID(hex=str(raw_id)))
    return Profile(id=profile_id, name=row[1], gender=row[2], gender_probability=row[3], age=row[4],
                   age_group=row[5], country_id=row[6], country_name=row[7], country_probability=row[8],
                   created_at=_as_utc(row[9]))
