"""Export interviews (and optionally a profile search result) from a live database into a sealed review pack.

The pack's database is built in memory, masked (emails and phone numbers) unless told otherwise, checksummed,
then encrypted and signed into the file: the plaintext never touches the disk."""
from __future__ import annotations

import contextlib
import os
import sqlite3
import tempfile
from collections.abc import Callable, Iterable
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine

from insighta_desktop import __version__
from insighta_desktop.db import schema
from insighta_desktop.interviews import repository
from insighta_desktop.interviews.model import Transcript
from insighta_desktop.interviews.transcript import build_transcript
from insighta_desktop.packs.container import check_passphrase, day_text, seal
from insighta_desktop.packs.format import (
    APPLICATION_ID,
    MANIFEST_TABLE,
    PACK_TABLES,
    PAYLOAD_VERSION,
    InterviewEntry,
    Manifest,
    PackError,
    SearchEntry,
    digest_json,
    table_digest,
)
from insighta_desktop.packs.kdf import KdfParams, default_kdf
from insighta_desktop.packs.redaction import RedactionCounts, redact_rows
from insighta_desktop.packs.search_snapshot import SearchSnapshot
from insighta_desktop.packs.signing import SigningIdentity
from insighta_desktop.profiles.model import normalise_name
from insighta_desktop.timestamps import as_utc


def transcript_digest(transcript: Transcript) -> str:
    """What the reader must serve again: source, and every turn as the services present it."""
    return digest_json({"source": transcript.source, "session_id": transcript.session_id,
                        "turns": [[t.id, t.sequence_no, t.speaker, t.speaker_label, t.content,
                                   t.timestamp_sec.hex(), t.elapsed] for t in transcript.turns]})


def _utc(value: Any) -> Any:
    """Datetimes go into the pack in UTC (SQLite keeps no zone; PostgreSQL answers in the session's zone)."""
    return as_utc(value) if isinstance(value, datetime) else value


def _rows(conn: Connection, table: sa.Table, condition: sa.ColumnElement[bool]) -> list[dict[str, Any]]:
    ordered = table.select().where(condition).order_by(*table.primary_key.columns)
    return [{k: _utc(v) for k, v in row.items()} for row in conn.execute(ordered).mappings()]


def _collect(engine: Engine, interview_ids: list[str]) -> dict[str, list[dict[str, Any]]]:
    s = schema
    with engine.connect() as conn:
        interviews = _rows(conn, s.interviews, s.interviews.c.id.in_(interview_ids))
        found = {r["id"] for r in interviews}
        missing = [i for i in interview_ids if i not in found]
        if missing:
            raise repository.NotFound(f"No interview with id {', '.join(missing)}")
        sessions = _rows(conn, s.interview_sessions, s.interview_sessions.c.interview_id.in_(interview_ids))
        session_ids = [r["id"] for r in sessions]
        return {
            "interviews": interviews,
            "interview_sessions": sessions,
            "interview_speakers": _rows(conn, s.interview_speakers,
                                        s.interview_speakers.c.session_id.in_(session_ids)) if session_ids else [],
            "transcript_turns": _rows(conn, s.transcript_turns, s.transcript_turns.c.session_id.in_(session_ids))
            if session_ids else [],
            "assessments": _rows(conn, s.assessments, s.assessments.c.interview_id.in_(interview_ids)),
            "chat_messages": _rows(conn, s.chat_messages, s.chat_messages.c.interview_id.in_(interview_ids)),
            "interview_highlights": _rows(conn, s.interview_highlights,
                                          s.interview_highlights.c.interview_id.in_(interview_ids)),
        }


def _profile_rows(snapshot: SearchSnapshot) -> list[dict[str, Any]]:
    rows = []
    for p in snapshot.profiles:
        row = {name: _utc(getattr(p, name)) for name in p.__dataclass_fields__}
        row["name_key"] = normalise_name(p.name)
        rows.append(row)
    return rows


def _entries(pack_engine: Engine, interview_ids: list[str]) -> list[InterviewEntry]:
    entries = []
    for interview_id in interview_ids:
        interview = repository.get_interview(pack_engine, interview_id)
        transcript = build_transcript(repository.load_transcript_sources(pack_engine, interview_id))
        assessment = repository.get_assessment(pack_engine, interview_id)
        chat = repository.list_chat(pack_engine, interview_id)
        entries.append(InterviewEntry(
            id=interview_id, candidate_name=interview.summary.candidate_name, role=interview.summary.role,
            transcript_source=transcript.source, turns=len(transcript.turns),
            transcript_sha256=transcript_digest(transcript),
            assessment_status=assessment.status if assessment else None, chat_messages=len(chat)))
    return entries


def export_pack(engine: Engine, interview_ids: Iterable[str], out: Path, *, passphrase: str,
                signer: SigningIdentity, search: SearchSnapshot | None = None, expires: date | None = None,
                redact: bool = True, kdf: KdfParams | None = None,
                now: Callable[[], datetime] = lambda: datetime.now(UTC)) -> Manifest:
    """Write the sealed pack to `out` (replacing it atomically, never leaving half a pack) and return its manifest.

    `kdf` defaults to the product's key derivation (kdf.default_kdf); tests pass cheaper parameters explicitly.
    """
    check_passphrase(passphrase)
    created = now()
    if expires is not None and expires < created.astimezone().date():
        raise PackError(f"The expiry date {day_text(expires)} is in the past: choose today or a later date")
    ids = list(dict.fromkeys(str(i).strip() for i in interview_ids if str(i).strip()))
    if not ids and search is None:
        raise PackError("Choose at least one interview (or a search result) to put in the pack")
    data = _collect(engine, ids) if ids else {}
    if search is not None:
        data["profiles"] = _profile_rows(search)
    masked = redact_rows(data) if redact else None
    payload, manifest = build_payload(data, ids, search, engine.dialect.name, created, masked)
    sealed = seal(payload, passphrase, signer, created_at=manifest.created_at, expires=expires,
                  kdf=kdf or default_kdf(), contents=contents_summary(manifest))
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp_name = tempfile.mkstemp(prefix=".pack-", suffix=".tmp", dir=out.parent)
    tmp = Path(tmp_name)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(sealed)
        os.replace(tmp, out)
    finally:
        with contextlib.suppress(FileNotFoundError):
            tmp.unlink()
    return manifest


def contents_summary(manifest: Manifest) -> dict[str, Any]:
    """What the plaintext header tells about the contents: counts only, never a name or the search's words."""
    summary: dict[str, Any] = {"interviews": len(manifest.interviews)}
    summary.update({table: manifest.tables[table].rows for table in PACK_TABLES if table != "interviews"})
    summary["search"] = manifest.search is not None
    summary["redacted"] = manifest.extra.get("redacted")
    return summary


def build_payload(data: dict[str, list[dict[str, Any]]], ids: list[str], search: SearchSnapshot | None,
                  backend: str, created: datetime, masked: RedactionCounts | None) -> tuple[bytes, Manifest]:
    """The pack's SQLite database, built in memory: its bytes and its manifest."""
    raw = sqlite3.connect(":memory:", check_same_thread=False)
    pack_engine = sa.create_engine("sqlite+pysqlite://", creator=lambda: raw, poolclass=sa.pool.StaticPool)
    try:
        tables = [schema.metadata.tables[name] for name in PACK_TABLES]
        with pack_engine.begin() as conn:
            conn.exec_driver_sql(f"PRAGMA application_id = {APPLICATION_ID}")
            conn.exec_driver_sql(f"PRAGMA user_version = {PAYLOAD_VERSION}")
            schema.metadata.create_all(conn, tables=tables)
            conn.exec_driver_sql(f'CREATE TABLE "{MANIFEST_TABLE}" (id INTEGER PRIMARY KEY CHECK (id = 1), '
                                 "manifest_json TEXT NOT NULL)")
            for table in tables:
                rows = data.get(table.name)
                if rows:
                    conn.execute(table.insert(), rows)
        entries = _entries(pack_engine, ids)
        digests = {name: table_digest(raw, name, order) for name, order in PACK_TABLES.items()}
        manifest = Manifest(
            format_version=PAYLOAD_VERSION, created_at=created.astimezone(UTC).isoformat(timespec="seconds"),
            app_version=__version__, schema_version=schema.SCHEMA_VERSION, source_backend=backend,
            interviews=entries,
            search=SearchEntry(search.query, search.filters, search.total_matches, len(search.profiles))
            if search is not None else None,
            tables=digests, extra={"redacted": masked.to_json()} if masked is not None else {})
        with raw:
            raw.execute(f'INSERT INTO "{MANIFEST_TABLE}" (id, manifest_json) VALUES (1, ?)',
                        (manifest.to_json_text(),))
        raw.execute("VACUUM")
        return raw.serialize(), manifest
    finally:
        pack_engine.dispose()
        raw.close()
