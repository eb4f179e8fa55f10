"""Fill a database with the demo set: profiles and interviews, in a few transactions (statements in
db/demo_store.py)."""
from __future__ import annotations

import itertools
import json
from dataclasses import asdict
from datetime import UTC, datetime, timedelta

from sqlalchemy.engine import Engine

from insighta_desktop.db.demo_store import database_is_empty, demo_interview_writer, insert_new_profiles
from insighta_desktop.demo.interviews import generate_interviews
from insighta_desktop.demo.profiles import generate_profiles
from insighta_desktop.interviews.model import assessment_id, turn_id
from insighta_desktop.profiles.ids import uuid7
from insighta_desktop.profiles.model import normalise_name

DEMO_PROFILES = 5_000
DEMO_INTERVIEWS = 8

__all__ = ["DEMO_INTERVIEWS", "DEMO_PROFILES", "database_is_empty", "load_demo_data"]


def load_demo_data(engine: Engine, profiles: int = DEMO_PROFILES, interviews: int = DEMO_INTERVIEWS,
                   seed: int = 2026) -> dict[str, int]:
    """Insert the demo set; profiles whose names already exist are left as they are. Returns what was added."""
    added_profiles = _load_profiles(engine, profiles, seed)
    added_interviews = _load_interviews(engine, interviews, seed)
    return {"profiles": added_profiles, "interviews": added_interviews}


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
        added += insert_new_profiles(engine, rows)
    return added


def _load_interviews(engine: Engine, count: int, seed: int) -> int:
    added = 0
    now = datetime.now(UTC)
    with demo_interview_writer(engine) as writer:
        known = writer.known_ids()
        for iv in generate_interviews(count, seed):
            if iv.id in known:
                continue
            interview = {"id": iv.id, "candidate_name": iv.candidate_name, "candidate_email": iv.candidate_email,
                         "role": iv.role, "status": iv.status, "rubric_json": json.dumps(iv.rubric),
                         "scheduled_at": iv.scheduled_at, "created_at": iv.scheduled_at - timedelta(days=3)}
            session = None
            table_turns: list[dict[str, object]] = []
            if iv.turns:
                ended = datetime.fromtimestamp(iv.turns[-1].timestamp_sec + 30, UTC)
                session = {"id": iv.session_id, "interview_id": iv.id, "started_at": iv.session_started_at,
                           "ended_at": ended, "status": "completed", "transcript_json": iv.transcript_json()}
                table_turns = [{"id": turn_id(iv.session_id, t.sequence_no), "session_id": iv.session_id,
                                **asdict(t)} for t in iv.turns[:iv.turns_in_table]]
            assessment = None
            if iv.assessment:
                assessment = {"id": assessment_id(iv.id), "interview_id": iv.id, "status": "completed",
                              "content_json": json.dumps(iv.assessment), "model": "demo", "created_at": now,
                              "updated_at": now, "started_at": now, "completed_at": now}
            writer.add(interview, session, table_turns, assessment)
            added += 1
    return added
