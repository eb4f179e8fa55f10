"""Interviews seeded straight into the database for the interview service tests."""
from __future__ import annotations

import json
import uuid
from datetime import UTC, datetime, timedelta

import sqlalchemy as sa

from insighta_desktop.db import schema

START = datetime(2026, 11, 2, 9, 2, tzinfo=UTC)
SCRIPT = [
    ("ai", "Hello Amara, thanks for joining. Could you introduce yourself?", 0),
    ("candidate", "Hi, I'm Amara. I have spent five years as a backend engineer.", 12),
    ("ai", "How do you choose indexes for a slow PostgreSQL query?", 41),
    ("candidate", "I read the EXPLAIN ANALYZE plan and add a composite index matching the filter and sort.", 55),
    ("ai", "What happens when a downstream API starts rate limiting you?", 3661),
    ("candidate", "I retry with exponential backoff and jitter, and honour Retry-After.", 3700.5),
    ("hiring_manager", "Thanks, that is all from us.", 3725),
]


def seed_interview(engine, *, in_table: int | None = None, with_json: bool = True, script=SCRIPT,
                   rubric=("Python", "Databases", "Communication"), candidate="Amara Diallo",
                   role="Backend Engineer") -> str:
    """One interview whose session keeps `in_table` turns in transcript_turns (all by default) and,
    with `with_json`, every turn in transcript_json. Table rows get random ids on purpose."""
    interview_id, session_id = str(uuid.uuid4()), str(uuid.uuid4())
    turns = [{"speaker": s, "content": c, "sequence_no": i, "timestamp_sec": START.timestamp() + dt}
             for i, (s, c, dt) in enumerate(script, start=1)]
    keep = len(turns) if in_table is None else in_table
    with engine.begin() as conn:
        conn.execute(schema.interviews.insert().values(
            id=interview_id, candidate_name=candidate, candidate_email="amara@example.com", role=role,
            status="completed", rubric_json=json.dumps(list(rubric)), scheduled_at=START - timedelta(minutes=2),
            created_at=START - timedelta(days=3)))
        conn.execute(schema.interview_sessions.insert().values(
            id=session_id, interview_id=interview_id, started_at=START, ended_at=START + timedelta(hours=1),
            status="completed", transcript_json=json.dumps(turns) if with_json else None))
        if keep:
            conn.execute(schema.transcript_turns.insert(),
                         [{"id": str(uuid.uuid4()), "session_id": session_id, **t} for t in turns[:keep]])
    return interview_id


def session_of(engine, interview_id: str) -> str:
    with engine.connect() as conn:
        return conn.execute(sa.select(schema.interview_sessions.c.id)
                            .where(schema.interview_sessions.c.interview_id == interview_id)).scalar_one()
