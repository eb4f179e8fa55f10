"""Sets of name keys in 8 bytes each: 64-bit BLAKE2b digests in open-addressing tables.

The dry run must know which names earlier lines of the file already had (an update run's names found unchanged, with
their lines, are in db/name_lines_file.py); a set of the names themselves costs 60-250 bytes a name (over 400 MB for
2,000,000 long names), a set of Python ints about 64 bytes. Here the digests are spread over 256 tables (by their
top byte), each kept between 40% and 80% full, so memory grows with the names in small steps (a table doubles alone)
instead of one copy of everything at each doubling. Two different names share a digest with a chance of about n^2 /
2^65 (1 in 10 million for 2,000,000 names); such a name would be taken for a repeat.
"""
from __future__ import annotations

from array import array
from collections.abc import Iterable
from hashlib import blake2b

_TABLES = 256
_SHIFT = 56  # the top byte of a digest picks its table; the low bits its slot
_FIRST_SIZE = 64


def name_hash(key: str) -> int:
    """The key's 64-bit digest, never 0 (0 marks an empty slot)."""
    return int.from_bytes(blake2b(key.encode("utf-8", "surrogatepass"), digest_size=8).digest(), "little") or 1


class _Table:
    __slots__ = ("count", "mask", "slots")

    def __init__(self, size: int) -> None:
        self.slots = array("Q", bytes(8 * size))
        self.mask = size - 1
        self.count = 0

    def find(self, h: int) -> int:
        """The slot holding `h`, or the empty slot where it would go."""
        slots, mask = self.slots, self.mask
        i = h & mask
        while (value := slots[i]) != 0 and value != h:
            i = (i + 1) & mask
        return i

    def put(self, i: int, h: int) -> _Table:
        """Fill empty slot i; the table to use from now on (a bigger one once this one is 80% full)."""
        self.slots[i] = h
        self.count += 1
        if self.count * 5 <= len(self.slots) * 4:
            return self
        bigger = _Table(len(self.slots) * 2)
        for value in self.slots:
            if value:
                bigger.put(bigger.find(value), value)
        return bigger


class NameHashes:
    """A set of name keys."""

    def __init__(self) -> None:
        self._tables = [_Table(_FIRST_SIZE) for _ in range(_TABLES)]

    def __len__(self) -> int:
        return sum(table.count for table in self._tables)

    def __contains__(self, key: object) -> bool:
        return isinstance(key, str) and self.has_hash(name_hash(key))

    def has_hash(self, h: int) -> bool:
        table = self._tables[h >> _SHIFT]
        return table.slots[table.find(h)] != 0

    def add(self, key: str) -> bool:
        """Add one key; False when it was there already."""
        return self.add_hash(name_hash(key))

    def update(self, keys: Iterable[str]) -> None:
        for key in keys:
            self.add_hash(name_hash(key))

    def add_hash(self, h: int) -> bool:
        top = h >> _SHIFT
        table = self._tables[top]
        i = table.find(h)
        if table.slots[i]:
            return False
        self._tables[top] = table.put(i, h)
        return True
