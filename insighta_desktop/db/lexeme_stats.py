"""How often PostgreSQL's statistics say each indexed word occurs, to pick the cheaper way to find its newest turns.

Finding the newest matches of a word can walk the turns backwards in time (cheap for a common word: a few hundred
rows hold enough matches) or read every match through the GIN index and sort them (cheap for a rarer word). The
planner prices the walk as if matches were spread evenly in time; in transcripts they cluster by interview (a
candidate who never mentions Terraform covers 200 turns without one), so for mid-frequency words it chose walks
that read tens of thousands of rows where the index reads two thousand. `ANALYZE`'s own word frequencies
(pg_stats.most_common_elems) decide instead; they are read at most every few minutes, one small query.
"""
from __future__ import annotations

import math
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass

from sqlalchemy.engine import Connection

from insighta_desktop.db.transcript_index import SEARCH_COLUMN

# Reading one row while walking costs about a sixth of fetching one match through the bitmap (measured on the
# benchmark's 200,000 turns: 56 ms to walk 50,000 rows, 15 ms to fetch 2,100 matches).
WALK_TO_FETCH_COST = 1 / 6

_STATS = f"""
SELECT c.reltuples, s.most_common_elems::text::text[] AS words, s.most_common_elem_freqs AS freqs
FROM pg_class c
JOIN pg_namespace n ON n.oid = c.relnamespace
LEFT JOIN pg_stats s ON s.schemaname = n.nspname AND s.tablename = c.relname AND s.attname = '{SEARCH_COLUMN}'
WHERE c.oid = 'transcript_turns'::regclass
"""


@dataclass(frozen=True)
class LexemeStats:
    rows: float
    frequencies: Mapping[str, float]  # share of turns holding the word
    floor: float  # the share assumed for a word the statistics do not list (as the planner does: half the least)

    def share(self, word: str) -> float:
        return self.frequencies.get(word, self.floor)

    def walk_pays(self, expected_matches: float, wanted: int) -> bool:
        """Whether walking backwards to `wanted` matches reads less than fetching all `expected_matches`."""
        return expected_matches >= math.sqrt(wanted * self.rows * WALK_TO_FETCH_COST)


def read_lexeme_stats(conn: Connection) -> LexemeStats | None:
    """None before the first ANALYZE of the turns (the planner then decides alone)."""
    row = conn.exec_driver_sql(_STATS).first()
    if row is None or not row.words or not row.freqs or row.reltuples is None or row.reltuples <= 0:
        return None
    frequencies = dict(zip(row.words, row.freqs[: len(row.words)], strict=True))
    return LexemeStats(float(row.reltuples), frequencies, min(frequencies.values()) / 2)


class LexemeStatsCache:
    """The statistics of one database, re-read when older than `ttl` seconds. Thread-safe."""

    def __init__(self, ttl: float = 600.0, clock: Callable[[], float] = time.monotonic) -> None:
        self.ttl, self.clock = ttl, clock
        self._lock = threading.Lock()
        self._stats: LexemeStats | None = None
        self._read_at: float | None = None

    def get(self, conn: Connection) -> LexemeStats | None:
        with self._lock:
            now = self.clock()
            if self._read_at is None or now - self._read_at > self.ttl:
                self._stats, self._read_at = read_lexeme_stats(conn), now
            return self._stats
