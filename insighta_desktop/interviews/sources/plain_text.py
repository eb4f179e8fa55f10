"""Plain-text transcripts in the two common export styles.

Bracketed lines (MeetMind's export, and this app's own): `[MM:SS] Name: text` or `[HH:MM:SS] Name: text`; a line
without a stamp continues the turn above; header lines before the first turn may say `Name — Role` and
`Interview of YYYY-MM-DD HH:MM UTC`. A line whose stamp is unreadable (`[12:7x]`) is skipped and counted.

Otter-style blocks: `Name  0:05` (or `Name  1:02:03`) on one line, the text on the lines below, a blank line
between blocks; a title block before the first one is read for an ISO date. A block that is not one is counted.
"""
from __future__ import annotations

import re
from datetime import UTC, datetime

from insighta_desktop.interviews.sources.model import (
    TEXT_BRACKETED,
    TEXT_OTTER,
    Cue,
    NotATranscript,
    ParsedTranscript,
    RawCue,
    attribute,
    build,
)
from insighta_desktop.interviews.sources.text import (
    blocks,
    clean_name,
    is_speaker_name,
    parse_clock,
    split_leading_name,
)

_BRACKET_LINE = re.compile(r"^\s*\[([^\[\]]{1,20})\]\s*(.*)$")
_STAMP_LIKE = re.compile(r"^(?=.*\d)[\w.]+(?::[\w.]+)+$")  # 12:7x, 0x:11: a damaged stamp
_EXPORT_DATE = re.compile(r"^Interview of (\d{4}-\d{2}-\d{2}) (\d{2}:\d{2}) UTC$")
_TITLE = re.compile(r"^(.+?) — (.+)$")
_OTTER_HEAD = re.compile(r"^(\S.*?)[ \t]+(\d{1,3}:\d{2}(?::\d{2})?)[ \t]*$")
_ISO_DATE = re.compile(r"\b(\d{4})-(\d{2})-(\d{2})(?:[ T](\d{2}):(\d{2}))?\b")
_SAMPLE_LINES = 400


def _bracket_turn(line: str) -> tuple[float, str | None, str] | None:
    """(seconds, speaker or None, text) of a `[MM:SS] Name: text` line; None when the line is not a turn."""
    match = _BRACKET_LINE.match(line)
    if not match:
        return None
    stamp = parse_clock(match.group(1))
    if stamp is None:
        return None
    speaker, text = split_leading_name(match.group(2).strip())
    return stamp, speaker, text


def looks_like_bracketed(text: str) -> bool:
    lines = [line for line in text.split("\n", _SAMPLE_LINES)[:_SAMPLE_LINES] if line.strip()]
    turns = [t for t in map(_bracket_turn, lines) if t is not None]
    return any(t[1] is not None for t in turns) and len(turns) * 10 >= len(lines) * 3


def _otter_head(line: str) -> tuple[str, float] | None:
    match = _OTTER_HEAD.match(line)
    if not match or not is_speaker_name(match.group(1)):
        return None
    stamp = parse_clock(match.group(2))
    return None if stamp is None else (clean_name(match.group(1)), stamp)


def looks_like_otter(text: str) -> bool:
    groups = blocks(text[:200_000])[:200]
    heads = sum(1 for g in groups if len(g) > 1 and _otter_head(g[0]) is not None)
    return heads > 0 and heads * 2 >= len(groups) - 1


def _header_hints(header: list[str]) -> tuple[datetime | None, str | None, str | None]:
    started_at = name = role = None
    for line in header:
        line = line.strip()
        if (date := _EXPORT_DATE.match(line)) is not None:
            started_at = datetime.fromisoformat(f"{date.group(1)}T{date.group(2)}").replace(tzinfo=UTC)
        elif (title := _TITLE.match(line)) is not None and name is None:
            name, role = clean_name(title.group(1)), clean_name(title.group(2))
    return started_at, name, role


def parse_bracketed(text: str) -> ParsedTranscript:
    raw: list[RawCue] = []
    header: list[str] = []
    skipped = 0
    for line in text.split("\n"):
        if not line.strip():
            continue
        turn = _bracket_turn(line)
        if turn is not None:
            stamp, speaker, body = turn
            raw.append(RawCue(speaker, body, stamp))
            continue
        bracket = _BRACKET_LINE.match(line)
        if bracket is not None and _STAMP_LIKE.match(bracket.group(1)):
            skipped += 1  # a stamp that cannot be read: the line's time is unknown
        elif raw:
            last = raw[-1]
            raw[-1] = RawCue(last.speaker, f"{last.text} {line.strip()}", last.start)
        else:
            header.append(line)
    if not raw:
        raise NotATranscript("it has no [MM:SS] Name: text lines")
    started_at, name, role = _header_hints(header)
    return build(TEXT_BRACKETED, attribute(raw, "the text file"), skipped, started_at=started_at,
                 candidate_name=name, role=role)


def _iso_date(lines: list[str]) -> datetime | None:
    for line in lines:
        match = _ISO_DATE.search(line)
        if match:
            year, month, day, hour, minute = match.groups()
            try:
                return datetime(int(year), int(month), int(day), int(hour or 0), int(minute or 0), tzinfo=UTC)
            except ValueError:
                continue
    return None


def parse_otter(text: str) -> ParsedTranscript:
    cues: list[Cue] = []
    skipped = 0
    started_at = None
    for index, group in enumerate(blocks(text)):
        head = _otter_head(group[0])
        if head is not None and len(group) > 1:
            speaker, stamp = head
            cues.append(Cue(speaker, " ".join(line.strip() for line in group[1:]), stamp))
        elif index == 0 and head is None:
            started_at = _iso_date(group)  # a title block
        else:
            skipped += 1
    if not cues:
        raise NotATranscript("it has no Otter-style blocks (Name  0:05, then the text)")
    cues.sort(key=lambda c: c.start)
    return build(TEXT_OTTER, cues, skipped, started_at=started_at)
