"""When an import takes the planner's statistics again: each time the table doubled while it runs, and at its end
when it changed a tenth of the table (ingest/statistics.py). A store that counts the refreshes stands in for the
database here; tests/integration/ingest/test_import_statistics.py checks the real one on PostgreSQL."""
from __future__ import annotations

import threading

from hypothesis import given
from hypothesis import strategies as st

from insighta_desktop.ingest.statistics import MIN_FINAL, MIN_GROWTH, StatisticsKeeper


class CountingStore:
    def __init__(self, rows: int, fail: bool = False) -> None:
        self.rows, self.fail, self.refreshes = rows, fail, 0
        self.lock = threading.Lock()

    def statistics_rows(self) -> int:
        if self.fail:
            raise OSError("the link is down")
        return self.rows

    def refresh_statistics(self) -> None:
        if self.fail:
            raise OSError("the link is down")
        with self.lock:
            self.refreshes += 1


def keeper(rows: int, fail: bool = False) -> tuple[StatisticsKeeper, CountingStore]:
    store = CountingStore(rows, fail)
    return StatisticsKeeper(store), store  # type: ignore[arg-type]


def test_a_table_growing_from_25_000_to_475_000_is_analysed_each_time_it_doubles():
    stats, store = keeper(25_000)
    for _ in range(45):
        stats.changed(10_000)
        if stats._worker is not None:
            stats._worker.join()  # each refresh ends before the next batch here, so none is skipped
    stats.finish()
    assert stats.base == 475_000 and stats.since == 0
    assert store.refreshes == 4  # at 55,000, 115,000, 235,000 and 475,000 rows; nothing left for the end


def test_a_small_import_into_a_large_table_takes_no_statistics():
    stats, store = keeper(5_000_000)
    stats.changed(MIN_FINAL * 2)
    stats.finish()
    assert store.refreshes == 0


def test_an_import_of_a_tenth_of_the_table_takes_them_once_at_the_end():
    stats, store = keeper(1_000_000)
    for _ in range(10):
        stats.changed(10_000)
    assert store.refreshes == 0
    stats.finish()
    assert store.refreshes == 1


def test_failures_cost_the_refresh_never_the_import():
    stats, store = keeper(0, fail=True)
    assert stats.base == 0
    stats.changed(MIN_GROWTH)
    stats.finish()
    assert store.refreshes == 0


@given(st.integers(0, 10_000_000), st.lists(st.integers(0, 50_000), max_size=60))
def test_every_change_is_counted_once_and_the_end_leaves_little_unanalysed(rows, batches):
    stats, _store = keeper(rows)
    for n in batches:
        stats.changed(n)
    stats.finish()
    assert stats.base + stats.since == rows + sum(batches)
    assert stats.since < max(MIN_FINAL, 0.1 * stats.base)
