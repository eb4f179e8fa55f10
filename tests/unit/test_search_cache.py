"""ResultCache: TTL, LRU bound, and data-version invalidation, with an injected clock."""
from __future__ import annotations

import threading

import pytest

from insighta_desktop.profiles.cache import ResultCache


class FakeClock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_hit_within_ttl_and_miss_after_it():
    clock = FakeClock()
    cache: ResultCache[str] = ResultCache(ttl_seconds=300, clock=clock)
    cache.put("k", 1, "value")
    clock.now += 299.9
    assert cache.get("k", 1) == "value"
    clock.now += 0.1
    assert cache.get("k", 1) is None
    assert cache.stats.hits == 1 and cache.stats.expired == 1 and cache.stats.misses == 1
    assert len(cache) == 0


def test_ttl_is_configurable():
    clock = FakeClock()
    cache: ResultCache[int] = ResultCache(ttl_seconds=5, clock=clock)
    cache.put("k", 1, 42)
    clock.now += 4
    assert cache.get("k", 1) == 42
    clock.now += 1
    assert cache.get("k", 1) is None


def test_least_recently_used_entry_goes_first():
    cache: ResultCache[int] = ResultCache(max_entries=3, clock=FakeClock())
    for i, key in enumerate("abc"):
        cache.put(key, 7, i)
    assert cache.get("a", 7) == 0  # "a" is now the most recent; "b" the least
    cache.put("d", 7, 3)
    assert len(cache) == 3
    assert cache.get("b", 7) is None
    assert [cache.get(k, 7) for k in "acd"] == [0, 2, 3]
    assert cache.stats.evicted == 1


def test_a_new_data_version_drops_every_entry():
    cache: ResultCache[str] = ResultCache(clock=FakeClock())
    cache.put("x", "v1", "old x")
    cache.put("y", "v1", "old y")
    assert cache.get("x", "v2") is None
    assert len(cache) == 0
    assert cache.get("y", "v1") is None  # gone, not resurrected by asking with the old version


def test_a_result_computed_from_older_data_is_never_served_for_newer_data():
    cache: ResultCache[str] = ResultCache(clock=FakeClock())
    assert cache.get("q", 2) is None  # a search sees version 2...
    cache.put("q", 1, "computed before the change")  # ...while a slower one stores a version-1 answer
    assert cache.get("q", 2) is None
    cache.put("q", 2, "fresh")
    assert cache.get("q", 2) == "fresh"


def test_explicit_invalidation():
    cache: ResultCache[int] = ResultCache(clock=FakeClock())
    cache.put("a", 1, 1)
    cache.invalidate()
    assert cache.get("a", 1) is None


@pytest.mark.parametrize("kwargs", [{"ttl_seconds": 0}, {"max_entries": 0}])
def test_rejects_useless_settings(kwargs):
    with pytest.raises(ValueError):
        ResultCache(**kwargs)


def test_concurrent_use_keeps_the_bound():
    cache: ResultCache[int] = ResultCache(max_entries=50)

    def work(offset: int) -> None:
        for i in range(2000):
            cache.put((offset, i % 80), 1, i)
            cache.get((offset, (i * 7) % 80), 1)

    threads = [threading.Thread(target=work, args=(n,)) for n in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(cache) == 50
    assert cache.stats.hits + cache.stats.misses == 8000
