"""The interview list with each interview's latest assessment status."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from insighta_desktop.db.schema import assessments, interviews


@dataclass(frozen=True)
class InterviewSummary:
    id: str
    candidate_name: str
    role: str
    scheduled_at: datetime | None
    status: str
    assessment_status: str  # none | pending | generating | completed | failed


def list_interviews(engine: Engine) -> list[InterviewSummary]:
    latest = (sa.select(assessments.c.interview_id, assessments.c.status,
                        sa.func.row_number().over(partition_by=assessments.c.interview_id,
                                                  order_by=assessments.c.updated_at.desc()).label("rn"))
              .subquery())
    query = (sa.select(interviews.c.id, interviews.c.candidate_name, interviews.c.role, interviews.c.scheduled_at,
                       interviews.c.status, sa.func.coalesce(latest.c.status, "none"))
             .select_from(interviews.outerjoin(latest, sa.and_(latest.c.interview_id == interviews.c.id,
                                                                latest.c.rn == 1)))
             .order_by(interviews.c.scheduled_at.desc()))
    with engine.connect() as conn:
        return [InterviewSummary(*row) for row in conn.execute(query)]


@dataclass(frozen=True)
class TurnText:
    speaker: str
    content: str
    timestamp_sec: float


def latest_session_turns(engine: Engine, interview_id: str) -> list[TurnText]:
    """The turns of the interview's latest session: from transcript_turns, else its transcript_json."""
    import json

    from insighta_desktop.db.schema import interview_sessions, transcript_turns

    with engine.connect() as conn:
        session = conn.execute(sa.select(interview_sessions.c.id, interview_sessions.c.transcript_json)
                               .where(interview_sessions.c.interview_id == interview_id)
                               .order_by(interview_sessions.c.started_at.desc()).limit(1)).first()
        if session is None:
            return []
        rows = conn.execute(sa.select(transcript_turns.c.speaker, transcript_turns.c.content,
                                      transcript_turns.c.timestamp_sec)
                            .where(transcript_turns.c.session_id == session.id)
                            .order_by(transcript_turns.c.sequence_no)).all()
    if rows:
        return [TurnText(*r) for r in rows]
    return [TurnText(t["speaker"], t["content"], t["timestamp_sec"])
            for t in sorted(json.loads(session.transcript_json or "[]"), key=lambda t: t["sequence_no"])]
