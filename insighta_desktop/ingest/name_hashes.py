"""A set of name keys in 8 bytes each: their 64-bit BLAKE2b digests in an open-addressing table (an array).

The dry run must know which names earlier lines of the file already had; a set of the names themselves costs
60-250 bytes a name (over 400 MB for 2,000,000 long names), a set of Python ints about 64 bytes, this 8-16 bytes
(the table is kept between a quarter and a half full). Two different names share a digest with a chance of about
n^2 / 2^65 (1 in 10 million for 2,000,000 names); such a name would be counted as a repeat.
"""
from __future__ import annotations

from array import array
from collections.abc import Iterable
from hashlib import blake2b

_FIRST_SIZE = 1 << 14


def name_hash(key: str) -> int:
    """The key's 64-bit digest, never 0 (0 marks an empty slot)."""
    return int.from_bytes(blake2b(key.encode("utf-8", "surrogatepass"), digest_size=8).digest(), "little") or 1


class NameHashes:
    def __init__(self) -> None:
        self._slots = array("Q", bytes(8 * _FIRST_SIZE))
        self._mask = _FIRST_SIZE - 1
        self._count = 0

    def __len__(self) -> int:
        return self._count

    def __contains__(self, key: object) -> bool:
        return isinstance(key, str) and self.has_hash(name_hash(key))

    def has_hash(self, h: int) -> bool:
        slots, mask = self._slots, self._mask
        i = h & mask
        while (value := slots[i]) != 0:
            if value == h:
                return True
            i = (i + 1) & mask
        return False

    def add(self, key: str) -> bool:
        """Add one key; False when it was there already."""
        return self.add_hash(name_hash(key))

    def update(self, keys: Iterable[str]) -> None:
        for key in keys:
            self.add_hash(name_hash(key))

    def add_hash(self, h: int) -> bool:
        slots, mask = self._slots, self._mask
        i = h & mask
        while (value := slots[i]) != 0:
            if value == h:
                return False
            i = (i + 1) & mask
        slots[i] = h
        self._count += 1
        if self._count * 2 > len(slots):
            self._grow()
        return True

    def _grow(self) -> None:
        old = self._slots
        size = len(old) * 2
        self._slots = slots = array("Q", bytes(8 * size))
        self._mask = mask = size - 1
        for h in old:
            if h:
                i = h & mask
                while slots[i] != 0:
                    i = (i + 1) & mask
                slots[i] = h


class NameLines:
    """name key -> the line that first had it, in 12 bytes a slot (digest and line number), for update runs."""

    def __init__(self, items: dict[str, int] | None = None) -> None:
        self._slots = array("Q", bytes(8 * _FIRST_SIZE))
        self._lines = array("I", bytes(4 * _FIRST_SIZE))
        self._mask = _FIRST_SIZE - 1
        self._count = 0
        if items:
            self.update(items)

    def __len__(self) -> int:
        return self._count

    def _find(self, h: int) -> int:
        """The slot holding `h`, or the empty slot where it would go."""
        slots, mask = self._slots, self._mask
        i = h & mask
        while (value := slots[i]) != 0 and value != h:
            i = (i + 1) & mask
        return i

    def __contains__(self, key: object) -> bool:
        return isinstance(key, str) and self._slots[self._find(name_hash(key))] != 0

    def get(self, key: str) -> int | None:
        i = self._find(name_hash(key))
        return self._lines[i] if self._slots[i] else None

    def setdefault(self, key: str, line: int) -> int:
        h = name_hash(key)
        i = self._find(h)
        if self._slots[i]:
            return self._lines[i]
        self._slots[i], self._lines[i] = h, line
        self._count += 1
        if self._count * 2 > len(self._slots):
            self._grow()
        return line

    def update(self, items: dict[str, int]) -> None:
        """Add names not there yet (a name keeps its first line)."""
        for key, line in items.items():
            self.setdefault(key, line)

    def _grow(self) -> None:
        old_slots, old_lines = self._slots, self._lines
        size = len(old_slots) * 2
        self._slots = slots = array("Q", bytes(8 * size))
        self._lines = lines = array("I", bytes(4 * size))
        self._mask = mask = size - 1
        for h, line in zip(old_slots, old_lines, strict=True):
            if h:
                i = h & mask
                while slots[i] != 0:
                    i = (i + 1) & mask
                slots[i], lines[i] = h, line
