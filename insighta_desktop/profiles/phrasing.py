"""Filters back into plain language: the search box shows what the filter panel selected, and parsing that text
gives the same filters again."""
from __future__ import annotations

from insighta_desktop import countries
from insighta_desktop.profiles.filters import DEFAULT_ORDER, DEFAULT_SORT_BY, GROUP_ORDER, ProfileFilters

_GENDER_TEXT = {"male": "males", "female": "females"}
_GROUP_TEXT = {"child": "children", "teenager": "teenagers", "adult": "adults", "senior": "seniors"}
_SORT_TEXT = {"age": "age", "created_at": "date added", "gender_probability": "gender probability", "name": "name"}
_ORDER_TEXT = {"asc": "ascending", "desc": "descending"}


def to_query_text(filters: ProfileFilters) -> str:
    """A phrase that parses back to `filters` ("" when there is no condition and the default sort)."""
    parts: list[str] = []
    if filters.age_groups:
        groups = sorted(filters.age_groups, key=GROUP_ORDER.index)
        if filters.gender:
            parts.append(filters.gender)  # "female seniors"
        parts.append(" and ".join(_GROUP_TEXT[g] for g in groups))
    elif filters.gender:
        parts.append(_GENDER_TEXT[filters.gender])
    elif not filters.age_groups and (filters.country_ids or filters.min_age is not None or filters.max_age is not None):
        parts.append("people")
    if filters.name:
        parts.append(f"named {filters.name}")  # the words after "named" are the name (profiles/names.py, rule 1)
    if filters.country_ids:
        names = [country.name if (country := countries.by_alpha2(code)) else code for code in filters.country_ids]
        parts.append("from " + ", ".join(names))
    if filters.min_age is not None and filters.max_age is not None:
        parts.append(f"aged {filters.min_age} to {filters.max_age}")
    elif filters.min_age is not None:
        parts.append(f"aged at least {filters.min_age}")
    elif filters.max_age is not None:
        parts.append(f"aged at most {filters.max_age}")
    if filters.min_gender_probability is not None:
        parts.append(f"with gender probability at least {filters.min_gender_probability:g}")
    if filters.min_country_probability is not None:
        parts.append(f"with country probability at least {filters.min_country_probability:g}")
    if (filters.sort_by, filters.order) != (DEFAULT_SORT_BY, DEFAULT_ORDER):
        parts.append(f"sorted by {_SORT_TEXT[filters.sort_by]} {_ORDER_TEXT[filters.order]}")
    return " ".join(parts)
