"""What every transcript parser returns: cues merged into turns, the speakers, and what was skipped."""
from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

WEBVTT = "webvtt"
SRT = "srt"
MEETMIND_JSON = "meetmind-json"
TEXT_BRACKETED = "text-bracketed"
TEXT_OTTER = "text-otter"

FORMAT_LABELS = {
    WEBVTT: "WebVTT captions (Zoom, Teams, Meet)",
    SRT: "SRT subtitles",
    MEETMIND_JSON: "MeetMind JSON",
    TEXT_BRACKETED: "Plain text, [MM:SS] Name: text lines",
    TEXT_OTTER: "Plain text, Otter-style blocks",
}


class NotATranscript(ValueError):
    """The file is none of the transcript formats (or holds no usable turn); str() says why."""

    transient = False


@dataclass(frozen=True)
class Cue:
    """One timed piece of speech as the file holds it; `start` and `end` are seconds on the file's own clock."""

    speaker: str
    text: str
    start: float
    end: float | None = None


@dataclass(frozen=True)
class ParsedTurn:
    speaker: str
    text: str
    elapsed: float  # seconds from the first turn


@dataclass(frozen=True)
class ParsedTranscript:
    source_format: str
    turns: tuple[ParsedTurn, ...]
    speakers: tuple[str, ...]  # in order of first appearance
    cues: int  # cues read (before merging)
    skipped: int  # damaged cues left out
    duration: float  # seconds from the first turn to the end of the last cue
    started_at: datetime | None = None  # the first cue's date and time, when the file says it
    candidate_speaker: str | None = None  # the speaker the file itself marks as the candidate
    candidate_name: str | None = None  # a name the file gives the candidate (a MeetMind session)
    role: str | None = None  # a role the file names

    @property
    def format_label(self) -> str:
        return FORMAT_LABELS.get(self.source_format, self.source_format)


def merge_cues(cues: Iterable[Cue]) -> tuple[list[ParsedTurn], float]:
    """Consecutive cues of one speaker become one turn (the first cue's time, texts joined with a space).

    Times become seconds from the first cue and never go backwards (a cue timed before the one above it takes that
    one's time). Returns the turns and the duration: the first cue to the latest start or end seen.
    """
    turns: list[ParsedTurn] = []
    origin: float | None = None
    latest = 0.0
    for cue in cues:
        text = cue.text.strip()
        if not text:
            continue
        if origin is None:
            origin = cue.start
        elapsed = max(round(cue.start - origin, 3), turns[-1].elapsed if turns else 0.0, 0.0)
        latest = max(latest, elapsed, round(cue.end - origin, 3) if cue.end is not None else 0.0)
        if turns and turns[-1].speaker == cue.speaker:
            last = turns[-1]
            turns[-1] = ParsedTurn(last.speaker, f"{last.text} {text}", last.elapsed)
        else:
            turns.append(ParsedTurn(cue.speaker, text, elapsed))
    return turns, latest


def build(source_format: str, cues: list[Cue], skipped: int, *, started_at: datetime | None = None,
          candidate_speaker: str | None = None, candidate_name: str | None = None,
          role: str | None = None) -> ParsedTranscript:
    """The ParsedTranscript of these cues, or NotATranscript when none of them holds any text."""
    turns, duration = merge_cues(cues)
    if not turns:
        damaged = f" ({skipped} damaged cue{'s' if skipped != 1 else ''} skipped)" if skipped else ""
        raise NotATranscript(f"it has no spoken text to import{damaged}")
    speakers = tuple(dict.fromkeys(t.speaker for t in turns))
    if candidate_speaker is not None and candidate_speaker not in speakers:
        candidate_speaker = None
    return ParsedTranscript(source_format, tuple(turns), speakers, len(cues), skipped, duration, started_at,
                            candidate_speaker, candidate_name, role)


UNKNOWN_SPEAKER = "Unknown speaker"


@dataclass(frozen=True)
class RawCue:
    """A cue before attribution: `speaker` is None when the cue itself does not name one."""

    speaker: str | None
    text: str
    start: float
    end: float | None = None


def attribute(raw: list[RawCue], what: str) -> list[Cue]:
    """A cue that names no speaker continues the previous speaker's (cues before the first name: unknown).

    The cues come back in time order (stable, so cues of one moment keep the file's order). A file in which no cue
    names a speaker is refused: the candidate could not be told from the interviewer.
    """
    if raw and all(c.speaker is None for c in raw):
        raise NotATranscript(f"{what} names no speaker: cues need a <v Name> tag or a leading “Name:”")
    cues: list[Cue] = []
    current = UNKNOWN_SPEAKER
    for c in raw:
        current = c.speaker or current
        cues.append(Cue(current, c.text, c.start, c.end))
    cues.sort(key=lambda c: c.start)
    return cues
