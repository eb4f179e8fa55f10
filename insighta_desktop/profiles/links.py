"""Shareable search links: `insighta://search?q=…&name=…&gender=…&country=…`, carrying the canonical filters.

The filters in a link are authoritative (they are what the sender's table showed); `q` is the text the search box
shows. A link with only `q` is parsed like typed text. Parameters at their default are left out, so one search has one
link.
"""
from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import parse_qsl, urlencode, urlsplit

from insighta_desktop.profiles.errors import InvalidQueryParameters
from insighta_desktop.profiles.filters import DEFAULT_ORDER, DEFAULT_SORT_BY, ProfileFilters, build_filters

SCHEME = "insighta"
# Link parameter -> build_filters keyword, in the order a link lists them.
PARAMETERS = {
    "name": "name",
    "gender": "gender",
    "age_group": "age_group",
    "country": "country_id",
    "min_age": "min_age",
    "max_age": "max_age",
    "min_gender_probability": "min_gender_probability",
    "min_country_probability": "min_country_probability",
    "sort": "sort_by",
    "order": "order",
}
_LIST_PARAMETERS = ("age_group", "country")


@dataclass(frozen=True)
class SearchLink:
    text: str  # what the search box shows ("" for filters only)
    filters: ProfileFilters | None  # None: no filter parameter, parse `text`


def is_link(value: str) -> bool:
    return value.strip().lower().startswith(f"{SCHEME}:")


def to_link(filters: ProfileFilters, text: str = "") -> str:
    pairs: list[tuple[str, str]] = []
    if text.strip():
        pairs.append(("q", text.strip()))
    values = {
        "name": filters.name,
        "gender": filters.gender,
        "age_group": ",".join(filters.age_groups) or None,
        "country": ",".join(filters.country_ids) or None,
        "min_age": filters.min_age,
        "max_age": filters.max_age,
        "min_gender_probability": filters.min_gender_probability,
        "min_country_probability": filters.min_country_probability,
        "sort": None if filters.sort_by == DEFAULT_SORT_BY else filters.sort_by,
        "order": None if filters.order == DEFAULT_ORDER else filters.order,
    }
    pairs += [(name, f"{value:g}" if isinstance(value, float) else str(value))
              for name, value in values.items() if value is not None]
    return f"{SCHEME}://search" + (f"?{urlencode(pairs)}" if pairs else "")


def parse_link(link: str) -> SearchLink:
    """The search a link describes; InvalidQueryParameters with a one-line reason for anything else."""
    parts = urlsplit(link.strip())
    if parts.scheme.lower() != SCHEME:
        raise InvalidQueryParameters(f"not an {SCHEME}:// link: {link.strip()[:60]!r}")
    target = (parts.netloc or parts.path.strip("/")).lower()
    if target != "search":
        raise InvalidQueryParameters(f"{SCHEME}:// links open searches ({SCHEME}://search?q=…), not {target!r}")
    text = ""
    options: dict[str, object] = {}
    for name, value in parse_qsl(parts.query, keep_blank_values=False):
        if name == "q":
            text = value
        elif name in PARAMETERS:
            key = PARAMETERS[name]
            if name in _LIST_PARAMETERS and key in options:
                options[key] = f"{options[key]},{value}"
            else:
                options[key] = value
        else:
            raise InvalidQueryParameters(f"unknown link parameter {name!r} (known: q, {', '.join(PARAMETERS)})")
    return SearchLink(text=text, filters=build_filters(**options) if options else None)
