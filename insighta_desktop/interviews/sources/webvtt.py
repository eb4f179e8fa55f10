"""WebVTT as Zoom, Teams and Google Meet export it.

The speaker comes from a `<v Name>` voice tag (Teams, Meet) or a leading `Name:` in the cue text (Zoom); a cue that
names nobody continues the previous speaker. Cue identifiers, cue settings (`align:start position:10%`), NOTE,
STYLE and REGION blocks, inline tags (`<c.yellow>`, `<i>`, `<00:00:01.000>`) and entities are dealt with. A block
that is not a well-formed cue (no timing line, unreadable times) is skipped and counted.
"""
from __future__ import annotations

import re

from insighta_desktop.interviews.sources.model import WEBVTT, NotATranscript, ParsedTranscript, RawCue, attribute, build
from insighta_desktop.interviews.sources.text import (
    blocks,
    clean_cue_text,
    clean_name,
    parse_timecode,
    split_leading_name,
)

_HEADER = re.compile(r"^WEBVTT(?:[ \t].*)?$")
_TIMING = re.compile(r"^\s*(\S+)\s+-->\s+(\S+)(?:\s+.*)?$")
_VOICE = re.compile(r"<v(?:\.[^\s>]*)?(?:[ \t]+([^>]*))?>", re.IGNORECASE)
_SKIPPED_BLOCKS = ("NOTE", "STYLE", "REGION")
MAX_NAME_LENGTH = 200


def looks_like_webvtt(text: str) -> bool:
    return bool(_HEADER.match(text.split("\n", 1)[0]))


def parse_timing(line: str) -> tuple[float, float] | None:
    match = _TIMING.match(line)
    if not match:
        return None
    start, end = parse_timecode(match.group(1)), parse_timecode(match.group(2))
    if start is None or end is None:
        return None
    return start, end


def voice_segments(body: str) -> list[tuple[str | None, str]]:
    """The cue text split at its voice tags: [(speaker or None, text)]; text before the first tag joins it."""
    tags = list(_VOICE.finditer(body))
    if not tags:
        return [(None, body)]
    segments: list[tuple[str | None, str]] = []
    for index, tag in enumerate(tags):
        end = tags[index + 1].start() if index + 1 < len(tags) else len(body)
        name = clean_name(clean_cue_text(tag.group(1) or ""))[:MAX_NAME_LENGTH]
        segments.append((name or None, body[tag.end():end]))
    prefix = body[:tags[0].start()]
    if prefix.strip():
        speaker, first = segments[0]
        segments[0] = (speaker, f"{prefix} {first}")
    return segments


def cue_pieces(body: str) -> list[RawCue]:
    """The speech of one cue's text lines (timing left at zero): voice tags first, else a leading `Name:`."""
    pieces = []
    for speaker, raw_text in voice_segments(body):
        text = clean_cue_text(raw_text)
        if speaker is None:
            speaker, text = split_leading_name(text)
        if text:
            pieces.append(RawCue(speaker, text, 0.0))
    return pieces


def _is_skipped_block(head: str) -> bool:
    return any(head == word or head.startswith((word + " ", word + "\t")) for word in _SKIPPED_BLOCKS)


def parse_webvtt(text: str) -> ParsedTranscript:
    if not looks_like_webvtt(text):
        raise NotATranscript("it does not start with a WEBVTT header")
    groups = blocks(text)
    header = groups[0] if groups else []
    # A cue glued to the header (no blank line after it) is still read.
    glued = next((i for i, line in enumerate(header) if "-->" in line), None)
    groups = ([header[max(1, glued - 1):]] if glued is not None else []) + groups[1:]
    raw: list[RawCue] = []
    skipped = 0
    for group in groups:
        if _is_skipped_block(group[0]):
            continue
        at = 0 if "-->" in group[0] else 1 if len(group) > 1 and "-->" in group[1] else None
        timing = parse_timing(group[at]) if at is not None else None
        if at is None or timing is None:
            skipped += 1
            continue
        start, end = timing
        raw += [RawCue(p.speaker, p.text, start, end) for p in cue_pieces("\n".join(group[at + 1:]))]
    return build(WEBVTT, attribute(raw, "the WebVTT file"), skipped)
