"""Mask candidates' email addresses and phone numbers in the free text a review pack carries.

Phone numbers are recognised by shape, not by any run of digits, so times (14:05), ages, years, year ranges
(2019-2023), ISO dates (2026-11-20), durations, money and version numbers stay as they are:

- international: ``+`` or ``00`` then a country code, 8 to 15 digits in all (``+234 803 123 4567``,
  ``+44 (0)20 7946 0958``, ``0033 6 12 34 56 78``);
- an area code in brackets (``(415) 555-0132``, ``(020) 7946 0958``);
- North American ``415-555-0132`` / ``415.555.0132`` / ``415 555 0132`` (one separator throughout);
- a national number with its trunk 0, 9 to 11 digits (``0803 123 4567``, ``020 7946 0958``, ``0712345678``);
- 7 to 15 digits right after a word that says it is a phone number ("my mobile is 555 0132").

Not covered: numbers spelled out in words, and addresses written to dodge filters ("ada at example dot com").
"""
from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

EMAIL_MASK = "[email removed]"
PHONE_MASK = "[phone removed]"

EMAIL = re.compile(r"(?<![\w.+-])[\w.%+-]*\w@(?:[^\W_](?:[\w-]*[^\W_])?\.)+[^\W\d_]{2,}(?![\w-])")

# Never start inside a number, a time, a date, a path or a word; never stop before more of one.
_BEFORE = r"(?<![\w.,:/+-])"
_AFTER = r"(?![\w]|[.,:/-]\d)"
_SEP = r"[ \u00a0.-]?"
_PHONE_SHAPES = [
    # +country or 00country, then groups; an optional "(0)" trunk marker as in +44 (0)20 …
    (re.compile(_BEFORE + r"(?:\+|00)[1-9]\d{0,2}(?:" + _SEP + r"\(0\))?(?:" + _SEP + r"\(?\d{1,5}\)?){1,6}" + _AFTER),
     8, 15),
    (re.compile(r"(?<![\w(])\(\d{2,5}\)[ \u00a0]?\d{2,4}(?:" + _SEP + r"\d{2,4}){1,3}" + _AFTER), 8, 12),
    (re.compile(_BEFORE + r"\d{3}([ .-])\d{3}\1\d{4}" + _AFTER), 10, 10),
    (re.compile(_BEFORE + r"0\d{1,4}(?:" + _SEP + r"\d{2,4}){0,4}" + _AFTER), 9, 11),
]
_PHONE_WORDS = (r"(?i:\b(?:tele)?phone(?:\s+number)?|\bmobile(?:\s+number)?|\bcell(?:phone)?|\btel\.?|\bwhatsapp"
                r"|\b(?:call|text|reach|ring)\s+me\s+(?:on|at)|\bmy\s+number)")
_KEYWORD_PHONE = re.compile(_PHONE_WORDS + r"(?:\s+is)?\s*:?\s*(?P<number>\+?\d(?:[ \u00a0.-]?\(?\d+\)?)+)" + _AFTER)
_DATE_LIKE = re.compile(r"^(?:\d{4}([-./])\d{1,2}\1\d{1,2}"  # 2026-11-20
                        r"|\d{1,2}([-./])\d{1,2}\2\d{2,4}"  # 20.11.2026
                        r"|(?:19|20)\d\d-(?:19|20)\d\d)$")  # 2019-2023


@dataclass
class RedactionCounts:
    emails: int = 0
    phones: int = 0

    def add(self, other: RedactionCounts) -> None:
        self.emails += other.emails
        self.phones += other.phones

    def to_json(self) -> dict[str, int]:
        return {"emails": self.emails, "phones": self.phones}


def _digits(text: str) -> int:
    return sum(ch.isdigit() for ch in text)


def _is_phone(text: str, low: int, high: int) -> bool:
    return low <= _digits(text) <= high and not _DATE_LIKE.match(text.strip())


def redact_text(text: str) -> tuple[str, RedactionCounts]:
    """`text` with every email address and phone number replaced by a mask, and how many of each."""
    counts = RedactionCounts()

    def email(match: re.Match[str]) -> str:
        counts.emails += 1
        return EMAIL_MASK

    text = EMAIL.sub(email, text)

    def keyword(match: re.Match[str]) -> str:
        number = match.group("number")
        if not 7 <= _digits(number) <= 15 or _DATE_LIKE.match(number):
            return match.group(0)
        counts.phones += 1
        return match.group(0)[: match.start("number") - match.start()] + PHONE_MASK

    text = _KEYWORD_PHONE.sub(keyword, text)
    for pattern, low, high in _PHONE_SHAPES:
        def shape(match: re.Match[str], low: int = low, high: int = high) -> str:
            if not _is_phone(match.group(0), low, high):
                return match.group(0)
            counts.phones += 1
            return PHONE_MASK

        text = pattern.sub(shape, text)
    return text, counts


def _redact_json_strings(value: Any, counts: RedactionCounts) -> Any:
    if isinstance(value, str):
        masked, found = redact_text(value)
        counts.add(found)
        return masked
    if isinstance(value, list):
        return [_redact_json_strings(v, counts) for v in value]
    if isinstance(value, dict):
        return {k: _redact_json_strings(v, counts) for k, v in value.items()}
    return value


def redact_json_text(text: str) -> tuple[str, RedactionCounts]:
    """Mask inside every string of a JSON document (left byte-for-byte as it was when nothing is found)."""
    counts = RedactionCounts()
    try:
        data = json.loads(text)
    except ValueError:
        return redact_text(text)
    masked = _redact_json_strings(data, counts)
    if not (counts.emails or counts.phones):
        return text, counts
    return json.dumps(masked, ensure_ascii=False), counts


# The free-text columns of the pack's tables, and how each is masked.
_COLUMNS: dict[str, dict[str, Callable[[str], tuple[str, RedactionCounts]]]] = {
    "interviews": {"candidate_email": redact_text},
    "interview_sessions": {"transcript_json": redact_json_text},
    "transcript_turns": {"content": redact_text},
    "assessments": {"content_json": redact_json_text},
    "chat_messages": {"content": redact_text},
    "interview_highlights": {"note": redact_text},
}


def redact_rows(data: dict[str, list[dict[str, Any]]]) -> RedactionCounts:
    """Mask in place the free text (transcripts, chat, assessments, highlight notes, email) of rows for a pack."""
    total = RedactionCounts()
    for table, columns in _COLUMNS.items():
        for row in data.get(table, []):
            for column, redact in columns.items():
                value = row.get(column)
                if isinstance(value, str) and value:
                    row[column], found = redact(value)
                    total.add(found)
    return total
