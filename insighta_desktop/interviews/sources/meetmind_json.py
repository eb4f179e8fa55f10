"""MeetMind's session transcript: the `transcript_json` list of {speaker, content, sequence_no, timestamp_sec}.

Accepted alone, or wrapped in an object (a session row) with `candidate_name`, `role` and `transcript_json` (a list
or the JSON text of one). Timestamps are Unix seconds. Speakers: `ai` (MeetMind's AI interviewer, "Meet Mind"),
`candidate`, `interviewer` (a human; `speaker_name` when given); `user`/`assistant` are a recruiter's notes and
the assistant's replies, not part of the interview, and are left out. A turn that cannot be read is counted.
"""
from __future__ import annotations

import json
import math
from datetime import UTC, datetime
from typing import Any

from insighta_desktop.interviews.model import speaker_label
from insighta_desktop.interviews.sources.model import MEETMIND_JSON, Cue, NotATranscript, ParsedTranscript, build

NOT_INTERVIEW_SPEAKERS = frozenset({"user", "assistant"})
AI_INTERVIEWER_NAME = "Meet Mind"
_TRANSCRIPT_KEYS = ("transcript_json", "transcript", "turns")
# Unix seconds between 2000 and 2100 are a date; smaller numbers are seconds from the start.
_EPOCH_RANGE = (946_684_800, 4_102_444_800)
SHAPE = "a list of {speaker, content, sequence_no, timestamp_sec} or an object with candidate_name and transcript_json"


def loads(text: str) -> Any:
    """The JSON value of `text`, or None when it is not JSON."""
    if text.lstrip()[:1] not in ("[", "{"):
        return None
    try:
        return json.loads(text)
    except (ValueError, RecursionError):
        return None


def _text(value: Any) -> str | None:
    if isinstance(value, str) and value.strip():
        return " ".join(value.split())
    return None


def _number(value: Any) -> float | None:
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        return None
    try:
        number = float(value)
    except ValueError:
        return None
    return number if math.isfinite(number) and number >= 0 else None


def _unwrap(data: Any) -> tuple[list[Any], str | None, str | None]:
    candidate_name = role = None
    items = data
    if isinstance(data, dict):
        candidate_name = _text(data.get("candidate_name"))
        role = _text(data.get("role")) or _text(data.get("role_title"))
        items = next((data[key] for key in _TRANSCRIPT_KEYS if key in data), None)
        if isinstance(items, str):
            items = loads(items)
            if items is None:
                raise NotATranscript("its transcript_json is not valid JSON")
        if isinstance(items, dict):
            items = items.get("turns")
    if not isinstance(items, list):
        raise NotATranscript(f"it is JSON but not a MeetMind transcript (expected {SHAPE})")
    if items and not any(isinstance(i, dict) and "speaker" in i and "content" in i for i in items):
        raise NotATranscript("it is JSON but its items are not transcript turns (no speaker and content)")
    return items, candidate_name, role


def _speaker_name(label: str, item: dict[str, Any], candidate_name: str | None) -> str:
    given = _text(item.get("speaker_name"))
    key = label.lower()
    if key == "candidate":
        return candidate_name or given or "Candidate"
    if key == "ai":
        return given or AI_INTERVIEWER_NAME
    return given or speaker_label(label)


def parse_meetmind_json(data: Any) -> ParsedTranscript:
    items, candidate_name, role = _unwrap(data)
    read: list[tuple[int, int, Cue]] = []
    skipped = 0
    candidate_speaker = None
    previous_time = 0.0
    for index, item in enumerate(items, start=1):
        if not isinstance(item, dict):
            skipped += 1
            continue
        label, content = _text(item.get("speaker")), item.get("content")
        stamp = _number(item["timestamp_sec"]) if "timestamp_sec" in item else previous_time
        sequence = _number(item["sequence_no"]) if "sequence_no" in item else index
        if label is None or not isinstance(content, str) or stamp is None or sequence is None:
            skipped += 1
            continue
        if label.lower() in NOT_INTERVIEW_SPEAKERS:
            continue
        name = _speaker_name(label, item, candidate_name)
        if label.lower() == "candidate":
            candidate_speaker = candidate_speaker or name
        previous_time = stamp
        read.append((int(sequence), index, Cue(name, content, stamp)))
    read.sort(key=lambda entry: (entry[0], entry[1]))
    cues = [cue for _, _, cue in read]
    first = next((c.start for c in cues if c.text.strip()), None)
    started_at = (datetime.fromtimestamp(first, UTC)
                  if first is not None and _EPOCH_RANGE[0] <= first <= _EPOCH_RANGE[1] else None)
    return build(MEETMIND_JSON, cues, skipped, started_at=started_at, candidate_speaker=candidate_speaker,
                 candidate_name=candidate_name, role=role)
