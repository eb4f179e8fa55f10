"""Text helpers the transcript parsers share: decoding, time codes, inline tags and `Name:` prefixes."""
from __future__ import annotations

import codecs
import html
import re

from insighta_desktop.interviews.sources.model import NotATranscript

_BOMS = ((codecs.BOM_UTF8, "utf-8-sig"), (codecs.BOM_UTF32_LE, "utf-32"), (codecs.BOM_UTF32_BE, "utf-32"),
         (codecs.BOM_UTF16_LE, "utf-16"), (codecs.BOM_UTF16_BE, "utf-16"))
# Control characters that never appear in a text export (tab, newlines and form feed are fine).
_BINARY = re.compile(r"[\x00-\x08\x0b\x0e-\x1a\x1c-\x1f]")

# 01:02:03.456, 02:03.456, 1:02:03,456 (SRT) — hours optional, milliseconds optional.
_TIMECODE = re.compile(r"^(?:(\d{1,3}):)?(\d{1,2}):(\d{1,2})(?:[.,](\d{1,3}))?$")
_CLOCK = re.compile(r"^(?:(\d{1,3}):)?(\d{1,3}):(\d{2})$")  # [MM:SS], [HH:MM:SS], Otter's 0:05 / 1:02:03

_TAG = re.compile(r"<[^<>\n]*>")
_ASS_OVERRIDE = re.compile(r"\{\\[^{}]*\}")  # SRT files converted from ASS: {\an8}, {\i1}
_INVISIBLE = dict.fromkeys(map(ord, "\u200b\u200e\u200f\u202a\u202b\u202c\u202d\u202e\ufeff"))
_SPACES = re.compile(r"\s+")

# A speaker label: starts with a letter, at most 60 characters and 6 words, no sentence punctuation.
_NAME = r"[^\W\d_][\w .'’()&@/-]{0,59}?"
_LEADING_NAME = re.compile(rf"^({_NAME})\s*:(?:\s+|$)(.*)$", re.DOTALL)
_NAME_ONLY = re.compile(rf"^{_NAME}$")
MAX_NAME_WORDS = 6


def decode(data: bytes) -> str:
    """The file's text: UTF-8 (with or without a BOM), UTF-16/32 with a BOM, else Windows-1252; never binary."""
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            try:
                text = data.decode(encoding)
            except UnicodeDecodeError:
                raise NotATranscript(f"it starts like {encoding.upper()} text but cannot be decoded") from None
            break
    else:
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError:
            text = data.decode("cp1252", errors="replace")
    text = text.lstrip("\ufeff")
    if _BINARY.search(text[:65536]):
        raise NotATranscript("it is a binary file, not text")
    return text.replace("\r\n", "\n").replace("\r", "\n")


def parse_timecode(value: str) -> float | None:
    """Seconds of a cue time (HH:MM:SS.mmm, MM:SS.mmm, HH:MM:SS,mmm), None when it is not one."""
    match = _TIMECODE.match(value.strip())
    if not match:
        return None
    hours, minutes, seconds, millis = match.groups()
    if (hours is not None and int(minutes) > 59) or int(seconds) > 59:
        return None
    fraction = int(millis.ljust(3, "0")) / 1000 if millis else 0.0
    return int(hours or 0) * 3600 + int(minutes) * 60 + int(seconds) + fraction


def parse_clock(value: str) -> float | None:
    """Seconds of a plain-text stamp: MM:SS (minutes may pass 59) or H:MM:SS; None when it is not one."""
    match = _CLOCK.match(value.strip())
    if not match:
        return None
    hours, minutes, seconds = match.groups()
    if int(seconds) > 59 or (hours is not None and int(minutes) > 59):
        return None
    return float(int(hours or 0) * 3600 + int(minutes) * 60 + int(seconds))


def clean_cue_text(text: str) -> str:
    """Inline tags (<c.x>, <i>, <00:00:01.000>, </v>…) and ASS overrides removed, entities decoded, one line."""
    text = _ASS_OVERRIDE.sub("", _TAG.sub("", text))
    text = html.unescape(text).translate(_INVISIBLE).replace("\xa0", " ")
    return _SPACES.sub(" ", text).strip()


def is_speaker_name(value: str) -> bool:
    value = value.strip()
    return bool(_NAME_ONLY.match(value)) and len(value.split()) <= MAX_NAME_WORDS and "://" not in value


def split_leading_name(text: str) -> tuple[str | None, str]:
    """("Jane Smith", "Hello") for "Jane Smith: Hello"; (None, text) when the text does not start with a name."""
    match = _LEADING_NAME.match(text)
    if not match:
        return None, text
    name = match.group(1).strip()
    if not is_speaker_name(name):
        return None, text
    return clean_name(name), match.group(2).strip()


def clean_name(name: str) -> str:
    return _SPACES.sub(" ", name).strip()


def blocks(text: str) -> list[list[str]]:
    """Groups of non-blank lines, split at blank (or whitespace-only) lines; lines keep no trailing spaces."""
    groups: list[list[str]] = []
    current: list[str] = []
    for line in text.split("\n"):
        if line.strip():
            current.append(line.rstrip())
        elif current:
            groups.append(current)
            current = []
    if current:
        groups.append(current)
    return groups
