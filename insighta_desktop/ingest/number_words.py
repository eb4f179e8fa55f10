"""English number words for ages: "Thirty", "twenty-five", "one hundred and five"."""
from __future__ import annotations

import re

_UNITS = {
    "zero": 0, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8, "nine": 9,
    "ten": 10, "eleven": 11, "twelve": 12, "thirteen": 13, "fourteen": 14, "fifteen": 15, "sixteen": 16,
    "seventeen": 17, "eighteen": 18, "nineteen": 19,
}
_TENS = {"twenty": 20, "thirty": 30, "forty": 40, "fourty": 40, "fifty": 50, "sixty": 60, "seventy": 70,
         "eighty": 80, "ninety": 90}
_SPLIT = re.compile(r"[\s\-]+")


def parse_number_words(text: str) -> int | None:
    """The whole number 0-999 spelled in English words, or None when the text is not one."""
    words = [w for w in _SPLIT.split(text.strip().casefold()) if w and w != "and"]
    if not words or len(words) > 6:
        return None
    total = 0
    if len(words) >= 2 and words[1] == "hundred":
        head = _UNITS.get(words[0])
        if head is None or head == 0:
            return None
        total = head * 100
        words = words[2:]
        if not words:
            return total
    elif words[0] == "hundred":
        total = 100
        words = words[1:]
        if not words:
            return total
    return _below_hundred(words, total)


def _below_hundred(words: list[str], base: int) -> int | None:
    if len(words) == 1:
        word = words[0]
        if word in _UNITS:
            return base + _UNITS[word] if not (base and word == "zero") else None
        if word in _TENS:
            return base + _TENS[word]
        return None
    if len(words) == 2 and words[0] in _TENS and words[1] in _UNITS and 0 < _UNITS[words[1]] < 10:
        return base + _TENS[words[0]] + _UNITS[words[1]]
    return None
