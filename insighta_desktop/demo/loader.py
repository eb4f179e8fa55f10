"""Fill a database with the demo set: profiles and interviews, in a few transactions."""
from __future__ import annotations

import itertools
import json
from dataclasses import asdict
from datetime import UTC, datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from insighta_desktop.db import schema
from insighta_desktop.demo.interviews import generate_interviews
from insighta_desktop.demo.profiles import generate_profiles
from insighta_desktop.interviews.model import assessment_id, turn_id
from insighta_desktop.profiles.ids import uuid7
from insighta_desktop.profiles.model import normalise_name

DEMO_PROFILES = 5_000
DEMO_INTERVIEWS = 8


def load_demo_data(engine: Engine, profiles: int = DEMO_PROFILES, interviews: int = DEMO_INTERVIEWS,
                   seed: int = 2026) -> dict[str, int]:
    """Insert the demo set; profiles whose names already exist are left as they are. Returns what was added."""
    added_profiles = _load_profiles(engine, profiles, seed)
    added_interviews = _load_interviews(engine, interviews, seed)
    return {"profiles": added_profiles, "interviews": added_interviews}


def database_is_empty(engine: Engine) -> bool:
    with engine.connect() as conn:
        for table in (schema.profiles, schema.interviews):
            if conn.execute(sa.select(sa.literal(1)).select_from(table).limit(1)).first():
                return False
    return True


def _load_profiles(engine: Engine, count: int, seed: int) -> int:
    generated = generate_profiles(count, seed)
    added = 0
    while batch := list(itertools.islice(generated, 2_000)):
        rows = []
        for p in batch:
            row = asdict(p)
            row["id"] = str(uuid7(int(p.created_at.timestamp() * 1000)))
            row["name_key"] = normalise_name(p.name)
            rows.append(row)
        with engine.begin() as conn:
            existing = set(conn.execute(sa.select(schema.profiles.c.name_key)
                                        .where(schema.profiles.c.name_key.in_([r["name_key"] for r in rows])))
                           .scalars())
            fresh = [r for r in rows if r["name_key"] not in existing]
            if fresh:
                conn.execute(schema.profiles.insert(), fresh)
            added += len(fresh)
    return added


def _load_interviews(engine: Engine, count: int, seed: int) -> int:
    added = 0
    now = datetime.now(UTC)
    with engine.begin() as conn:
        known = set(conn.execute(sa.select(schema.interviews.c.id)).scalars())
        for iv in generate_interviews(count, seed):
            if iv.id in known:
                continue
            conn.execute(schema.interviews.insert().values(
                id=iv.id, candidate_name=iv.candidate_name, candidate_email=iv.candidate_email, role=iv.role,
                status=iv.status, rubric_json=json.dumps(iv.rubric), scheduled_at=iv.scheduled_at,
                created_at=iv.scheduled_at - timedelta(days=3)))
            if iv.turns:
                ended = datetime.fromtimestamp(iv.turns[-1].timestamp_sec + 30, UTC)
                conn.execute(schema.interview_sessions.insert().values(
                    id=iv.session_id, interview_id=iv.id, started_at=iv.session_started_at, ended_at=ended,
                    status="completed", transcript_json=iv.transcript_json()))
                table_turns = [
                    {"id": turn_id(iv.session_id, t.sequence_no),
                     "session_id": iv.session_id, **asdict(t)}
                    for t in iv.turns[:iv.turns_in_table]]
                if table_turns:
                    conn.execute(schema.transcript_turns.insert(), table_turns)
            if iv.assessment:
                conn.execute(schema.assessments.insert().values(
                    id=assessment_id(iv.id), interview_id=iv.id,
                    status="completed", content_json=json.dumps(iv.assessment), model="demo",
                    created_at=now, updated_at=now, started_at=now, completed_at=now))
            added += 1
    return added
