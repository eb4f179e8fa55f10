"""The Profile contract: derived fields, name normalisation and time-ordered ids."""
from __future__ import annotations

import os
import time
import uuid
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


def uuid7(now_ms: int | None = None) -> uuid.UUID:
    """RFC 9562 UUIDv7: 48-bit Unix milliseconds, then random bits (time-ordered keys)."""
    ms = int(time.time() * 1000) if now_ms is None else now_ms
    rand = int.from_bytes(os.urandom(10), "big")
    value = (ms & ((1 << 48) - 1)) << 80
    value |= 0x7 << 76  # version
    value |= ((rand >> 62) & 0xFFF) << 64  # rand_a (12 bits)
    value |= 0b10 << 62  # variant
    value |= rand & ((1 << 62) - 1)  # rand_b (62 bits)
    return uuid.UUID(int=value)


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
