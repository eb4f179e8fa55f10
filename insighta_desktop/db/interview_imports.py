"""Writing an imported interview (interview, session, speakers, turns, source file) in one transaction."""
from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine

from insighta_desktop.db import schema

iv, sess, speakers_t = schema.interviews, schema.interview_sessions, schema.interview_speakers
turns_t, sources_t = schema.transcript_turns, schema.interview_sources


@dataclass(frozen=True)
class SpeakerRow:
    key: str  # what the turns carry: candidate, interviewer, interviewer-2…
    name: str
    role: str  # candidate | interviewer


@dataclass(frozen=True)
class TurnRow:
    id: str
    sequence_no: int
    speaker: str  # a SpeakerRow key
    content: str
    timestamp_sec: float  # Unix seconds


@dataclass(frozen=True)
class ImportedInterview:
    interview_id: str
    session_id: str
    candidate_name: str
    role: str
    started_at: datetime
    ended_at: datetime
    speakers: list[SpeakerRow]
    turns: list[TurnRow]
    sha256: str
    source_format: str
    file_name: str
    file_size: int
    cues: int
    skipped_cues: int
    imported_at: datetime


@dataclass(frozen=True)
class ExistingImport:
    """An interview already imported from a file with the same SHA-256."""

    interview_id: str
    candidate_name: str
    file_name: str
    imported_at: datetime


def _existing(conn: Connection, sha256: str) -> ExistingImport | None:
    row = conn.execute(sa.select(sources_t.c.interview_id, iv.c.candidate_name, sources_t.c.file_name,
                                 sources_t.c.imported_at)
                       .select_from(sources_t.join(iv, iv.c.id == sources_t.c.interview_id))
                       .where(sources_t.c.sha256 == sha256)).first()
    return ExistingImport(row.interview_id, row.candidate_name, row.file_name, row.imported_at) if row else None


def find_import(engine: Engine, sha256: str) -> ExistingImport | None:
    with engine.connect() as conn:
        return _existing(conn, sha256)


def insert_import(engine: Engine, record: ImportedInterview) -> ExistingImport | None:
    """Write the interview; when a file with the same SHA-256 was imported already, write nothing and return it.

    The transaction writes first and asks later: on SQLite a transaction that read before writing cannot wait for a
    concurrent writer (its snapshot is stale), while a first write waits for the lock like any other. The interview's
    id and the source's SHA-256 are unique, so the second import of one file fails and finds the first.
    """
    try:
        with engine.begin() as conn:
            _insert(conn, record)
    except sa.exc.IntegrityError:
        existing = find_import(engine, record.sha256)
        if existing is None:
            raise
        return existing
    return None


def _insert(conn: Connection, r: ImportedInterview) -> None:
    conn.execute(iv.insert().values(id=r.interview_id, candidate_name=r.candidate_name, candidate_email=None,
                                    role=r.role, status="completed", rubric_json="[]", scheduled_at=r.started_at,
                                    created_at=r.imported_at))
    transcript_json = json.dumps([{"speaker": t.speaker, "content": t.content, "sequence_no": t.sequence_no,
                                   "timestamp_sec": t.timestamp_sec} for t in r.turns], ensure_ascii=False)
    conn.execute(sess.insert().values(id=r.session_id, interview_id=r.interview_id, started_at=r.started_at,
                                      ended_at=r.ended_at, status="completed", transcript_json=transcript_json))
    conn.execute(speakers_t.insert(), [{"session_id": r.session_id, "speaker": s.key, "name": s.name,
                                        "role": s.role} for s in r.speakers])
    conn.execute(turns_t.insert(), [{"id": t.id, "session_id": r.session_id, "sequence_no": t.sequence_no,
                                     "speaker": t.speaker, "content": t.content, "timestamp_sec": t.timestamp_sec}
                                    for t in r.turns])
    conn.execute(sources_t.insert().values(
        interview_id=r.interview_id, sha256=r.sha256, source_format=r.source_format, file_name=r.file_name,
        file_size=r.file_size, cues=r.cues, skipped_cues=r.skipped_cues, imported_at=r.imported_at))
