"""Map a CSV header row to profile fields: case- and space-insensitive, with common aliases."""
from __future__ import annotations

import re
from dataclasses import dataclass, field

from insighta_desktop.ingest.errors import ImportRefused

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
    """The mapping for a header row, or ImportRefused naming what is missing."""
    keys = [header_key(h) for h in headers]
    if not any(keys):
        raise ImportRefused("empty_header", "the first line is empty: a header row with name, gender, age and "
                                            "country_id is required")
    columns: dict[str, int] = {}
    claimed: set[int] = set()
    # Pass by alias rank, so an exact `country_id` wins over a `country` column that then maps to country_name.
    depth = max(len(a) for a in ALIASES.values())
    for rank in range(depth):
        for name in FIELDS:
            aliases = ALIASES[name]
            if name in columns or rank >= len(aliases):
                continue
            for index, key in enumerate(keys):
                if index not in claimed and key == aliases[rank]:
                    columns[name] = index
                    claimed.add(index)
                    break
    if "country_name" not in columns:
        for index, key in enumerate(keys):
            if index not in claimed and key == "country":
                columns["country_name"] = index
                claimed.add(index)
    missing = [name for name in REQUIRED_FIELDS if name not in columns]
    if missing:
        found = ", ".join(repr(h.strip()) for h in headers) or "nothing"
        raise ImportRefused(
            "missing_columns",
            f"required column{'s' if len(missing) > 1 else ''} missing: {', '.join(missing)} "
            f"(the header has {found})")
    extra = tuple(h for i, h in enumerate(headers) if i not in claimed)
    renamed = {headers[i]: name for name, i in columns.items() if headers[i] != name}
    return HeaderMapping(tuple(headers), columns, extra, renamed)
