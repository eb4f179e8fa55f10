"""Profile ids: RFC 9562 UUIDv7 (48-bit Unix milliseconds, a 12-bit sequence, 62 random bits), time-ordered.

One generator serves the importer (whole batches as 32 hex digits) and everything that needs a single id.
"""
from __future__ import annotations

import os
import time
import uuid
from itertools import repeat
from operator import add

_PER_MS = 4096  # the 12-bit rand_a field numbers the ids of one millisecond (RFC 9562, 6.2 method 1)
_RAND_A = [f"7{seq:03x}" for seq in range(_PER_MS)]  # version nibble + sequence
_VARIANT_DIGIT = "89ab"


class Uuid7Batches:
    """Hands out time-ordered ids: 48-bit millisecond timestamp, a 12-bit sequence, 62 random bits.

    The random bits are drawn once per millisecond: within one generator the (millisecond, sequence) pair is
    unique, and ids from two generators collide only if 62 random bits do. Batches never reuse a millisecond,
    so ids keep increasing even when batches come faster than the clock.
    """

    def __init__(self) -> None:
        self._last_ms = -1

    def next_ids(self, count: int, now_ms: int) -> list[str]:
        ms = max(now_ms, self._last_ms + 1)
        ids: list[str] = []
        for start in range(0, count, _PER_MS):
            size = min(_PER_MS, count - start)
            noise = os.urandom(8)
            tail = _VARIANT_DIGIT[noise[0] & 3] + noise.hex()[1:]
            head = f"{ms & ((1 << 48) - 1):012x}"
            ids.extend(map(add, repeat(head, size), map(add, _RAND_A[:size], repeat(tail, size))))
            ms += 1
        self._last_ms = ms - 1
        return ids


def uuid7(now_ms: int | None = None) -> uuid.UUID:
    """One UUIDv7 for `now_ms` (default: now)."""
    ms = int(time.time() * 1000) if now_ms is None else now_ms
    return uuid.UUID(hex=Uuid7Batches().next_ids(1, ms)[0])
