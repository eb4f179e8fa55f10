"""SRT subtitles with the speaker as a leading `Name:` in the text (`<i>`, `<font>` and `{\\an8}` tags stripped).

A block is an optional counter line, a `00:00:01,000 --> 00:00:04,000` timing line and the text. A block that is
not a well-formed cue is skipped and counted; a cue that names nobody continues the previous speaker.
"""
from __future__ import annotations

import re

from insighta_desktop.interviews.sources.model import SRT, NotATranscript, ParsedTranscript, RawCue, attribute, build
from insighta_desktop.interviews.sources.text import blocks, clean_cue_text, parse_timecode, split_leading_name

_TIMING = re.compile(r"^\s*(\d{1,3}:\d{1,2}:\d{1,2}[,.]\d{1,3})\s*-->\s*(\d{1,3}:\d{1,2}:\d{1,2}[,.]\d{1,3})"
                     r"(?:\s+.*)?$")
_LOOSE_TIMING = re.compile(r"^\s*\S+\s*-->\s*\S+")


def looks_like_srt(text: str) -> bool:
    """A timing line with comma milliseconds (SRT's mark) among the first blocks."""
    for group in blocks(text[:20000])[:5]:
        for line in group[:2]:
            match = _TIMING.match(line)
            if match and "," in match.group(1):
                return True
    return False


def parse_srt(text: str) -> ParsedTranscript:
    groups = blocks(text)
    if not any(_LOOSE_TIMING.match(line) for group in groups for line in group[:2]):
        raise NotATranscript("it has no SRT timing lines (00:00:01,000 --> 00:00:04,000)")
    raw: list[RawCue] = []
    skipped = 0
    for group in groups:
        timing = _cue_timing(group)
        if timing is None:
            skipped += 1
            continue
        at, start, end = timing
        speaker, body = split_leading_name(clean_cue_text("\n".join(group[at + 1:])))
        if body:
            raw.append(RawCue(speaker, body, start, end))
    return build(SRT, attribute(raw, "the SRT file"), skipped)


def _cue_timing(group: list[str]) -> tuple[int, float, float | None] | None:
    """Where the timing line is (0, or 1 after a counter) and its start and end; None for a damaged block."""
    if _LOOSE_TIMING.match(group[0]):
        at = 0
    elif len(group) > 1 and _LOOSE_TIMING.match(group[1]) and group[0].strip().isdigit():
        at = 1
    else:
        return None
    match = _TIMING.match(group[at])
    start = parse_timecode(match.group(1)) if match else None
    if match is None or start is None:
        return None
    return at, start, parse_timecode(match.group(2))
