"""A profile search result frozen for a review pack: the query, its filters and (up to a cap) the matching rows."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sqlalchemy.engine import Engine

from insighta_desktop.profiles.model import Profile

MAX_PACK_PROFILES = 5_000


@dataclass(frozen=True)
class SearchSnapshot:
    query: str
    filters: dict[str, Any]
    total_matches: int
    profiles: list[Profile] = field(default_factory=list)


def snapshot_search(engine: Engine, query: str, limit: int = MAX_PACK_PROFILES) -> SearchSnapshot:
    """Run `query` through the app's profile search and keep up to `limit` matches in its order."""
    from insighta_desktop.packs.format import PackError
    from insighta_desktop.profiles.errors import QueryError

    try:
        from insighta_desktop.profiles import search
    except ImportError:
        raise PackError("Profile search is not available in this build, so a search result cannot be packed") \
            from None
    try:
        return search.snapshot(engine, query, limit)
    except QueryError as exc:
        raise PackError(f"The search {query!r} cannot be packed: {exc}") from None
