"""Interviews, assessments and chat: the statements (SQLAlchemy Core), blocking — the services run them on worker
threads. interviews/repository.py hands them to the rest of the app."""
from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from insighta_desktop.db import highlights_store, schema
from insighta_desktop.db.assessment_claims import ASSESSMENT_FIELDS, assessment_from_row
from insighta_desktop.db.read_together import read_together
from insighta_desktop.interviews.model import Assessment, ChatMessage, Citation, Highlight, Interview, InterviewSummary
from insighta_desktop.timestamps import as_utc

iv, sess, turns_t = schema.interviews, schema.interview_sessions, schema.transcript_turns
speakers_t = schema.interview_speakers
asm, chat_t = schema.assessments, schema.chat_messages


class NotFound(LookupError):
    """No interview with that id."""

    transient = False


# --- interviews -----------------------------------------------------------------------------------

def list_interviews(engine: Engine) -> list[InterviewSummary]:
    # a session with turns in the table or in its transcript_json ("[]" is empty): there is something to read
    has_transcript = sa.exists().where(sess.c.interview_id == iv.c.id, sa.or_(
        sa.func.length(sa.func.coalesce(sess.c.transcript_json, "")) > 2,
        sa.exists().where(turns_t.c.session_id == sess.c.id)))
    query = (sa.select(iv.c.id, iv.c.candidate_name, iv.c.candidate_email, iv.c.role, iv.c.status,
                       iv.c.scheduled_at, has_transcript.label("has_transcript"))
             .order_by(iv.c.scheduled_at.desc().nulls_last(), iv.c.candidate_name))
    latest = sa.select(asm.c.interview_id, asm.c.status).order_by(asm.c.updated_at)
    with engine.connect() as conn:
        statuses = {row.interview_id: row.status for row in conn.execute(latest)}  # the latest wins
        return [InterviewSummary(r.id, r.candidate_name, r.candidate_email, r.role, r.status,
                                 as_utc(r.scheduled_at), statuses.get(r.id), bool(r.has_transcript))
                for r in conn.execute(query)]


def get_interview(engine: Engine, interview_id: str) -> Interview:
    with engine.connect() as conn:
        row = conn.execute(sa.select(iv).where(iv.c.id == interview_id)).first()
        if row is None:
            raise NotFound(f"No interview with id {interview_id}")
        status = conn.execute(sa.select(asm.c.status).where(asm.c.interview_id == interview_id)
                              .order_by(asm.c.updated_at.desc()).limit(1)).scalar()
    return _interview(row, status)


def _interview(row: Any, assessment_status: str | None) -> Interview:
    try:
        rubric = [str(s) for s in json.loads(row.rubric_json or "[]")]
    except ValueError:
        rubric = []
    summary = InterviewSummary(row.id, row.candidate_name, row.candidate_email, row.role, row.status,
                               as_utc(row.scheduled_at), assessment_status)
    return Interview(summary, rubric, as_utc(row.created_at))


@dataclass(frozen=True)
class TranscriptSources:
    """What the database holds for an interview's latest session: both copies of its turns."""

    interview_id: str
    session_id: str | None
    started_at: datetime | None
    table_rows: list[dict[str, Any]]
    transcript_json: str | None
    speakers: dict[str, tuple[str, str]] = field(default_factory=dict)  # key -> (name, role), when recorded


def load_transcript_sources(engine: Engine, interview_id: str) -> TranscriptSources:
    with engine.connect() as conn:
        if conn.execute(sa.select(iv.c.id).where(iv.c.id == interview_id)).first() is None:
            raise NotFound(f"No interview with id {interview_id}")
        latest = (sa.select(sess.c.id).where(sess.c.interview_id == interview_id)
                  .order_by(sess.c.started_at.desc()).limit(1).scalar_subquery())
        # the latest session with its named speakers (one row per speaker, or one row without)
        found = conn.execute(sa.select(sess.c.id, sess.c.started_at, sess.c.transcript_json, speakers_t.c.speaker,
                                       speakers_t.c.name, speakers_t.c.role)
                             .select_from(sess.outerjoin(speakers_t, speakers_t.c.session_id == sess.c.id))
                             .where(sess.c.id == latest)).all()
        if not found:
            return TranscriptSources(interview_id, None, None, [], None)
        session = found[0]
        speakers = {r.speaker: (r.name, r.role) for r in found if r.speaker is not None}
        rows = conn.execute(sa.select(turns_t.c.sequence_no, turns_t.c.speaker, turns_t.c.content,
                                      turns_t.c.timestamp_sec)
                            .where(turns_t.c.session_id == session.id)
                            .order_by(turns_t.c.sequence_no)).mappings().all()
    return TranscriptSources(interview_id, session.id, as_utc(session.started_at), [dict(r) for r in rows],
                             session.transcript_json, speakers)


@dataclass(frozen=True)
class InterviewView:
    """What opening an interview shows: its transcript's sources, its latest assessment and its chat history."""

    transcript: TranscriptSources
    assessment: Assessment | None
    chat: list[ChatMessage]


def load_interview_view(engine: Engine, interview_id: str) -> InterviewView:
    """load_transcript_sources, get_assessment and list_chat in one round trip (db/read_together.py)."""
    latest = (sa.select(sess.c.id).where(sess.c.interview_id == interview_id)
              .order_by(sess.c.started_at.desc()).limit(1).correlate(None).scalar_subquery())
    session_q = (sa.select(iv.c.id.label("interview_id"), sess.c.id, sess.c.started_at, sess.c.transcript_json,
                           speakers_t.c.speaker, speakers_t.c.name, speakers_t.c.role)
                 .select_from(iv.outerjoin(sess, sess.c.id == latest)
                              .outerjoin(speakers_t, speakers_t.c.session_id == sess.c.id))
                 .where(iv.c.id == interview_id))
    turns_q = (sa.select(turns_t.c.sequence_no, turns_t.c.speaker, turns_t.c.content, turns_t.c.timestamp_sec)
               .where(turns_t.c.session_id == latest).order_by(turns_t.c.sequence_no))
    session_rows, turn_rows, assessment_rows, chat_rows = read_together(
        engine, [session_q, turns_q, _assessment_query(interview_id), _chat_query(interview_id)])
    if not session_rows:
        raise NotFound(f"No interview with id {interview_id}")
    session = session_rows[0]
    if session.id is None:
        transcript = TranscriptSources(interview_id, None, None, [], None)
    else:
        speakers = {r.speaker: (r.name, r.role) for r in session_rows if r.speaker is not None}
        transcript = TranscriptSources(interview_id, session.id, as_utc(session.started_at),
                                       [r._asdict() for r in turn_rows], session.transcript_json, speakers)
    assessment = assessment_from_row(assessment_rows[0]) if assessment_rows else None
    return InterviewView(transcript, assessment, _chat_messages(chat_rows))


@dataclass(frozen=True)
class ReviewSources:
    """One interview as a comparison reads it: the interview, its transcript's sources, assessment and highlights."""

    interview: Interview
    transcript: TranscriptSources
    assessment: Assessment | None
    highlights: list[Highlight]


def load_for_review(engine: Engine, interview_ids: Sequence[str]) -> list[ReviewSources]:
    """What load_transcript_sources, get_assessment and the highlights give, for several interviews at once: five
    statements on one connection whatever their number (each round trip to a remote database is a wait)."""
    ids = list(dict.fromkeys(interview_ids))
    with engine.connect() as conn:
        rows = {r.id: r for r in conn.execute(sa.select(iv).where(iv.c.id.in_(ids)))}
        missing = [i for i in ids if i not in rows]
        if missing:
            raise NotFound(f"No interview with id {', '.join(missing)}")
        assessments = {r.interview_id: r for r in conn.execute(  # ascending: the latest wins
            sa.select(*ASSESSMENT_FIELDS).where(asm.c.interview_id.in_(ids)).order_by(asm.c.updated_at))}
        sessions: dict[str, Any] = {}  # interview id -> its latest session
        speakers: dict[str, dict[str, tuple[str, str]]] = {}
        for r in conn.execute(sa.select(sess.c.id, sess.c.interview_id, sess.c.started_at, sess.c.transcript_json,
                                        speakers_t.c.speaker, speakers_t.c.name, speakers_t.c.role)
                              .select_from(sess.outerjoin(speakers_t, speakers_t.c.session_id == sess.c.id))
                              .where(sess.c.interview_id.in_(ids)).order_by(sess.c.started_at.desc())):
            latest = sessions.setdefault(r.interview_id, r)
            if latest.id == r.id and r.speaker is not None:
                speakers.setdefault(r.id, {})[r.speaker] = (r.name, r.role)
        turns: dict[str, list[dict[str, Any]]] = {}
        if sessions:
            for t in conn.execute(sa.select(turns_t.c.session_id, turns_t.c.sequence_no, turns_t.c.speaker,
                                            turns_t.c.content, turns_t.c.timestamp_sec)
                                  .where(turns_t.c.session_id.in_([r.id for r in sessions.values()]))
                                  .order_by(turns_t.c.session_id, turns_t.c.sequence_no)).mappings():
                turns.setdefault(t["session_id"], []).append({k: v for k, v in t.items() if k != "session_id"})
        highlights = highlights_store.highlights_of(conn, ids)
    result = []
    for interview_id in ids:
        assessment = assessments.get(interview_id)
        session = sessions.get(interview_id)
        sources = (TranscriptSources(interview_id, session.id, as_utc(session.started_at), turns.get(session.id, []),
                                     session.transcript_json, speakers.get(session.id, {}))
                   if session is not None else TranscriptSources(interview_id, None, None, [], None))
        result.append(ReviewSources(_interview(rows[interview_id], assessment.status if assessment else None),
                                    sources, assessment_from_row(assessment) if assessment else None,
                                    [h for h in highlights if h.interview_id == interview_id]))
    return result


# --- assessments (claiming, heartbeats and finishing: db/assessment_claims.py) ----------------------

def _assessment_query(interview_id: str) -> sa.Select[Any]:
    return (sa.select(*ASSESSMENT_FIELDS).where(asm.c.interview_id == interview_id)
            .order_by(asm.c.updated_at.desc()).limit(1))


def get_assessment(engine: Engine, interview_id: str) -> Assessment | None:
    with engine.connect() as conn:
        row = conn.execute(_assessment_query(interview_id)).first()
    return assessment_from_row(row) if row else None


# --- chat -----------------------------------------------------------------------------------------

def _chat_query(interview_id: str) -> sa.Select[Any]:
    return (sa.select(chat_t).where(chat_t.c.interview_id == interview_id)
            .order_by(chat_t.c.created_at, chat_t.c.role.desc()))


def list_chat(engine: Engine, interview_id: str) -> list[ChatMessage]:
    with engine.connect() as conn:
        rows = conn.execute(_chat_query(interview_id)).all()
    return _chat_messages(rows)


def _chat_messages(rows: Sequence[Any]) -> list[ChatMessage]:
    messages = []
    for row in rows:
        try:
            raw = json.loads(row.citations_json or "[]")
        except ValueError:
            raw = []
        citations = [Citation(c["turn_id"], int(c["sequence_no"]), c.get("elapsed", ""), c.get("speaker_label", ""))
                     for c in raw if isinstance(c, dict) and "turn_id" in c and "sequence_no" in c]
        messages.append(ChatMessage(row.id, row.interview_id, row.role, row.content, citations, row.source,
                                    as_utc(row.created_at)))
    return messages


def add_chat_exchange(engine: Engine, interview_id: str, exchange: list[dict[str, Any]]) -> None:
    """The question and its answer in one transaction: the history never holds half an exchange."""
    rows = [{**m, "interview_id": interview_id,
             "citations_json": json.dumps([c.to_json() for c in m.get("citations", [])])} for m in exchange]
    for r in rows:
        r.pop("citations", None)
    with engine.begin() as conn:
        conn.execute(chat_t.insert(), rows)
