"""Turn citations in a chat answer: [T3], [T3, T5] and [T3-T5] markers naming transcript turns.

The one reading of the markers, shared by the chat service (which stores what an answer cites) and the chat
panel (which links each reference to its turn).
"""
from __future__ import annotations

import re
from collections.abc import Callable

MARKER = re.compile(r"\[([^\[\]]{1,80})\]")
REFERENCE = re.compile(r"T\s*(\d+)(?:\s*[-–]\s*T?\s*(\d+))?", re.IGNORECASE)
MAX_RANGE = 50  # a range such as [T1-T9999] names at most this many turns after its first


def _turns(reference: re.Match[str]) -> range:
    first = int(reference.group(1))
    last = int(reference.group(2) or first)
    return range(first, min(last, first + MAX_RANGE) + 1)


def cited_turn_numbers(text: str) -> list[int]:
    """The turn numbers the markers in `text` name, in order of first mention, once each."""
    seen: dict[int, None] = {}
    for marker in MARKER.finditer(text):
        for reference in REFERENCE.finditer(marker.group(1)):
            seen.update(dict.fromkeys(_turns(reference)))
    return list(seen)


def replace_references(text: str, replace: Callable[[int, str], str]) -> str:
    """`text` with each turn reference inside a marker replaced by `replace(first turn number, reference text)`."""

    def marker(match: re.Match[str]) -> str:
        inner = REFERENCE.sub(lambda ref: replace(int(ref.group(1)), ref.group(0)), match.group(1))
        return f"[{inner}]"

    return MARKER.sub(marker, text)
