"""Name digest -> the line that first had that name, for an update run, kept in a private temporary SQLite database:
in memory up to a 2 MB page cache, on disk beyond it (deleted when closed), so an update run's memory stays flat
however many names it finds unchanged.

An update re-importing 2,000,000 names found 1.4 million unchanged; as 64-bit digests in memory (name_hashes.py)
they took 25-30 MB, the run's peak RSS going from 109 MB at 500,000 rows to 131 MB at 2,000,000. The keys are the
names' 64-bit digests (ingest/name_hashes.py; here as SQLite's signed integers, the table's rowid). One query per
batch answers all of its names.
"""
from __future__ import annotations

import json
import sqlite3
import threading
from collections.abc import Iterable, Mapping

CACHE_KIB = 2048
_MASK = (1 << 64) - 1


def _signed(h: int) -> int:
    return h - (1 << 64) if h >= 1 << 63 else h


class NameLinesFile:
    """A run's name digests and their first lines (unsigned 64-bit digests in, as out). Thread-safe."""

    def __init__(self, items: Mapping[int, int] | None = None) -> None:
        # "": SQLite's private temporary database, in memory until the cache is full, then a file deleted on close.
        self._db = sqlite3.connect("", check_same_thread=False, isolation_level=None)
        self._lock = threading.Lock()
        for pragma in (f"cache_size = -{CACHE_KIB}", "journal_mode = OFF", "synchronous = OFF"):
            self._db.execute(f"PRAGMA {pragma}")
        self._db.execute("CREATE TABLE names (h INTEGER PRIMARY KEY, line INTEGER NOT NULL)")
        self._count = 0
        if items:
            self.update_lines(items)

    def __len__(self) -> int:
        return self._count

    def update_lines(self, items: Mapping[int, int]) -> None:
        """Add the digests not there yet (one keeps its first line)."""
        rows = sorted((_signed(h), line) for h, line in items.items())
        if not rows:
            return
        with self._lock:
            self._db.execute("BEGIN")
            cursor = self._db.executemany("INSERT OR IGNORE INTO names VALUES (?, ?)", rows)
            self._db.execute("COMMIT")
            self._count += cursor.rowcount

    def lines_of(self, digests: Iterable[int]) -> dict[int, int]:
        """Those of `digests` that are here, with their lines (one query)."""
        asked = [_signed(h) for h in digests]
        if not asked:
            return {}
        with self._lock:
            found = self._db.execute("SELECT h, line FROM names WHERE h IN (SELECT value FROM json_each(?))",
                                     (json.dumps(asked),)).fetchall()
        return {h & _MASK: line for h, line in found}

    def get(self, digest: int) -> int | None:
        return self.lines_of((digest,)).get(digest)

    def close(self) -> None:
        with self._lock:
            self._db.close()
