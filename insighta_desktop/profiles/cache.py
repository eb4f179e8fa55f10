"""A small thread-safe result cache: entries expire after a TTL, the least recently used go first when full, and an
entry only answers for the data version it was computed from (so a change to the profiles is never served stale)."""
from __future__ import annotations

import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Hashable
from dataclasses import dataclass
from typing import Generic, TypeVar

V = TypeVar("V")

DEFAULT_TTL_SECONDS = 300.0
DEFAULT_MAX_ENTRIES = 512


@dataclass
class CacheStats:
    hits: int = 0
    misses: int = 0
    expired: int = 0
    evicted: int = 0
    invalidated: int = 0


@dataclass(frozen=True)
class _Entry(Generic[V]):
    value: V
    version: Hashable
    stored_at: float


class ResultCache(Generic[V]):
    def __init__(
        self,
        *,
        ttl_seconds: float = DEFAULT_TTL_SECONDS,
        max_entries: int = DEFAULT_MAX_ENTRIES,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        if ttl_seconds <= 0 or max_entries < 1:
            raise ValueError("ttl_seconds must be positive and max_entries at least 1")
        self.ttl_seconds = ttl_seconds
        self.max_entries = max_entries
        self._clock = clock
        self._entries: OrderedDict[Hashable, _Entry[V]] = OrderedDict()
        self._version: Hashable = None
        self._lock = threading.Lock()
        self.stats = CacheStats()

    def __len__(self) -> int:
        return len(self._entries)

    def get(self, key: Hashable, version: Hashable) -> V | None:
        with self._lock:
            self._observe_version(version)
            entry = self._entries.get(key)
            if entry is None:
                self.stats.misses += 1
                return None
            if self._clock() - entry.stored_at >= self.ttl_seconds or entry.version != version:
                del self._entries[key]
                self.stats.expired += 1
                self.stats.misses += 1
                return None
            self._entries.move_to_end(key)
            self.stats.hits += 1
            return entry.value

    def put(self, key: Hashable, version: Hashable, value: V) -> None:
        with self._lock:
            self._observe_version(version)
            self._entries[key] = _Entry(value, version, self._clock())
            self._entries.move_to_end(key)
            while len(self._entries) > self.max_entries:
                self._entries.popitem(last=False)
                self.stats.evicted += 1

    def invalidate(self) -> None:
        with self._lock:
            self.stats.invalidated += len(self._entries)
            self._entries.clear()

    def _observe_version(self, version: Hashable) -> None:
        # Entries computed from other data are useless: drop them all at the first sight of a new version.
        if version != self._version:
            self.stats.invalidated += len(self._entries)
            self._entries.clear()
            self._version = version
