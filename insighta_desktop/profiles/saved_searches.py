"""Saved searches and the search history: a name (or a moment) with the text typed and its canonical filters.

Stored in the database being searched (db/saved_searches_store.py), so everyone on one PostgreSQL shares them.
Blocking: the GUI calls this on worker threads.
"""
from __future__ import annotations

import builtins
import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy.engine import Engine

from insighta_desktop.db import saved_searches_store as store
from insighta_desktop.profiles.errors import InvalidQueryParameters
from insighta_desktop.profiles.filters import ProfileFilters, from_dict
from insighta_desktop.profiles.links import to_link

HISTORY_SIZE = 100
MAX_NAME_LENGTH = 200


class SavedSearchNotFound(LookupError):
    pass


@dataclass(frozen=True)
class SavedSearch:
    name: str  # "" for a history entry
    query: str
    filters: ProfileFilters
    at: datetime

    @property
    def link(self) -> str:
        return to_link(self.filters, self.query)

    def to_dict(self) -> dict[str, object]:
        return {"name": self.name, "query": self.query, "filters": self.filters.to_dict(), "link": self.link,
                "saved_at": self.at.isoformat()}


def _now() -> datetime:
    return datetime.now(UTC)


class SavedSearches:
    def __init__(self, engine: Engine, *, clock: Callable[[], datetime] = _now,
                 history_size: int = HISTORY_SIZE) -> None:
        self.engine = engine
        self._clock = clock
        self.history_size = history_size

    def save(self, name: str, query: str, filters: ProfileFilters) -> bool:
        """Keep this search under `name`; True when a search of that name was replaced."""
        clean = " ".join(name.split())
        if not clean:
            raise InvalidQueryParameters("a saved search needs a name")
        if len(clean) > MAX_NAME_LENGTH:
            raise InvalidQueryParameters(f"a saved search's name is at most {MAX_NAME_LENGTH} characters")
        return store.upsert_saved(self.engine, clean, query.strip(), filters.cache_key(), self._clock())

    def get(self, name: str) -> SavedSearch:
        found = store.get_saved(self.engine, name)
        if found is None:
            raise SavedSearchNotFound(f"no saved search named {name!r}")
        return _search(found)

    def list(self) -> list[SavedSearch]:
        return [_search(s) for s in store.list_saved(self.engine)]

    def delete(self, name: str) -> None:
        if not store.delete_saved(self.engine, name):
            raise SavedSearchNotFound(f"no saved search named {name!r}")

    def record(self, query: str, filters: ProfileFilters) -> None:
        """Add a search to the history (the newest `history_size` are kept)."""
        store.add_history(self.engine, query.strip(), filters.cache_key(), self._clock(), self.history_size)

    def history(self) -> builtins.list[SavedSearch]:
        """The recent searches, newest first."""
        return [_search(s) for s in store.list_history(self.engine, self.history_size)]


def _search(stored: store.StoredSearch) -> SavedSearch:
    data = json.loads(stored.filters_json)
    return SavedSearch(stored.name, stored.query, from_dict(data), stored.at)
