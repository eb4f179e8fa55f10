"""Transcript exports: plain text, JSON and WebVTT. Pure functions of the interview, its transcript and highlights.

Highlights travel with the transcript: a "Highlights" section after the text, a "highlights" list in the JSON,
and a NOTE block before the first cue of each highlight in WebVTT (players skip NOTE blocks).
"""
from __future__ import annotations

import json
import re
from collections.abc import Callable, Sequence
from datetime import UTC, datetime

from insighta_desktop.interviews.model import (
    Interview,
    ResolvedHighlight,
    Transcript,
    TranscriptExport,
    Turn,
    format_elapsed,
)
from insighta_desktop.interviews.talk_time import WORDS_PER_SECOND

FORMATS = {"txt": "text/plain", "json": "application/json", "vtt": "text/vtt"}
MIN_CUE_SECONDS = 2.0
Renderer = Callable[[Interview, Transcript, Sequence[ResolvedHighlight]], str]


class UnknownFormat(ValueError):
    transient = False


def render_export(interview: Interview, transcript: Transcript, fmt: str,
                  highlights: Sequence[ResolvedHighlight] = ()) -> TranscriptExport:
    fmt = fmt.lower().lstrip(".")
    if fmt not in FORMATS:
        raise UnknownFormat(f"Unknown export format {fmt!r}: use one of {', '.join(FORMATS)}")
    renderers: dict[str, Renderer] = {"txt": to_text, "json": to_json, "vtt": to_webvtt}
    text = renderers[fmt](interview, transcript, highlights)
    return TranscriptExport(transcript.interview_id, fmt, text, f"{_slug(interview)}.{fmt}", FORMATS[fmt],
                            transcript.source)


def _slug(interview: Interview) -> str:
    name = re.sub(r"[^\w]+", "-", interview.summary.candidate_name.lower(), flags=re.UNICODE).strip("-")
    return f"transcript-{name or 'interview'}-{interview.summary.id[:8]}"


def _highlight_line(h: ResolvedHighlight) -> str:
    where = f"{h.range_tag} [{h.elapsed}] {h.speakers}" if h.turns else "(its turns are no longer in the transcript)"
    note = f" — note: {h.note}" if h.note else ""
    return f"* {where}: “{h.excerpt()}”{note}" if h.turns else f"* {where}{note}"


def to_text(interview: Interview, transcript: Transcript, highlights: Sequence[ResolvedHighlight] = ()) -> str:
    s = interview.summary
    lines = [f"{s.candidate_name} — {s.role}"]
    if s.scheduled_at:
        lines.append(f"Interview of {s.scheduled_at:%Y-%m-%d %H:%M} UTC")
    lines.append("")
    lines += [f"[{t.elapsed}] {t.speaker_label}: {t.content}" for t in transcript.turns]
    if not transcript.turns:
        lines.append("(no transcript)")
    if highlights:
        lines += ["", "Highlights", ""] + [_highlight_line(h) for h in highlights]
    return "\n".join(lines) + "\n"


def to_json(interview: Interview, transcript: Transcript, highlights: Sequence[ResolvedHighlight] = ()) -> str:
    s = interview.summary
    document = {
        "interview_id": s.id, "candidate": s.candidate_name, "role": s.role, "session_id": transcript.session_id,
        "turns": [{"id": t.id, "sequence_no": t.sequence_no, "speaker": t.speaker, "speaker_label": t.speaker_label,
                   "elapsed": t.elapsed, "elapsed_seconds": round(t.elapsed_seconds, 3),
                   "timestamp": datetime.fromtimestamp(t.timestamp_sec, UTC).isoformat(), "content": t.content}
                  for t in transcript.turns],
        "highlights": [h.to_json() for h in highlights],
    }
    return json.dumps(document, ensure_ascii=False, indent=2) + "\n"


def _vtt_time(seconds: float) -> str:
    seconds = max(0.0, seconds)
    millis = int(round((seconds - int(seconds)) * 1000))
    whole = int(seconds)
    if millis == 1000:
        whole, millis = whole + 1, 0
    return f"{format_elapsed(whole)}.{millis:03d}"


def _cue_end(turn: Turn, following: Turn | None) -> float:
    if following is not None and following.elapsed_seconds > turn.elapsed_seconds:
        return following.elapsed_seconds
    return turn.elapsed_seconds + max(MIN_CUE_SECONDS, len(turn.content.split()) / WORDS_PER_SECOND)


def _vtt_escape(text: str) -> str:
    # A blank line would end the cue and "-->" would start a new timing line.
    text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return "\n".join(line for line in text.splitlines() if line.strip()) or " "


def _vtt_note(text: str) -> str:
    """A NOTE block's text: no blank line (it would end the block) and no "-->" (not allowed in a NOTE)."""
    text = text.replace("-->", "→")
    return "\n".join(line for line in text.splitlines() if line.strip())


def _highlight_note(h: ResolvedHighlight) -> str:
    lines = [f"NOTE Highlight {h.range_tag} at {h.elapsed} ({h.speakers})" if h.turns
             else "NOTE Highlight (its turns are no longer in the transcript)"]
    if h.note:
        lines.append(_vtt_note(f"Note: {h.note}"))
    return "\n".join(lines)


def to_webvtt(interview: Interview, transcript: Transcript, highlights: Sequence[ResolvedHighlight] = ()) -> str:
    parts = ["WEBVTT", ""]
    s = interview.summary
    parts += [_vtt_note(f"NOTE {s.candidate_name} — {s.role}"), ""]
    starting: dict[str, list[ResolvedHighlight]] = {}
    for h in highlights:
        starting.setdefault(h.turns[0].id if h.turns else "", []).append(h)
    for i, turn in enumerate(transcript.turns):
        for h in starting.get(turn.id, []):
            parts += [_highlight_note(h), ""]
        following = transcript.turns[i + 1] if i + 1 < len(transcript.turns) else None
        parts += [turn.tag, f"{_vtt_time(turn.elapsed_seconds)} --> {_vtt_time(_cue_end(turn, following))}",
                  f"<v {turn.speaker_label}>{_vtt_escape(turn.content)}", ""]
    for h in starting.get("", []):
        parts += [_highlight_note(h), ""]
    return "\n".join(parts)
