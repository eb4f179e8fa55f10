"""A real MeetMind database per test, from tests/data/meetmind_schema.sql (tests/conftest.py registers the fixtures).

Each test gets a schema of its own in one MeetMind database per test session, and a URL whose connections work in
that schema (as the reader does: it looks only at current_schema()). A database per test cost a DROP DATABASE per
test, which waits for a checkpoint: 1.6 to 15 s on the shared server. The schema is dropped at the end of the test,
whoever is still connected.
"""
from __future__ import annotations

import json
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

import psycopg
import pytest
from sqlalchemy.engine import make_url

SCHEMA_SQL = Path(__file__).resolve().parent / "data" / "meetmind_schema.sql"
START = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)

# (speaker, content, seconds after START)
INTERVIEW = [
    ("ai", "Hello Amara, thanks for joining. Could you introduce yourself?", 0),
    ("candidate", "Hi, I'm Amara. I have spent five years as a backend engineer.", 12),
    ("ai", "How do you choose indexes for a slow PostgreSQL query?", 41),
    ("candidate", "I read the EXPLAIN ANALYZE plan and add a composite index matching the filter.", 55),
    ("interviewer", "A follow-up from me: how do you check the index is used?", 80),
    ("candidate", "I run EXPLAIN again and compare the buffers read.", 95),
]


def _libpq(url: str, database: str | None = None) -> str:
    parsed = make_url(url).set(drivername="postgresql")
    if database is not None:
        parsed = parsed.set(database=database)
    return parsed.render_as_string(hide_password=False)


class MeetMindDb:
    def __init__(self, server_url: str, name: str, schema: str):
        self.name = name
        self.schema = schema
        in_schema = make_url(server_url).set(drivername="postgresql", database=name).update_query_dict(
            {"options": f"-csearch_path={schema}"})
        self.url = in_schema.render_as_string(hide_password=False)
        self.dsn = self.url

    def execute(self, sql: str, params: tuple | dict | None = None) -> None:
        with psycopg.connect(self.dsn, autocommit=True) as conn:
            conn.execute(sql, params)

    def add_interview(self, candidate: str = "Amara Diallo", *, turns: list | None = None,
                      json_turns: list | None = None, session: bool = True, role: str = "Backend Engineer",
                      assessment: dict | str | None = None, status: str = "completed") -> str:
        """One interview: `turns` into interview_transcript_turns, `json_turns` into the session's transcript_json
        (None: no JSON), each a list of (speaker, content, seconds after START); sequence numbers from 1."""
        interview_id, session_id = str(uuid.uuid4()), str(uuid.uuid4()) if session else None
        with psycopg.connect(self.dsn, autocommit=True) as conn, conn.transaction():
            if session_id:
                conn.execute(
                    "INSERT INTO interview_sessions (id, role, candidate_name, rubric_json, status, transcript_json, "
                    "started_at, completed_at) VALUES (%s, %s, %s, %s, 'completed', %s, %s, %s)",
                    (session_id, role, candidate, json.dumps(["Python", "Databases"]),
                     None if json_turns is None else json.dumps(self.json_items(json_turns)), START,
                     START + timedelta(hours=1)))
            conn.execute(
                "INSERT INTO interviews (id, session_id, role_title, scheduled_start, status, started_at) "
                "VALUES (%s, %s, %s, %s, %s, %s)", (interview_id, session_id, role, START, status, START))
            if turns:
                self._insert_turns(conn, interview_id, turns, 1)
            if assessment is not None:
                conn.execute("INSERT INTO interview_summaries (id, interview_id, ai_assessment, status, generated_at) "
                             "VALUES (%s, %s, %s, 'completed', %s)",
                             (str(uuid.uuid4()), interview_id,
                              assessment if isinstance(assessment, str) else json.dumps(assessment),
                              START + timedelta(hours=2)))
        return interview_id

    @staticmethod
    def json_items(turns: list) -> list[dict]:
        return [{"speaker": s, "content": c, "sequence_no": i, "timestamp_sec": int(START.timestamp() + dt)}
                for i, (s, c, dt) in enumerate(turns, start=1)]

    def add_turns(self, interview_id: str, turns: list, first_seq: int) -> None:
        """More live turns for an interview (into its first transcript, or a new one)."""
        with psycopg.connect(self.dsn, autocommit=True) as conn, conn.transaction():
            self._insert_turns(conn, interview_id, turns, first_seq)

    @staticmethod
    def _insert_turns(conn, interview_id: str, turns: list, first_seq: int) -> None:
        row = conn.execute("SELECT id FROM interview_transcripts WHERE interview_id = %s", (interview_id,)).fetchone()
        transcript_id = row[0] if row else str(uuid.uuid4())
        if row is None:
            conn.execute("INSERT INTO interview_transcripts (id, interview_id, status) VALUES (%s, %s, 'completed')",
                         (transcript_id, interview_id))
        with conn.cursor() as cur:
            cur.executemany(
                "INSERT INTO interview_transcript_turns (id, transcript_id, speaker, speaker_name, content, "
                "timestamp_sec, sequence_no, is_ai_question) VALUES (%s, %s, %s, %s, %s, %s, %s, %s)",
                [(str(uuid.uuid4()), transcript_id, s, "Meet Mind" if s == "ai" else None, c,
                  int(START.timestamp() + dt), seq, s == "ai")
                 for seq, (s, c, dt) in enumerate(turns, start=first_seq)])

    def terminate_connections(self, application_name: str) -> int:
        """End every server backend of that application on this database (a dropped connection)."""
        with psycopg.connect(self.dsn, autocommit=True) as conn:
            rows = conn.execute("SELECT pg_terminate_backend(pid, 5000) FROM pg_stat_activity "
                                "WHERE datname = %s AND application_name = %s AND pid <> pg_backend_pid()",
                                (self.name, application_name)).fetchall()
        return len(rows)


@pytest.fixture(scope="session")
def meetmind_database(pg_server_url):
    """The session's MeetMind database, dropped at the end of the session."""
    name = f"meetmind_{uuid.uuid4().hex[:12]}"
    admin = _libpq(pg_server_url)
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    yield name
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture
def meetmind(pg_server_url, meetmind_database):
    """An empty MeetMind database (the fixture schema) of this test's own, dropped after the test."""
    schema = f"mm_{uuid.uuid4().hex[:12]}"
    database = _libpq(pg_server_url, meetmind_database)
    with psycopg.connect(database, autocommit=True) as conn:
        conn.execute(f'CREATE SCHEMA "{schema}"')
    try:
        db = MeetMindDb(pg_server_url, meetmind_database, schema)
        with psycopg.connect(db.dsn, autocommit=True) as conn:
            conn.execute(SCHEMA_SQL.read_text(encoding="utf-8"))
        yield db
    finally:
        with psycopg.connect(database, autocommit=True) as conn:
            # As DROP DATABASE ... WITH (FORCE) did: the test's own connections (tests run one at a time) go first.
            conn.execute("SELECT pg_terminate_backend(pid, 5000) FROM pg_stat_activity "
                         "WHERE datname = %s AND pid <> pg_backend_pid()", (meetmind_database,))
            conn.execute(f'DROP SCHEMA "{schema}" CASCADE')
