"""Transcript exports: plain text, JSON and WebVTT. Pure functions of the interview and its transcript."""
from __future__ import annotations

import json
import re
from datetime import UTC, datetime

from insighta_desktop.interviews.model import Interview, Transcript, TranscriptExport, Turn, format_elapsed

FORMATS = {"txt": "text/plain", "json": "application/json", "vtt": "text/vtt"}
MIN_CUE_SECONDS = 2.0
WORDS_PER_SECOND = 2.5


class UnknownFormat(ValueError):
    transient = False


def render_export(interview: Interview, transcript: Transcript, fmt: str) -> TranscriptExport:
    fmt = fmt.lower().lstrip(".")
    if fmt not in FORMATS:
        raise UnknownFormat(f"Unknown export format {fmt!r}: use one of {', '.join(FORMATS)}")
    text = {"txt": to_text, "json": to_json, "vtt": to_webvtt}[fmt](interview, transcript)
    return TranscriptExport(transcript.interview_id, fmt, text, f"{_slug(interview)}.{fmt}", FORMATS[fmt],
                            transcript.source)


def _slug(interview: Interview) -> str:
    name = re.sub(r"[^\w]+", "-", interview.summary.candidate_name.lower(), flags=re.UNICODE).strip("-")
    return f"transcript-{name or 'interview'}-{interview.summary.id[:8]}"


def to_text(interview: Interview, transcript: Transcript) -> str:
    s = interview.summary
    lines = [f"{s.candidate_name} — {s.role}"]
    if s.scheduled_at:
        lines.append(f"Interview of {s.scheduled_at:%Y-%m-%d %H:%M} UTC")
    lines.append("")
    lines += [f"[{t.elapsed}] {t.speaker_label}: {t.content}" for t in transcript.turns]
    if not transcript.turns:
        lines.append("(no transcript)")
    return "\n".join(lines) + "\n"


def to_json(interview: Interview, transcript: Transcript) -> str:
    s = interview.summary
    document = {
        "interview_id": s.id, "candidate": s.candidate_name, "role": s.role, "session_id": transcript.session_id,
        "turns": [{"id": t.id, "sequence_no": t.sequence_no, "speaker": t.speaker, "speaker_label": t.speaker_label,
                   "elapsed": t.elapsed, "elapsed_seconds": round(t.elapsed_seconds, 3),
                   "timestamp": datetime.fromtimestamp(t.timestamp_sec, UTC).isoformat(), "content": t.content}
                  for t in transcript.turns],
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


def to_webvtt(interview: Interview, transcript: Transcript) -> str:
    parts = ["WEBVTT", ""]
    s = interview.summary
    parts += [f"NOTE {s.candidate_name} — {s.role}", ""]
    for i, turn in enumerate(transcript.turns):
        following = transcript.turns[i + 1] if i + 1 < len(transcript.turns) else None
        parts += [turn.tag, f"{_vtt_time(turn.elapsed_seconds)} --> {_vtt_time(_cue_end(turn, following))}",
                  f"<v {turn.speaker_label}>{_vtt_escape(turn.content)}", ""]
    return "\n".join(parts)
