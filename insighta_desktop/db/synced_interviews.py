"""The app's copies of MeetMind interviews: what was synced (fingerprints), writing a batch, reading one back.

A synced interview is an ordinary row of `interviews` (MeetMind's id) with its session and transcript turns, so
assessments, chat, email and review packs work on it; `meetmind_interviews` and `interview_notes` hold the rest.
"""
from __future__ import annotations

import json
import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from insighta_desktop.db import schema
from insighta_desktop.timestamps import as_utc

iv, sess, turns_t = schema.interviews, schema.interview_sessions, schema.transcript_turns
mm_t, notes_t = schema.meetmind_interviews, schema.interview_notes
_NOTE_NAMESPACE = uuid.UUID("0b7f9a52-3c1d-4e8f-a6b2-9d4c5e6f7a81")


@dataclass(frozen=True)
class TurnRow:
    id: str
    sequence_no: int
    speaker: str
    content: str
    timestamp_sec: float


@dataclass(frozen=True)
class NoteRow:
    sequence_no: int
    speaker: str
    content: str
    timestamp_sec: float | None


@dataclass(frozen=True)
class SessionRow:
    id: str
    started_at: datetime
    ended_at: datetime | None
    status: str
    transcript_json: str | None


@dataclass(frozen=True)
class SyncRecord:
    """Everything the app keeps of one MeetMind interview."""

    interview_id: str
    candidate_name: str
    role: str
    status: str
    rubric: list[str]
    scheduled_at: datetime | None
    created_at: datetime
    session: SessionRow | None
    turns: list[TurnRow]
    notes: list[NoteRow]
    notes_source: str
    content_hash: str
    source_label: str
    synced_at: datetime
    transcript_source: str
    transcript_turns: int
    speakers: dict[str, list[str]]
    assessment: dict[str, Any] | None
    assessment_status: str | None
    assessment_generated_at: datetime | None


@dataclass(frozen=True)
class SyncState:
    """What the app holds of an interview synced before."""

    interview_id: str
    content_hash: str
    candidate_name: str
    role: str
    transcript_source: str
    turns: int
    notes: int
    has_assessment: bool


@dataclass(frozen=True)
class InterviewNote:
    sequence_no: int
    speaker: str
    content: str
    timestamp_sec: float | None
    source: str


@dataclass(frozen=True)
class MeetMindCopy:
    """How an interview came from MeetMind, for the Interviews tab and `interviews show`."""

    interview_id: str
    source_label: str
    synced_at: datetime
    transcript_source: str
    turns: int
    speakers: dict[str, list[str]]
    assessment: dict[str, Any] | None
    assessment_status: str | None
    assessment_generated_at: datetime | None
    notes: list[InterviewNote]


def sync_states(engine: Engine) -> dict[str, SyncState]:
    query = (sa.select(mm_t.c.interview_id, mm_t.c.content_hash, iv.c.candidate_name, iv.c.role,
                       mm_t.c.transcript_source, mm_t.c.turns, mm_t.c.notes, mm_t.c.assessment_json)
             .join(iv, iv.c.id == mm_t.c.interview_id))
    with engine.connect() as conn:
        return {r.interview_id: SyncState(r.interview_id, r.content_hash, r.candidate_name, r.role,
                                          r.transcript_source, r.turns, r.notes, r.assessment_json is not None)
                for r in conn.execute(query)}


def write_records(engine: Engine, records: list[SyncRecord]) -> None:
    """Insert or replace these interviews' copies in one transaction. The interview row is updated in place, so
    the app's own assessments, chat and email of it stay."""
    if not records:
        return
    ids = [r.interview_id for r in records]
    with engine.begin() as conn:
        existing = set(conn.execute(sa.select(iv.c.id).where(iv.c.id.in_(ids))).scalars())
        fresh = [r for r in records if r.interview_id not in existing]
        known = [r for r in records if r.interview_id in existing]
        if fresh:
            conn.execute(iv.insert(), [{"id": r.interview_id, "created_at": r.created_at, **_interview_values(r)}
                                       for r in fresh])
        if known:
            values: dict[str, Any] = {k: sa.bindparam(f"v_{k}") for k in _interview_values(known[0])}
            conn.execute(iv.update().where(iv.c.id == sa.bindparam("v_id")).values(**values),
                         [{"v_id": r.interview_id, **{f"v_{k}": v for k, v in _interview_values(r).items()}}
                          for r in known])
            old_sessions = sa.select(sess.c.id).where(sess.c.interview_id.in_(ids))
            conn.execute(turns_t.delete().where(turns_t.c.session_id.in_(old_sessions)))
            conn.execute(sess.delete().where(sess.c.interview_id.in_(ids)))
            conn.execute(notes_t.delete().where(notes_t.c.interview_id.in_(ids)))
            conn.execute(mm_t.delete().where(mm_t.c.interview_id.in_(ids)))
        sessions = [{"interview_id": r.interview_id, **vars(r.session)} for r in records if r.session is not None]
        if sessions:
            conn.execute(sess.insert(), sessions)
        turns = [{"session_id": r.session.id, **vars(t)} for r in records if r.session is not None for t in r.turns]
        if turns:
            conn.execute(turns_t.insert(), turns)
        notes = [{"id": str(uuid.uuid5(_NOTE_NAMESPACE, f"{r.interview_id}:{index}")), "interview_id": r.interview_id,
                  "source": r.notes_source, **vars(n)} for r in records for index, n in enumerate(r.notes)]
        if notes:
            conn.execute(notes_t.insert(), notes)
        conn.execute(mm_t.insert(), [_meetmind_values(r) for r in records])


def _interview_values(r: SyncRecord) -> dict[str, Any]:
    return {"candidate_name": r.candidate_name, "role": r.role, "status": r.status,
            "rubric_json": json.dumps(r.rubric, ensure_ascii=False), "scheduled_at": r.scheduled_at}


def _meetmind_values(r: SyncRecord) -> dict[str, Any]:
    return {"interview_id": r.interview_id, "content_hash": r.content_hash, "source_label": r.source_label,
            "synced_at": r.synced_at, "transcript_source": r.transcript_source, "turns": r.transcript_turns,
            "notes": len(r.notes), "speakers_json": json.dumps(r.speakers, ensure_ascii=False),
            "assessment_json": json.dumps(r.assessment, ensure_ascii=False) if r.assessment is not None else None,
            "assessment_status": r.assessment_status, "assessment_generated_at": r.assessment_generated_at}


def meetmind_copy(engine: Engine, interview_id: str) -> MeetMindCopy | None:
    """None when the interview did not come from MeetMind."""
    with engine.connect() as conn:
        row = conn.execute(sa.select(mm_t).where(mm_t.c.interview_id == interview_id)).first()
        if row is None:
            return None
        notes = conn.execute(sa.select(notes_t).where(notes_t.c.interview_id == interview_id)
                             .order_by(notes_t.c.sequence_no, notes_t.c.id)).all()
    return MeetMindCopy(
        interview_id=interview_id, source_label=row.source_label, synced_at=as_utc(row.synced_at),
        transcript_source=row.transcript_source, turns=row.turns, speakers=_json(row.speakers_json) or {},
        assessment=_json(row.assessment_json), assessment_status=row.assessment_status,
        assessment_generated_at=as_utc(row.assessment_generated_at),
        notes=[InterviewNote(n.sequence_no, n.speaker, n.content, n.timestamp_sec, n.source) for n in notes])


def _json(text: str | None) -> Any:
    if not text:
        return None
    try:
        return json.loads(text)
    except ValueError:
        return None
