"""Plain dataclasses the interview services hand to the GUI and the CLI, and the shared formatters."""
from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

# Turn ids are uuid5(TURN_NAMESPACE, "<session id>:<sequence no>") whatever the source, so a
# citation stays valid when a transcript is served from transcript_json instead of the turns table.
TURN_NAMESPACE = uuid.UUID("6f3c2d1e-8a4b-4c5d-9e6f-7a8b9c0d1e2f")

SOURCE_TURNS = "transcript_turns"
SOURCE_JSON = "transcript_json"
SOURCE_NONE = "none"
RECOMMENDATIONS = ["strong_advance", "advance", "hold", "reject"]
MANUAL_MODEL = "manual"  # assessments.model of an assessment written by hand from the rubric template
UNSENT_STATUSES = ("queued", "failed")  # outbox items still waiting to be sent

ROLE_CANDIDATE = "candidate"
ROLE_INTERVIEWER = "interviewer"
ROLE_OTHER = "other"

_SPEAKER_LABELS = {
    "ai": "Interviewer", "interviewer": "Interviewer", "assistant": "Interviewer", "model": "Interviewer",
    "bot": "Interviewer", "candidate": "Candidate", "user": "Candidate", "human": "Candidate",
}


def turn_id(session_id: str, sequence_no: int) -> str:
    return str(uuid.uuid5(TURN_NAMESPACE, f"{session_id}:{sequence_no}"))


def assessment_id(interview_id: str) -> str:
    return str(uuid.uuid5(TURN_NAMESPACE, f"assessment:{interview_id}"))


def format_elapsed(seconds: float) -> str:
    """HH:MM:SS for an elapsed time (negative clamps to zero; hours may exceed 99)."""
    total = max(0, int(seconds))
    hours, rest = divmod(total, 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours:02d}:{minutes:02d}:{secs:02d}"


def speaker_role(speaker: str | None) -> str:
    """A speaker key's part: ai/interviewer(-2…) → interviewer, candidate/user → candidate, anything else other."""
    key = (speaker or "").strip().lower()
    base, _, number = key.rpartition("-")
    label = _SPEAKER_LABELS.get(base if base and number.isdigit() else key)
    return {"Interviewer": ROLE_INTERVIEWER, "Candidate": ROLE_CANDIDATE}.get(label or "", ROLE_OTHER)


def speaker_label(speaker: str | None) -> str:
    """ai → Interviewer, candidate → Candidate; anything else made readable ("hiring_manager" → "Hiring manager")."""
    raw = (speaker or "").strip()
    if not raw:
        return "Unknown speaker"
    known = _SPEAKER_LABELS.get(raw.lower())
    if known:
        return known
    words = raw.replace("_", " ").replace("-", " ").split()
    text = " ".join(words)
    return text[:1].upper() + text[1:]


@dataclass(frozen=True)
class InterviewSummary:
    id: str
    candidate_name: str
    candidate_email: str | None
    role: str
    status: str
    scheduled_at: datetime | None
    assessment_status: str | None  # None: never assessed
    has_transcript: bool = True  # False: nothing to read yet (a scheduled interview, an empty session)

    def to_json(self) -> dict[str, Any]:
        return {"id": self.id, "candidate_name": self.candidate_name, "candidate_email": self.candidate_email,
                "role": self.role, "status": self.status,
                "scheduled_at": self.scheduled_at.isoformat() if self.scheduled_at else None,
                "assessment_status": self.assessment_status, "has_transcript": self.has_transcript}


@dataclass(frozen=True)
class Interview:
    summary: InterviewSummary
    rubric: list[str]
    created_at: datetime | None


@dataclass(frozen=True)
class Turn:
    id: str
    sequence_no: int
    speaker: str
    speaker_label: str
    content: str
    timestamp_sec: float
    elapsed_seconds: float
    role: str = ROLE_OTHER  # candidate | interviewer | other

    @property
    def speaker_with_role(self) -> str:
        """The label, with the speaker's part when the label does not say it: "Jane Smith (interviewer)"."""
        if self.role == ROLE_OTHER or self.speaker_label.lower() == self.role:
            return self.speaker_label
        return f"{self.speaker_label} ({self.role})"

    @property
    def elapsed(self) -> str:
        return format_elapsed(self.elapsed_seconds)

    @property
    def tag(self) -> str:
        """How answers cite this turn: [T3]."""
        return f"T{self.sequence_no}"


@dataclass(frozen=True)
class Transcript:
    interview_id: str
    session_id: str | None
    turns: list[Turn]
    source: str  # SOURCE_TURNS | SOURCE_JSON | SOURCE_NONE
    note: str | None = None  # shown discreetly: rebuilt from the session record, unreadable JSON, ...

    def turn_by_seq(self, sequence_no: int) -> Turn | None:
        return next((t for t in self.turns if t.sequence_no == sequence_no), None)

    def turn_by_id(self, turn_id_: str) -> Turn | None:
        return next((t for t in self.turns if t.id == turn_id_), None)


@dataclass(frozen=True)
class TranscriptExport:
    interview_id: str
    format: str  # txt | json | vtt
    text: str
    filename: str
    media_type: str
    source: str


@dataclass(frozen=True)
class Assessment:
    id: str
    interview_id: str
    status: str  # pending | generating | completed | failed
    content: dict[str, Any] | None
    error: str | None
    model: str | None  # the Gemini model that wrote it, or MANUAL_MODEL for one written by hand
    updated_at: datetime | None

    @property
    def source(self) -> str:
        """"manual" for an assessment a recruiter wrote from the rubric template, else "gemini"."""
        return "manual" if self.model == MANUAL_MODEL else "gemini"

    def to_json(self) -> dict[str, Any]:
        return {"id": self.id, "status": self.status, "source": self.source, "content": self.content,
                "error": self.error, "model": self.model,
                "updated_at": self.updated_at.isoformat() if self.updated_at else None}


@dataclass(frozen=True)
class Citation:
    turn_id: str
    sequence_no: int
    elapsed: str
    speaker_label: str

    def to_json(self) -> dict[str, Any]:
        return {"turn_id": self.turn_id, "sequence_no": self.sequence_no, "elapsed": self.elapsed,
                "speaker_label": self.speaker_label}


@dataclass(frozen=True)
class ChatMessage:
    id: str
    interview_id: str
    role: str  # user | assistant
    content: str
    citations: list[Citation]
    source: str | None  # gemini | local
    created_at: datetime | None


@dataclass(frozen=True)
class ChatAnswer:
    question: str
    text: str
    citations: list[Citation]
    source: str  # gemini | local
    notice: str | None = None  # why the answer is local
    stored: bool = False  # False: the exchange could not be saved to the history
    fix: str | None = None  # failures.SETTINGS when a Gemini key in Settings would give a Gemini answer


@dataclass(frozen=True)
class OutboxItem:
    id: str
    interview_id: str | None
    to_address: str
    subject: str
    status: str  # queued | sent | failed | canceled (Resend's spelling; it fits the 8-character column)
    attempts: int
    last_error: str | None
    idempotency_key: str
    provider_message_id: str | None
    sent_at: datetime | None = None
    created_at: datetime | None = None
    updated_at: datetime | None = None

    @property
    def unsent(self) -> bool:
        return self.status in UNSENT_STATUSES


@dataclass(frozen=True)
class EmailDraft:
    """An email as it will be sent: what the preview shows and the outbox stores."""

    interview_id: str
    to_address: str
    sender: str
    subject: str
    body_text: str
    body_html: str


@dataclass(frozen=True)
class Highlight:
    """Turns a recruiter marked in a transcript (first to last, one turn when they are equal), with a note."""

    id: str
    interview_id: str
    first_turn_id: str
    last_turn_id: str
    note: str | None
    created_at: datetime


EXCERPT_CHARS = 160


@dataclass(frozen=True)
class ResolvedHighlight:
    """A highlight with the turns it covers in the transcript as served now (empty: they are gone)."""

    highlight: Highlight
    turns: list[Turn]

    @property
    def id(self) -> str:
        return self.highlight.id

    @property
    def note(self) -> str | None:
        return self.highlight.note

    @property
    def first_turn_id(self) -> str:
        return self.highlight.first_turn_id

    @property
    def range_tag(self) -> str:
        """T4, or T4–T6 for a range; "?" when the turns are no longer in the transcript."""
        if not self.turns:
            return "?"
        first, last = self.turns[0], self.turns[-1]
        return first.tag if first.id == last.id else f"{first.tag}–{last.tag}"

    @property
    def elapsed(self) -> str:
        return self.turns[0].elapsed if self.turns else ""

    @property
    def speakers(self) -> str:
        return ", ".join(dict.fromkeys(t.speaker_label for t in self.turns))

    def excerpt(self, limit: int = EXCERPT_CHARS) -> str:
        text = " ".join(t.content.strip() for t in self.turns)
        text = " ".join(text.split())
        return text if len(text) <= limit else text[:limit - 1].rstrip() + "…"

    def to_json(self) -> dict[str, Any]:
        h = self.highlight
        return {"id": h.id, "interview_id": h.interview_id, "first_turn_id": h.first_turn_id,
                "last_turn_id": h.last_turn_id, "turns": [t.tag for t in self.turns], "range": self.range_tag,
                "elapsed": self.elapsed, "speakers": self.speakers, "note": h.note,
                "created_at": h.created_at.isoformat(), "text": " ".join(t.content for t in self.turns),
                "missing_turns": not self.turns}


def turn_range(transcript: Transcript, first_turn_id: str, last_turn_id: str) -> list[Turn]:
    """The turns from first to last in transcript order (either order given); [] when either is missing."""
    positions = {t.id: i for i, t in enumerate(transcript.turns)}
    if first_turn_id not in positions or last_turn_id not in positions:
        return []
    low, high = sorted((positions[first_turn_id], positions[last_turn_id]))
    return transcript.turns[low:high + 1]


def resolve_highlights(highlights: Sequence[Highlight], transcript: Transcript) -> list[ResolvedHighlight]:
    """Highlights with their turns, in transcript order (those whose turns are gone last, oldest first)."""
    resolved = [ResolvedHighlight(h, turn_range(transcript, h.first_turn_id, h.last_turn_id)) for h in highlights]
    order = {t.id: i for i, t in enumerate(transcript.turns)}
    return sorted(resolved, key=lambda r: (order.get(r.turns[0].id, 0) if r.turns else len(order),
                                           r.highlight.created_at))
