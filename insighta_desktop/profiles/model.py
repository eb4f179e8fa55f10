"""The Profile contract: derived fields and name normalisation (ids: profiles.ids)."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

GENDERS = ("male", "female")

# Inclusive age bounds of each group; "senior" has no upper bound (None).
AGE_GROUPS: dict[str, tuple[int, int | None]] = {
    "child": (0, 12),
    "teenager": (13, 19),
    "adult": (20, 59),
    "senior": (60, None),
}
MAX_AGE = 150


def age_group_for(age: int) -> str:
    if age <= 12:
        return "child"
    if age <= 19:
        return "teenager"
    if age <= 59:
        return "adult"
    return "senior"


def normalise_name(name: str) -> str:
    """The key that makes names unique: case-insensitive, trimmed, inner whitespace collapsed."""
    return " ".join(name.split()).casefold()


@dataclass(frozen=True, slots=True)
class Profile:
    id: str
    name: str
    gender: str
    gender_probability: float | None
    age: int
    age_group: str
    country_id: str
    country_name: str
    country_probability: float | None
    created_at: datetime
