"""What a click on a facet adds to the filters (Datasette-style): a gender, an age decade as a range, a country."""
from __future__ import annotations

from insighta_desktop.profiles.filters import ProfileFilters, build_filters
from insighta_desktop.profiles.model import MAX_AGE


def with_gender(filters: ProfileFilters, gender: str) -> ProfileFilters:
    return build_filters(**{**filters.to_dict(), "gender": gender})


def with_decade(filters: ProfileFilters, decade: int) -> ProfileFilters:
    """The ages of one decade (100 stands for every age from 100), within any age range already chosen.
    InvalidQueryParameters when the decade lies outside the chosen ages."""
    low, high = decade, (MAX_AGE if decade >= 100 else decade + 9)
    if filters.min_age is not None:
        low = max(low, filters.min_age)
    if filters.max_age is not None:
        high = min(high, filters.max_age)
    return build_filters(**{**filters.to_dict(), "min_age": low, "max_age": high})


def with_country(filters: ProfileFilters, code: str) -> ProfileFilters:
    """Only this country (a bar of the top countries narrows the result to it)."""
    return build_filters(**{**filters.to_dict(), "country_id": code})
