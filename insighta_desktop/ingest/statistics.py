"""Keep the planner's statistics of the profiles fresh while an import grows the table.

PostgreSQL plans a search from statistics taken by ANALYZE. A table that grew tenfold since (25,000 profiles, then an
import of 450,000) is planned as the small table it was: a search took 550 ms instead of 28 ms until the statistics
were taken again (autovacuum does it, but only every minute at best, and not at all where it is turned off). So an
import takes them again itself: on a worker thread, without holding up the batches, each time the profiles it added
since the last time reach the number there were then (the table doubled; at least MIN_GROWTH), and once at its end
when what it changed since is a tenth of the table or more (at least MIN_FINAL; a small import changes no plan).
Each refresh also vacuums profile_counts, whose rows every batch rewrote (db/schema.py: COUNTS_FILLFACTOR).
SQLite keeps no such statistics: the store does nothing there.
"""
from __future__ import annotations

import logging
import threading

from insighta_desktop.db.profile_store import ProfileStore

log = logging.getLogger(__name__)

MIN_GROWTH = 20_000
MIN_FINAL = 10_000
FINAL_SHARE = 0.1


class StatisticsKeeper:
    def __init__(self, store: ProfileStore) -> None:
        self.store = store
        try:
            self.base = store.statistics_rows()  # rows when the statistics were last taken
        except Exception as exc:  # an optimisation: the import goes on (and meets the failure itself, if it lasts)
            log.warning("Could not read the planner's statistics: %s", exc)
            self.base = 0
        self.since = 0  # rows the import added or changed since
        self.refreshed = 0  # times it took them (for the tests and the log)
        self._worker: threading.Thread | None = None

    def changed(self, rows: int) -> None:
        """The import committed `rows` more added or changed profiles."""
        self.since += rows
        if self.since >= max(MIN_GROWTH, self.base) and (self._worker is None or not self._worker.is_alive()):
            self.base, self.since = self.base + self.since, 0
            self._worker = threading.Thread(target=self._refresh, name="import-statistics", daemon=True)
            self._worker.start()

    def finish(self) -> None:
        """The import is over: wait for a refresh under way, then take them once more if it changed enough."""
        if self._worker is not None:
            self._worker.join()
        if self.since >= max(MIN_FINAL, FINAL_SHARE * self.base):
            self.base, self.since = self.base + self.since, 0
            self._refresh()

    def _refresh(self) -> None:
        try:
            self.store.refresh_statistics()
            self.refreshed += 1
        except Exception as exc:  # statistics are an optimisation: a failure costs speed, never the import
            log.warning("Could not refresh the planner's statistics after an import batch: %s", exc)
