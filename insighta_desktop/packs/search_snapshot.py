"""A profile search result frozen for a review pack: the query, its filters and (up to a cap) the matching rows."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from insighta_desktop.profiles.model import Profile

if TYPE_CHECKING:
    from insighta_desktop.profiles.search import ProfileSearch

MAX_PACK_PROFILES = 5_000


@dataclass(frozen=True)
class SearchSnapshot:
    query: str
    filters: dict[str, Any]
    total_matches: int
    profiles: list[Profile] = field(default_factory=list)


def snapshot_search(search: ProfileSearch, query: str, limit: int = MAX_PACK_PROFILES) -> SearchSnapshot:
    """Run `query` through the app's profile search and keep up to `limit` matches, in the search's order."""
    from insighta_desktop.packs.format import PackError
    from insighta_desktop.profiles.errors import QueryError
    from insighta_desktop.profiles.filters import PageRequest

    rows: list[Profile] = []
    cursor: str | None = None
    page_size = min(limit, search.max_limit) or 1
    try:
        while True:
            result = search.search_text(query, PageRequest(page=1, limit=page_size, cursor=cursor))
            rows.extend(result.rows[:limit - len(rows)])
            cursor = result.next_cursor
            if cursor is None or len(rows) >= limit:
                break
    except QueryError as exc:
        raise PackError(f"The search {query!r} cannot be packed: {exc}") from None
    total = result.total if result.total_kind == "exact" or cursor is not None else len(rows)
    return SearchSnapshot(query, result.filters.to_dict(), max(total, len(rows)), rows)
