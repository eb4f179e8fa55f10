"""Which transcript format a file is in, decided from its content (the file name's extension is not trusted)."""
from __future__ import annotations

from insighta_desktop.interviews.sources.meetmind_json import loads, parse_meetmind_json
from insighta_desktop.interviews.sources.model import NotATranscript, ParsedTranscript
from insighta_desktop.interviews.sources.plain_text import (
    looks_like_bracketed,
    looks_like_otter,
    parse_bracketed,
    parse_otter,
)
from insighta_desktop.interviews.sources.srt import looks_like_srt, parse_srt
from insighta_desktop.interviews.sources.text import decode
from insighta_desktop.interviews.sources.webvtt import looks_like_webvtt, parse_webvtt

MAX_BYTES = 50 * 1024 * 1024
UNKNOWN = ("it is not a transcript this app reads: WebVTT, SRT, MeetMind JSON, or plain text as "
           "“[MM:SS] Name: text” lines or Otter-style blocks (“Name  0:05”, then the text)")


def parse_transcript_text(text: str) -> ParsedTranscript:
    """The transcript in `text`; NotATranscript (with the reason) for anything else. Never raises another error."""
    stripped = text.strip()
    if not stripped:
        raise NotATranscript("it is empty")
    value = loads(stripped)
    if value is not None:
        return parse_meetmind_json(value)
    if looks_like_webvtt(stripped):
        return parse_webvtt(stripped)
    if looks_like_srt(stripped):
        return parse_srt(stripped)
    if looks_like_bracketed(stripped):
        return parse_bracketed(stripped)
    if looks_like_otter(stripped):
        return parse_otter(stripped)
    raise NotATranscript(UNKNOWN)


def parse_transcript(data: bytes) -> ParsedTranscript:
    """The transcript in a file's bytes (any BOM, UTF-8 or Windows-1252), or NotATranscript with the reason."""
    if len(data) > MAX_BYTES:
        raise NotATranscript(f"it is too large for a transcript ({len(data) / 1e6:.0f} MB; the limit is "
                             f"{MAX_BYTES / 1e6:.0f} MB)")
    return parse_transcript_text(decode(data))
