"""Structured profile filters: validation of loose inputs, one canonical form, and a stable cache key.

Two requests that select the same rows in the same order should produce equal `ProfileFilters` and therefore the
same `cache_key()`: defaults are filled in, lists are sorted and de-duplicated, codes are upper case, probabilities
are rounded, and age bounds that add nothing to the chosen age groups are dropped.
"""
from __future__ import annotations

import json
import math
import re
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from typing import Any

from insighta_desktop import countries
from insighta_desktop.profiles.errors import InvalidQueryParameters
from insighta_desktop.profiles.model import AGE_GROUPS, GENDERS, MAX_AGE
from insighta_desktop.profiles.names import MAX_NAME_LENGTH, NameCount, canonical_name

SORT_FIELDS = ("age", "created_at", "gender_probability", "name")
ORDERS = ("asc", "desc")
DEFAULT_SORT_BY = "created_at"
DEFAULT_ORDER = "desc"
DEFAULT_LIMIT = 10
MAX_LIMIT = 50
PROBABILITY_DIGITS = 4
GROUP_ORDER = tuple(AGE_GROUPS)  # child, teenager, adult, senior: youngest first

_WHOLE_NUMBER = re.compile(r"^[+-]?\d+$")
_DECIMAL = re.compile(r"^[+-]?(\d+(\.\d*)?|\.\d+)$")


@dataclass(frozen=True)
class ProfileFilters:
    """Conditions (all must hold) plus the sort order; `build_filters` or `normalise` give the canonical form."""

    gender: str | None = None
    age_groups: tuple[str, ...] = ()
    country_ids: tuple[str, ...] = ()
    min_age: int | None = None
    max_age: int | None = None
    min_gender_probability: float | None = None
    min_country_probability: float | None = None
    sort_by: str = DEFAULT_SORT_BY
    order: str = DEFAULT_ORDER
    # A person's name: every word must begin a word of the name (profiles/names.py); trimmed, spaces collapsed.
    name: str | None = None
    # Set by the profile store: the ids when the name matches few profiles (the search reads just those), and how
    # many it matches. Not conditions of their own: left out of comparisons, the contract form and the cache key.
    name_ids: tuple[str, ...] | None = field(default=None, compare=False, repr=False)
    name_count: NameCount | None = field(default=None, compare=False, repr=False)

    def to_dict(self) -> dict[str, object]:
        """The contract form: every key present (but "name", present only when set), a one-item list collapsed."""
        out: dict[str, object] = {
            "gender": self.gender,
            "age_group": _collapse(self.age_groups),
            "country_id": _collapse(self.country_ids),
            "min_age": self.min_age,
            "max_age": self.max_age,
            "min_gender_probability": self.min_gender_probability,
            "min_country_probability": self.min_country_probability,
            "sort_by": self.sort_by,
            "order": self.order,
        }
        if self.name is not None:
            out["name"] = self.name
        return out

    def cache_key(self) -> str:
        return json.dumps(self.to_dict(), sort_keys=True, separators=(",", ":"), ensure_ascii=True)

    @property
    def has_conditions(self) -> bool:
        return any((self.gender, self.name, self.age_groups, self.country_ids, self.min_age is not None,
                    self.max_age is not None, self.min_gender_probability is not None,
                    self.min_country_probability is not None))

    def age_ranges(self) -> list[tuple[int | None, int | None]]:
        """The allowed ages as merged inclusive (low, high) ranges; None means unbounded. Empty list: any age."""
        if not self.age_groups:
            if self.min_age is None and self.max_age is None:
                return []
            return [(self.min_age, self.max_age)]
        merged: list[tuple[int, int | None]] = []
        for group in sorted(self.age_groups, key=GROUP_ORDER.index):
            low, high = AGE_GROUPS[group]
            if self.min_age is not None:
                low = max(low, self.min_age)
            if self.max_age is not None:
                high = self.max_age if high is None else min(high, self.max_age)
            if high is not None and low > high:
                continue
            if merged and merged[-1][1] is not None and merged[-1][1] + 1 >= low:
                merged[-1] = (merged[-1][0], high)
            else:
                merged.append((low, high))
        return [(None if low <= 0 else low, high) for low, high in merged]

    def without(self, field_name: str, value: object = None) -> ProfileFilters:
        """These filters minus one condition (a chip removed); `value` picks one item of a list field."""
        if field_name == "age_group":
            kept = tuple(g for g in self.age_groups if value is not None and g != value)
            return normalise(replace(self, age_groups=kept))
        if field_name == "country_id":
            kept = tuple(c for c in self.country_ids if value is not None and c != value)
            return normalise(replace(self, country_ids=kept))
        if field_name == "age":
            return normalise(replace(self, min_age=None, max_age=None))
        if field_name == "sort":
            return normalise(replace(self, sort_by=DEFAULT_SORT_BY, order=DEFAULT_ORDER))
        if field_name in ("gender", "name", "min_age", "max_age", "min_gender_probability", "min_country_probability"):
            cleared: dict[str, Any] = {field_name: None}
            return normalise(replace(self, **cleared))
        raise ValueError(f"unknown filter field {field_name!r}")


@dataclass(frozen=True)
class FilterChip:
    """One removable condition as the GUI shows it."""

    field: str
    value: object
    label: str


@dataclass(frozen=True)
class PageRequest:
    page: int = 1
    limit: int = DEFAULT_LIMIT
    # Keyset cursor from a previous SearchResult.next_cursor; when set, `page` only labels the result.
    cursor: str | None = field(default=None)


def _collapse(items: tuple[str, ...]) -> str | list[str] | None:
    if not items:
        return None
    return items[0] if len(items) == 1 else list(items)


def _shown(value: object) -> str:
    text = repr(value)
    return text if len(text) <= 40 else text[:37] + "..."


def _items(name: str, value: object) -> list[str]:
    """A list field from a list, a tuple, one string, or one comma-separated string."""
    if value is None:
        return []
    if isinstance(value, str):
        return [part.strip() for part in value.split(",") if part.strip()]
    if isinstance(value, Iterable) and not isinstance(value, (bytes, dict)):
        out: list[str] = []
        for item in value:
            if not isinstance(item, str):
                raise InvalidQueryParameters(f"{name} must be text, got {_shown(item)}")
            out.extend(_items(name, item))
        return out
    raise InvalidQueryParameters(f"{name} must be text, got {_shown(value)}")


def parse_whole_number(name: str, value: object) -> int | None:
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, bool):
        raise InvalidQueryParameters(f"{name} must be a whole number, got {_shown(value)}")
    if isinstance(value, int):
        return value
    if isinstance(value, float) and math.isfinite(value) and value.is_integer():
        return int(value)
    if isinstance(value, str) and _WHOLE_NUMBER.match(value.strip()):
        return int(value.strip())
    raise InvalidQueryParameters(f"{name} must be a whole number, got {_shown(value)}")


def parse_probability(name: str, value: object) -> float | None:
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    number: float
    if isinstance(value, bool):
        raise InvalidQueryParameters(f"{name} must be a number from 0 to 1, got {_shown(value)}")
    if isinstance(value, (int, float)):
        number = float(value)
    elif isinstance(value, str):
        text = value.strip()
        percent = text.endswith("%")
        text = text.rstrip("%").strip()
        if not _DECIMAL.match(text):
            raise InvalidQueryParameters(f"{name} must be a number from 0 to 1, got {_shown(value)}")
        number = float(text) / (100 if percent else 1)
    else:
        raise InvalidQueryParameters(f"{name} must be a number from 0 to 1, got {_shown(value)}")
    if not math.isfinite(number) or not 0 <= number <= 1:
        raise InvalidQueryParameters(f"{name} {_shown(value)} is outside 0 to 1")
    return number


def _choice(name: str, value: object, allowed: tuple[str, ...], aliases: dict[str, str] | None = None) -> str | None:
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if not isinstance(value, str):
        raise InvalidQueryParameters(f"{name} must be one of {', '.join(allowed)}, got {_shown(value)}")
    text = value.strip().lower()
    text = (aliases or {}).get(text, text)
    if text not in allowed:
        raise InvalidQueryParameters(f"{name} must be one of {', '.join(allowed)}, got {_shown(value)}")
    return text


def build_filters(
    *,
    gender: object = None,
    age_group: object = None,
    country_id: object = None,
    min_age: object = None,
    max_age: object = None,
    min_gender_probability: object = None,
    min_country_probability: object = None,
    sort_by: object = None,
    order: object = None,
    name: object = None,
) -> ProfileFilters:
    """Canonical filters from loose structured input (strings from a URL or a form, numbers, lists).

    Raises InvalidQueryParameters naming the field, the value and the allowed range.
    """
    genders = {g.lower() for g in _items("gender", gender)}
    genders.discard("all")
    genders.discard("any")
    for g in genders:
        if g not in GENDERS:
            raise InvalidQueryParameters(f"gender must be male or female, got {_shown(g)}")
    groups = []
    for g in _items("age_group", age_group):
        if g.lower() not in AGE_GROUPS:
            raise InvalidQueryParameters(f"age_group must be one of {', '.join(AGE_GROUPS)}, got {_shown(g)}")
        groups.append(g.lower())
    codes = []
    for c in _items("country_id", country_id):
        found = countries.resolve(c)
        if found is None:
            raise InvalidQueryParameters(f"country_id {_shown(c)} is not an ISO 3166-1 country code or name")
        codes.append(found.alpha2)
    return normalise(ProfileFilters(
        gender=genders.pop() if len(genders) == 1 else None,
        age_groups=tuple(groups),
        country_ids=tuple(codes),
        min_age=parse_whole_number("min_age", min_age),
        max_age=parse_whole_number("max_age", max_age),
        min_gender_probability=parse_probability("min_gender_probability", min_gender_probability),
        min_country_probability=parse_probability("min_country_probability", min_country_probability),
        sort_by=_choice("sort_by", sort_by, SORT_FIELDS, {"created": "created_at", "date": "created_at"})
        or DEFAULT_SORT_BY,
        order=_choice("order", order, ORDERS, {"ascending": "asc", "descending": "desc"}) or DEFAULT_ORDER,
        name=_name(name),
    ))


def from_dict(data: dict[str, object]) -> ProfileFilters:
    """Filters from their `to_dict()` form (or any subset of its keys)."""
    known = {"gender", "age_group", "country_id", "min_age", "max_age", "min_gender_probability",
             "min_country_probability", "sort_by", "order", "name"}
    unknown = set(data) - known
    if unknown:
        raise InvalidQueryParameters(f"unknown filter {', '.join(sorted(unknown))}")
    return build_filters(**data)


def normalise(filters: ProfileFilters) -> ProfileFilters:
    """The canonical equivalent of typed filters; raises InvalidQueryParameters for impossible combinations."""
    f = filters
    if f.gender is not None and f.gender not in GENDERS:
        raise InvalidQueryParameters(f"gender must be male or female, got {_shown(f.gender)}")
    for name in ("min_age", "max_age"):
        value = getattr(f, name)
        if value is not None and not 0 <= value <= MAX_AGE:
            raise InvalidQueryParameters(f"{name} {value} is outside 0 to {MAX_AGE}")
    if f.min_age is not None and f.max_age is not None and f.min_age > f.max_age:
        raise InvalidQueryParameters(f"min_age {f.min_age} is above max_age {f.max_age}")
    low = None if f.min_age in (None, 0) else f.min_age
    high = None if f.max_age in (None, MAX_AGE) else f.max_age
    groups = tuple(sorted(set(f.age_groups), key=GROUP_ORDER.index))
    unknown_groups = [g for g in groups if g not in AGE_GROUPS]
    if unknown_groups:
        raise InvalidQueryParameters(
            f"age_group must be one of {', '.join(AGE_GROUPS)}, got {_shown(unknown_groups[0])}")
    if len(groups) == len(AGE_GROUPS):
        groups = ()
    if groups:
        kept = tuple(g for g in groups if _overlaps(g, low, high))
        if not kept:
            raise InvalidQueryParameters(
                f"age_group {', '.join(_group_text(g) for g in groups)} does not overlap {_range_text(low, high)}")
        groups = kept
        group_low = AGE_GROUPS[groups[0]][0]
        group_high = AGE_GROUPS[groups[-1]][1]
        if low is not None and low <= group_low:
            low = None
        if high is not None and group_high is not None and high >= group_high:
            high = None
    codes = tuple(sorted({c.strip().upper() for c in f.country_ids}))
    for code in codes:
        if countries.by_alpha2(code) is None:
            raise InvalidQueryParameters(f"country_id {_shown(code)} is not an ISO 3166-1 country code")
    if f.sort_by not in SORT_FIELDS:
        raise InvalidQueryParameters(f"sort_by must be one of {', '.join(SORT_FIELDS)}, got {_shown(f.sort_by)}")
    if f.order not in ORDERS:
        raise InvalidQueryParameters(f"order must be asc or desc, got {_shown(f.order)}")
    return ProfileFilters(
        gender=f.gender,
        age_groups=groups,
        country_ids=codes,
        min_age=low,
        max_age=high,
        min_gender_probability=_rounded_probability("min_gender_probability", f.min_gender_probability),
        min_country_probability=_rounded_probability("min_country_probability", f.min_country_probability),
        sort_by=f.sort_by,
        order=f.order,
        name=_name(f.name),
    )


def _name(value: object) -> str | None:
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if not isinstance(value, str):
        raise InvalidQueryParameters(f"name must be text, got {_shown(value)}")
    if len(value) > MAX_NAME_LENGTH:
        raise InvalidQueryParameters(f"name is longer than {MAX_NAME_LENGTH} characters")
    name = canonical_name(value)
    if name is None:
        raise InvalidQueryParameters(f"name {_shown(value)} has no letter or digit to search for")
    return name


def _rounded_probability(name: str, value: float | None) -> float | None:
    if value is None:
        return None
    if not math.isfinite(value) or not 0 <= value <= 1:
        raise InvalidQueryParameters(f"{name} {value} is outside 0 to 1")
    rounded = round(float(value), PROBABILITY_DIGITS)
    return None if rounded == 0 else rounded


def _overlaps(group: str, low: int | None, high: int | None) -> bool:
    group_low, group_high = AGE_GROUPS[group]
    if high is not None and group_low > high:
        return False
    return not (low is not None and group_high is not None and group_high < low)


def _group_text(group: str) -> str:
    low, high = AGE_GROUPS[group]
    return f"{group} ({low}–{high})" if high is not None else f"{group} ({low}+)"


def _range_text(low: int | None, high: int | None) -> str:
    if low is not None and high is not None:
        return f"ages {low}–{high}"
    if low is not None:
        return f"ages {low}+"
    return f"ages up to {high}"


def validate_paging(page: object = 1, limit: object = DEFAULT_LIMIT, *, max_limit: int = MAX_LIMIT) -> PageRequest:
    page_number = parse_whole_number("page", page)
    limit_number = parse_whole_number("limit", limit)
    page_number = 1 if page_number is None else page_number
    limit_number = DEFAULT_LIMIT if limit_number is None else limit_number
    if page_number < 1:
        raise InvalidQueryParameters(f"page {page_number} is below 1")
    if limit_number < 1:
        raise InvalidQueryParameters(f"limit {limit_number} is below 1")
    if limit_number > max_limit:
        raise InvalidQueryParameters(f"limit {limit_number} is above {max_limit}")
    return PageRequest(page=page_number, limit=limit_number)


def chips(filters: ProfileFilters) -> list[FilterChip]:
    """One removable chip per condition, in a stable order."""
    out: list[FilterChip] = []
    if filters.name:
        out.append(FilterChip("name", filters.name, f"name: {filters.name}"))
    if filters.gender:
        out.append(FilterChip("gender", filters.gender, filters.gender))
    for group in filters.age_groups:
        out.append(FilterChip("age_group", group, _group_text(group)))
    if filters.min_age is not None or filters.max_age is not None:
        out.append(FilterChip("age", (filters.min_age, filters.max_age), _range_text(filters.min_age, filters.max_age)))
    for code in filters.country_ids:
        country = countries.by_alpha2(code)
        out.append(FilterChip("country_id", code, f"{country.name if country else code} ({code})"))
    if filters.min_gender_probability is not None:
        out.append(FilterChip("min_gender_probability", filters.min_gender_probability,
                              f"gender probability ≥ {filters.min_gender_probability:g}"))
    if filters.min_country_probability is not None:
        out.append(FilterChip("min_country_probability", filters.min_country_probability,
                              f"country probability ≥ {filters.min_country_probability:g}"))
    if (filters.sort_by, filters.order) != (DEFAULT_SORT_BY, DEFAULT_ORDER):
        out.append(FilterChip("sort", (filters.sort_by, filters.order),
                              f"sorted by {filters.sort_by.replace('_', ' ')} {filters.order}"))
    return out
