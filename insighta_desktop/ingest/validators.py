"""One pure function per field: each returns the clean value, or an `Invalid` with the reason and a detail.

None of them raises on any string, and each accepts its own output unchanged (the tests check both).
"""
from __future__ import annotations

import math
import re
import unicodedata
from collections.abc import Callable
from typing import NamedTuple, final

from insighta_desktop import countries
from insighta_desktop.ingest.number_words import parse_number_words
from insighta_desktop.profiles.model import MAX_AGE

MAX_NAME_LENGTH = 200
MISSING = "missing_fields"


@final  # so that `type(x) is Invalid` (used on hot paths instead of isinstance) narrows both ways
class Invalid(NamedTuple):
    reason: str
    detail: str


_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]")


def _show(text: str, limit: int = 40) -> str:
    shown = text if len(text) <= limit else text[:limit] + "…"
    return repr(shown)


def validate_name(text: str) -> str | Invalid:
    """Trimmed, inner whitespace collapsed, NFC; blank is missing; control characters or > 200 chars invalid."""
    stripped = text.strip()
    if not stripped:
        return Invalid(MISSING, "name is empty")
    if _CONTROL.search(stripped):
        return Invalid("invalid_name", "name contains control characters")
    name = " ".join(stripped.split())
    if not name.isascii():
        name = unicodedata.normalize("NFC", name)
    if len(name) > MAX_NAME_LENGTH:
        return Invalid("invalid_name", f"name is {len(name)} characters long (at most {MAX_NAME_LENGTH})")
    return name


_GENDERS = {
    "male": "male", "m": "male", "man": "male", "men": "male",
    "female": "female", "f": "female", "woman": "female", "women": "female",
}


def validate_gender(text: str) -> str | Invalid:
    key = text.strip().lower()
    gender = _GENDERS.get(key)
    if gender is not None:
        return gender
    if not key:
        return Invalid(MISSING, "gender is empty")
    return Invalid("invalid_gender", f"gender {_show(text.strip())} is not male or female")


def validate_age(text: str) -> int | Invalid:
    """A whole number 0-150: " 25 ", "25.0" and number words ("twenty-five") are accepted."""
    s = text.strip()
    if s.isdigit() and s.isascii():
        age = int(s)
    elif not s:
        return Invalid(MISSING, "age is empty")
    else:
        loose = _loose_age(s)
        if loose is None:
            return Invalid("invalid_age", f"age {_show(s)} is not a whole number")
        age = loose
    if 0 <= age <= MAX_AGE:
        return age
    return Invalid("invalid_age", f"age {age} is outside 0-{MAX_AGE}")


def _loose_age(s: str) -> int | None:
    if s.isascii() and not s.isalpha() and "_" not in s:
        try:
            value = float(s)
        except ValueError:
            value = math.nan
        if math.isfinite(value):
            return int(value) if value.is_integer() and abs(value) < 1e6 else None
    return parse_number_words(s)


def validate_country(text: str, resolve: Callable[[str], countries.Country | None] = countries.resolve,
                     ) -> countries.Country | Invalid:
    """ISO alpha-2 in any case, alpha-3, or a country name or alias known to the country data."""
    s = text.strip()
    if not s:
        return Invalid(MISSING, "country_id is empty")
    found = resolve(s)
    if found is None:
        return Invalid("invalid_country", f"country {_show(s)} is not a known country code or name")
    return found


def validate_probability(text: str, column: str = "probability") -> float | None | Invalid:
    """Optional: empty is None; 0-1, or a percentage ("85%" is 0.85)."""
    s = text.strip()
    if not s:
        return None
    percent = s.endswith("%")
    number = s[:-1].strip() if percent else s
    try:
        value = float(number) if number.isascii() and "_" not in number else math.nan
    except ValueError:
        value = math.nan
    if percent:
        value /= 100
    if math.isfinite(value) and 0.0 <= value <= 1.0:
        return value
    return Invalid("invalid_probability", f"{column} {_show(s)} is not between 0 and 1 (or 0-100%)")


class CountryLookup:
    """`countries.resolve` with a bounded memo: a file repeats a few hundred spellings thousands of times."""

    __slots__ = ("_cache", "_limit", "_resolve")

    def __init__(self, resolve: Callable[[str], countries.Country | None] = countries.resolve,
                 limit: int = 4096) -> None:
        self._cache: dict[str, countries.Country | Invalid] = {}
        self._limit = limit
        self._resolve = resolve

    def __call__(self, text: str) -> countries.Country | Invalid:
        found = self._cache.get(text)
        if found is None:
            found = validate_country(text, self._resolve)
            if len(self._cache) >= self._limit:
                self._cache.clear()
            self._cache[text] = found
        return found
