"""Map a CSV header row to profile fields: case- and space-insensitive, with common aliases."""
from __future__ import annotations

import re
from dataclasses import dataclass, field

REQUIRED_FIELDS = ("name", "gender", "age", "country_id")
OPTIONAL_FIELDS = ("gender_probability", "country_probability", "age_group", "country_name")
FIELDS = REQUIRED_FIELDS + OPTIONAL_FIELDS

# Canonical spellings first; an alias only claims a field no earlier column claimed.
ALIASES: dict[str, tuple[str, ...]] = {
    "name": ("name", "full_name", "fullname", "person_name", "profile_name"),
    "gender": ("gender", "sex"),
    "age": ("age", "age_years", "years"),
    "country_id": ("country_id", "country_code", "countrycode", "country", "iso2", "iso_country", "nationality"),
    "gender_probability": ("gender_probability", "gender_prob", "gender_confidence", "gender_score"),
    "country_probability": ("country_probability", "country_prob", "country_confidence", "country_score"),
    "age_group": ("age_group", "agegroup", "age_band"),
    "country_name": ("country_name", "countryname"),
}
_SEPARATORS = re.compile(r"[\s\-_.]+")


def header_key(text: str) -> str:
    """`" Country ID "`, `country-id` and `COUNTRY_ID` all give `country_id`."""
    return _SEPARATORS.sub("_", text.strip().lstrip("\ufeff").casefold()).strip("_")


@dataclass(frozen=True)
class HeaderMapping:
    """Which column index holds each field; columns that map to nothing are listed as extra."""

    headers: tuple[str, ...]
    columns: dict[str, int]
    extra: tuple[str, ...] = ()
    renamed: dict[str, str] = field(default_factory=dict)  # original header -> field, where they differ

    @property
    def width(self) -> int:
        return len(self.headers)

    def describe(self) -> list[tuple[str, str]]:
        """(column as written, field or "ignored") in file order, for previews and reports."""
        by_index = {index: name for name, index in self.columns.items()}
        return [(h, by_index.get(i, "ignored")) for i, h in enumerate(self.headers)]


def map_headers(headers: list[str] | tuple[str, ...]) -> HeaderMapping:
    """The automatic mapping for a header row, or ImportRefused naming what is missing (see ingest/mapping.py)."""
    from insighta_desktop.ingest.mapping import resolve

    return resolve(headers)
