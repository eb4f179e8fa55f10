"""Read-only access to a MeetMind database (PostgreSQL): its columns, interview fingerprints, and interviews.

MeetMind's tables are those of its published models (tests/data/meetmind_schema.sql). One catalog query says which
columns exist; statements then name the columns they read, so extra columns are ignored and a missing optional
column reads as NULL. Sessions on this engine are read-only on the server (default_transaction_read_only) and every
read runs in a READ ONLY transaction. There is no pre-ping: a dropped connection surfaces as a transient error that
the caller's retry layer (resilience) answers with a fresh connection, and each step saves a round trip.
"""
from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import URL, Connection, Engine

from insighta_desktop.db.engine import DatabaseUrlError, mask_url, normalise_url

APPLICATION_NAME = "insighta-meetmind-sync"

# The columns the sync reads, per table. Keys first: without them the table cannot be used at all.
COLUMNS: dict[str, tuple[str, ...]] = {
    "interviews": ("id", "role_title", "status", "scheduled_start", "session_id", "started_at", "created_at",
                   "updated_at"),
    "interview_sessions": ("id", "role", "candidate_name", "rubric_json", "status", "transcript_json", "started_at",
                           "completed_at", "created_at"),
    "interview_transcripts": ("id", "interview_id", "created_at"),
    "interview_transcript_turns": ("transcript_id", "speaker", "content", "sequence_no", "speaker_name",
                                   "timestamp_sec"),
    "interview_summaries": ("interview_id", "ai_assessment", "status", "generated_at"),
}
KEYS: dict[str, tuple[str, ...]] = {
    "interviews": ("id",),
    "interview_sessions": ("id",),
    "interview_transcripts": ("id", "interview_id"),
    "interview_transcript_turns": ("transcript_id", "speaker", "content", "sequence_no"),
    "interview_summaries": ("interview_id", "ai_assessment"),
}


class MeetMindSchemaError(Exception):
    """The database is not one the sync can read (no interviews table, say)."""

    transient = False


@dataclass(frozen=True)
class MeetMindSchema:
    """The MeetMind columns this database has: table -> column -> data type."""

    columns: dict[str, dict[str, str]]

    def has(self, table: str, column: str) -> bool:
        return column in self.columns.get(table, {})

    def usable(self, table: str) -> bool:
        return all(self.has(table, key) for key in KEYS[table])

    @property
    def sessions_linked(self) -> bool:
        return self.usable("interview_sessions") and self.has("interviews", "session_id")

    @property
    def turns_readable(self) -> bool:
        return self.usable("interview_transcripts") and self.usable("interview_transcript_turns")

    @property
    def missing(self) -> list[str]:
        """`table.column` the sync would read but this database lacks (each read as NULL)."""
        return [f"{t}.{c}" for t, cols in COLUMNS.items() for c in cols if not self.has(t, c)]


@dataclass(frozen=True)
class MeetMindSession:
    id: str
    role: str | None
    candidate_name: str | None
    rubric_json: str | None
    status: str | None
    transcript_json: str | None
    started_at: datetime | None
    completed_at: datetime | None
    created_at: datetime | None


@dataclass(frozen=True)
class MeetMindTurn:
    transcript_id: str
    sequence_no: int
    speaker: str
    speaker_name: str | None
    content: str
    timestamp_sec: float | None


@dataclass(frozen=True)
class MeetMindSummary:
    ai_assessment: str | None
    status: str | None
    generated_at: datetime | None


@dataclass(frozen=True)
class MeetMindInterview:
    id: str
    fingerprint: str
    role_title: str | None
    status: str | None
    scheduled_start: datetime | None
    started_at: datetime | None
    created_at: datetime | None
    updated_at: datetime | None
    session: MeetMindSession | None
    turns: list[MeetMindTurn] = field(default_factory=list)  # oldest transcript first, then by sequence_no
    summaries: list[MeetMindSummary] = field(default_factory=list)


def parse_meetmind_url(url: str) -> URL:
    """The URL with the psycopg driver; a clear DatabaseUrlError for anything but PostgreSQL."""
    parsed = normalise_url(url) if url.strip().lower().startswith(("postgres://", "postgresql")) else None
    if parsed is None or parsed.get_backend_name() != "postgresql":
        raise DatabaseUrlError(f"MeetMind keeps its interviews in PostgreSQL: give a postgresql:// URL, "
                               f"not {mask_url(url)}")
    return parsed


def create_meetmind_engine(url: str, *, statement_timeout_ms: int = 60_000) -> Engine:
    """An engine whose every session is read-only on the server; UTC so fingerprints do not depend on a zone."""
    parsed = parse_meetmind_url(url)
    options = parsed.query.get("options", "")
    if isinstance(options, tuple):
        options = " ".join(options)
    options = (f"{options} -c default_transaction_read_only=on -c TimeZone=UTC "
               f"-c statement_timeout={int(statement_timeout_ms)}").strip()
    parsed = parsed.difference_update_query(["options"])
    return sa.create_engine(parsed, pool_size=1, max_overflow=2, pool_pre_ping=False, pool_recycle=1800,
                            connect_args={"options": options, "connect_timeout": 5,
                                          "application_name": APPLICATION_NAME})


def _read_only(engine: Engine) -> Connection:
    conn = engine.connect()
    return conn.execution_options(isolation_level="REPEATABLE READ", postgresql_readonly=True)


def detect_schema(engine: Engine) -> MeetMindSchema:
    """One catalog query: which of the columns the sync reads exist in the current schema."""
    query = sa.text("SELECT table_name, column_name, data_type FROM information_schema.columns "
                    "WHERE table_schema = current_schema() AND table_name = ANY(:tables)")
    found: dict[str, dict[str, str]] = {}
    with _read_only(engine) as conn, conn.begin():
        for table, column, data_type in conn.execute(query, {"tables": list(COLUMNS)}):
            if column in COLUMNS[table]:
                found.setdefault(table, {})[column] = data_type
    schema = MeetMindSchema(found)
    if not schema.usable("interviews"):
        raise MeetMindSchemaError("This database has no MeetMind interviews table (interviews.id); "
                                  "is the URL that of MeetMind's database?")
    return schema


def _select(schema: MeetMindSchema, table: str, alias: str, text_columns: Iterable[str] = (), prefix: str = "") -> str:
    """The table's columns by name (ids as text); one this database lacks reads as NULL."""
    as_text = set(text_columns)
    picked = []
    for c in COLUMNS[table]:
        expr = f'{alias}."{c}"' + ("::text" if c in as_text else "") if schema.has(table, c) else "NULL"
        picked.append(f'{expr} AS "{prefix}{c}"')
    return ", ".join(picked)


def _in_ids(schema: MeetMindSchema, table: str, alias: str, column: str) -> str:
    """`column = ANY(:ids)`, comparing in the column's own type so its index can serve."""
    if schema.columns[table][column] == "uuid":
        return f'{alias}."{column}" = ANY(CAST(:ids AS uuid[]))'
    return f'{alias}."{column}"::text = ANY(CAST(:ids AS text[]))'


def _fingerprint_sql(schema: MeetMindSchema, filtered: bool) -> str:
    """md5 over every row MeetMind holds for an interview (all columns, extra ones included)."""
    ctes, joins, parts = [], [], ["i::text"]
    if schema.sessions_linked:
        joins.append('LEFT JOIN interview_sessions s ON s."id" = i."session_id"')
        parts.append("s::text")
    if schema.turns_readable:
        where = f"WHERE {_in_ids(schema, 'interview_transcripts', 'tr', 'interview_id')}" if filtered else ""
        ctes.append('turns AS (SELECT tr."interview_id" AS interview_id, '
                    "md5(string_agg(tr::text || t::text, ',' ORDER BY tr::text, t.\"sequence_no\", t::text)) AS h "
                    'FROM interview_transcripts tr JOIN interview_transcript_turns t ON t."transcript_id" = tr."id" '
                    f'{where} GROUP BY tr."interview_id")')
        joins.append('LEFT JOIN turns ON turns.interview_id = i."id"')
        parts.append("turns.h")
    if schema.usable("interview_summaries"):
        where = f"WHERE {_in_ids(schema, 'interview_summaries', 'su', 'interview_id')}" if filtered else ""
        ctes.append('sums AS (SELECT su."interview_id" AS interview_id, '
                    f"md5(string_agg(su::text, ',' ORDER BY su::text)) AS h FROM interview_summaries su {where} "
                    'GROUP BY su."interview_id")')
        joins.append('LEFT JOIN sums ON sums.interview_id = i."id"')
        parts.append("sums.h")
    with_clause = f"WITH {', '.join(ctes)} " if ctes else ""
    digest = ", ".join(f"coalesce({p}, '')" for p in parts)
    where = f"WHERE {_in_ids(schema, 'interviews', 'i', 'id')}" if filtered else ""
    return (f'{with_clause}SELECT i."id"::text AS id, md5(concat_ws(\'|\', {digest})) AS fingerprint '
            f'FROM interviews i {" ".join(joins)} {where} ORDER BY i."id"')


def list_fingerprints(engine: Engine, schema: MeetMindSchema) -> dict[str, str]:
    """Every interview's id and fingerprint, in one statement."""
    with _read_only(engine) as conn, conn.begin():
        return {row.id: row.fingerprint for row in conn.execute(sa.text(_fingerprint_sql(schema, False)))}


def read_interviews(engine: Engine, schema: MeetMindSchema, ids: Sequence[str]) -> list[MeetMindInterview]:
    """The interviews with these ids, each with the fingerprint of exactly what was read (one snapshot)."""
    if not ids:
        return []
    params = {"ids": list(ids)}
    with _read_only(engine) as conn, conn.begin():
        fingerprints = {r.id: r.fingerprint for r in conn.execute(sa.text(_fingerprint_sql(schema, True)), params)}
        interviews = _interview_rows(conn, schema, params)
        turns = _turn_rows(conn, schema, params)
        summaries = _summary_rows(conn, schema, params)
    return [MeetMindInterview(
        id=r["id"], fingerprint=fingerprints[r["id"]], role_title=r["role_title"], status=r["status"],
        scheduled_start=r["scheduled_start"], started_at=r["started_at"], created_at=r["created_at"],
        updated_at=r["updated_at"], session=_session(r), turns=turns.get(r["id"], []),
        summaries=summaries.get(r["id"], [])) for r in interviews]


def _interview_rows(conn: Connection, schema: MeetMindSchema, params: dict[str, Any]) -> list[dict[str, Any]]:
    columns = _select(schema, "interviews", "i", ("id", "session_id"))
    join = ""
    if schema.sessions_linked:
        columns += ", " + _select(schema, "interview_sessions", "s", ("id",), prefix="s_")
        join = 'LEFT JOIN interview_sessions s ON s."id" = i."session_id"'
    sql = (f"SELECT {columns} FROM interviews i {join} "
           f"WHERE {_in_ids(schema, 'interviews', 'i', 'id')} ORDER BY i.\"id\"")
    return [dict(r) for r in conn.execute(sa.text(sql), params).mappings()]


def _session(row: dict[str, Any]) -> MeetMindSession | None:
    if row.get("s_id") is None:
        return None
    return MeetMindSession(row["s_id"], row["s_role"], row["s_candidate_name"], row["s_rubric_json"], row["s_status"],
                           row["s_transcript_json"], row["s_started_at"], row["s_completed_at"], row["s_created_at"])


def _turn_rows(conn: Connection, schema: MeetMindSchema,
               params: dict[str, Any]) -> dict[str, list[MeetMindTurn]]:
    if not schema.turns_readable:
        return {}
    order = 'tr."created_at", ' if schema.has("interview_transcripts", "created_at") else ""
    sql = (f'SELECT tr."interview_id"::text AS interview_id, '
           f'{_select(schema, "interview_transcript_turns", "t", ("transcript_id",))} '
           'FROM interview_transcripts tr JOIN interview_transcript_turns t ON t."transcript_id" = tr."id" '
           f"WHERE {_in_ids(schema, 'interview_transcripts', 'tr', 'interview_id')} "
           f'ORDER BY tr."interview_id", {order}tr."id", t."sequence_no"')
    turns: dict[str, list[MeetMindTurn]] = {}
    for r in conn.execute(sa.text(sql), params).mappings():
        stamp = r["timestamp_sec"]
        turns.setdefault(r["interview_id"], []).append(MeetMindTurn(
            r["transcript_id"], int(r["sequence_no"]), str(r["speaker"] or ""), r["speaker_name"],
            str(r["content"] or ""), float(stamp) if stamp is not None else None))
    return turns


def _summary_rows(conn: Connection, schema: MeetMindSchema,
                  params: dict[str, Any]) -> dict[str, list[MeetMindSummary]]:
    if not schema.usable("interview_summaries"):
        return {}
    sql = (f'SELECT {_select(schema, "interview_summaries", "su", ("interview_id",))} FROM interview_summaries su '
           f"WHERE {_in_ids(schema, 'interview_summaries', 'su', 'interview_id')}")
    summaries: dict[str, list[MeetMindSummary]] = {}
    for r in conn.execute(sa.text(sql), params).mappings():
        summaries.setdefault(r["interview_id"], []).append(
            MeetMindSummary(r["ai_assessment"], r["status"], r["generated_at"]))
    return summaries
