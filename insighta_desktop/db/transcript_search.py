"""Search every transcript's turns: one statement per search on each back end, ranked, newest interviews first on ties.

The query arrives parsed (`TextQuery`: words and phrases, alternatives, exclusions) and its words are only ever
placed inside quoted FTS5 strings or quoted tsquery lexemes, so no user text can make a syntax error.

Cost is bounded whatever the words: when a query matches more than `candidates` turns (a common word), the most
recent `candidates` of them are ranked — on PostgreSQL the latest by turn time (an index scan backwards), on SQLite
the most recently added (FTS5 walks its rowids backwards). Below that number the ranking covers every match.
Only each interview's latest session is searched, as it is the transcript the app shows.
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Engine
from sqlalchemy.types import TypeEngine

from insighta_desktop.db import schema
from insighta_desktop.db.lexeme_stats import LexemeStats, LexemeStatsCache
from insighta_desktop.db.schema import UtcDateTime
from insighta_desktop.db.transcript_index import FTS_TABLE, SEARCH_COLUMN, fold_word

RESULT_LIMIT = 50
RANKED_CANDIDATES = 500

Phrase = tuple[str, ...]  # one word, or words that must follow each other


@dataclass(frozen=True)
class Clause:
    """Any of `alternatives` must match (or, when `excluded`, none of them may)."""

    alternatives: tuple[Phrase, ...]
    excluded: bool = False


@dataclass(frozen=True)
class TextQuery:
    """Every clause must hold. Words are letters and digits only (the parser guarantees it)."""

    clauses: tuple[Clause, ...]

    @property
    def searchable(self) -> bool:
        return any(not c.excluded and c.alternatives for c in self.clauses)


@dataclass(frozen=True)
class TurnMatch:
    interview_id: str
    candidate_name: str
    role: str
    scheduled_at: datetime | None
    session_id: str
    session_started_at: datetime | None
    first_timestamp: float  # the session's first turn (by sequence number), the origin of elapsed times
    sequence_no: int
    speaker: str
    speaker_name: str | None  # the name recorded for this speaker of the session (imported interviews), if any
    speaker_role: str | None  # candidate | interviewer, recorded with the name
    content: str
    timestamp_sec: float
    rank: float  # higher is better; comparable within one search only


# Ranking needs only keys, the rank and each hit's interview (its date breaks ties, its latest session is the one
# shown); the turn's text and the session's first turn (the origin of elapsed times) are read for the winners only.
_RANKED = """
best AS (
    SELECT {turn_key} AS turn_key, {rank} AS rank, i.id AS interview_id, i.scheduled_at, {sequence_no} AS sequence_no
    FROM hits h
    {turn_join}
    JOIN interview_sessions s ON s.id = {session_id}
    JOIN interviews i ON i.id = s.interview_id
    WHERE NOT EXISTS (SELECT 1 FROM interview_sessions later
                      WHERE later.interview_id = s.interview_id AND later.started_at > s.started_at)
    ORDER BY rank DESC, {date_order}, i.id, sequence_no
    LIMIT :limit
)
SELECT i.id AS interview_id, i.candidate_name, i.role, i.scheduled_at, s.id AS session_id,
       s.started_at AS session_started_at,
       (SELECT f.timestamp_sec FROM transcript_turns f WHERE f.session_id = s.id
        ORDER BY f.sequence_no LIMIT 1) AS first_timestamp,
       t.sequence_no, t.speaker, sp.name AS speaker_name, sp.role AS speaker_role, t.content, t.timestamp_sec,
       b.rank
FROM best b
JOIN transcript_turns t ON t.{turn_key_column} = b.turn_key
JOIN interview_sessions s ON s.id = t.session_id
JOIN interviews i ON i.id = s.interview_id
LEFT JOIN interview_speakers sp ON sp.session_id = s.id AND sp.speaker = t.speaker
ORDER BY b.rank DESC, {final_date_order}, b.interview_id, b.sequence_no
"""

_SQLITE = f"""
WITH hits AS (
    SELECT rowid AS turn_rowid, bm25({FTS_TABLE}) AS score FROM {FTS_TABLE}
    WHERE {FTS_TABLE} MATCH :query ORDER BY rowid DESC LIMIT :candidates
),""" + _RANKED.format(
    turn_key="t.rowid", rank="-h.score", sequence_no="t.sequence_no",
    turn_join="JOIN transcript_turns t ON t.rowid = h.turn_rowid", session_id="t.session_id",
    date_order="i.scheduled_at IS NULL, i.scheduled_at DESC", turn_key_column="rowid",
    final_date_order="b.scheduled_at IS NULL, b.scheduled_at DESC")

_POSTGRES = f"""
WITH hits AS (
    SELECT id, session_id, sequence_no, {SEARCH_COLUMN} AS vector FROM transcript_turns
    WHERE {SEARCH_COLUMN} @@ to_tsquery('simple', :query)
    ORDER BY timestamp_sec DESC LIMIT :candidates
),""" + _RANKED.format(
    turn_key="h.id", rank="ts_rank(h.vector, to_tsquery('simple', :query))", sequence_no="h.sequence_no",
    turn_join="", session_id="h.session_id", date_order="i.scheduled_at DESC NULLS LAST", turn_key_column="id",
    final_date_order="b.scheduled_at DESC NULLS LAST")

# The same, made to read every match through the GIN index and sort them: "+ 0" hides the order from the b-tree on
# timestamp_sec, so the planner cannot walk it backwards (see lexeme_stats for when each way is cheaper).
_POSTGRES_FETCH = _POSTGRES.replace("ORDER BY timestamp_sec DESC", "ORDER BY timestamp_sec + 0 DESC")

# For a phrase of common words, whose matches the statistics cannot foresee (words next to each other): walk the
# newest :walk turns, and only when they hold too few matches read the older matches through the index.
_POSTGRES_PROBE = f"""
WITH hits AS (
    (SELECT id, session_id, sequence_no, vector FROM (
         SELECT id, session_id, sequence_no, {SEARCH_COLUMN} AS vector FROM transcript_turns
         ORDER BY timestamp_sec DESC, id DESC LIMIT :walk) newest
     WHERE vector @@ to_tsquery('simple', :query) LIMIT :candidates)
    UNION ALL
    (SELECT id, session_id, sequence_no, {SEARCH_COLUMN} FROM transcript_turns
     WHERE {SEARCH_COLUMN} @@ to_tsquery('simple', :query)
       AND (timestamp_sec, id) < (SELECT timestamp_sec, id FROM transcript_turns
                                  ORDER BY timestamp_sec DESC, id DESC OFFSET :walk - 1 LIMIT 1)
     ORDER BY timestamp_sec + 0 DESC LIMIT :candidates)
    LIMIT :candidates
),""" + _POSTGRES[_POSTGRES.index("best AS ("):]
PROBE_WALK = 20_000

_COLUMNS: dict[str, TypeEngine[Any]] = {
    "scheduled_at": UtcDateTime, "session_started_at": UtcDateTime, "first_timestamp": sa.Double(),
    "timestamp_sec": sa.Double(), "rank": sa.Double()}


def fts5_expression(query: TextQuery) -> str:
    """FTS5 syntax: every phrase a double-quoted string, grouped with AND, OR and NOT."""
    def group(clause: Clause) -> str:
        return "(" + " OR ".join('"' + " ".join(p).replace('"', '""') + '"' for p in clause.alternatives) + ")"

    kept = [c for c in query.clauses if c.alternatives]
    expression = " AND ".join(group(c) for c in kept if not c.excluded)
    excluded = [group(c) for c in kept if c.excluded]
    return f"({expression}) NOT ({' OR '.join(excluded)})" if excluded else expression


def tsquery_text(query: TextQuery) -> str:
    """to_tsquery syntax over folded words: 'a' <-> 'b' for phrases, | for alternatives, & and ! around them."""
    def lexeme(word: str) -> str:
        return "'" + fold_word(word).replace("\\", "\\\\").replace("'", "''") + "'"

    def group(clause: Clause) -> str:
        body = "(" + " | ".join("(" + " <-> ".join(lexeme(w) for w in p) + ")" for p in clause.alternatives) + ")"
        return "!" + body if clause.excluded else body

    return " & ".join(group(c) for c in query.clauses if c.alternatives)


def expected_matches(query: TextQuery, stats: LexemeStats, *, adjacent: bool = False) -> float:
    """Turns the query should match by the statistics: words independent, as the planner assumes. With `adjacent`,
    a phrase's words are taken to occur together whenever its rarest word occurs (an upper bound)."""
    def phrase_share(phrase: Phrase) -> float:
        shares = [stats.share(fold_word(w)) for w in phrase]
        return min(shares) if adjacent else math.prod(shares)

    share = 1.0
    for clause in query.clauses:
        if clause.alternatives and not clause.excluded:
            share *= min(1.0, sum(phrase_share(p) for p in clause.alternatives))
    return share * stats.rows


def postgres_statement(query: TextQuery, stats: LexemeStats | None, candidates: int) -> str:
    if stats is None:
        return _POSTGRES  # never analyzed: the planner chooses
    if stats.walk_pays(expected_matches(query, stats), candidates):
        return _POSTGRES
    if stats.walk_pays(expected_matches(query, stats, adjacent=True), candidates):
        return _POSTGRES_PROBE
    return _POSTGRES_FETCH


def search_turns(engine: Engine, query: TextQuery, *, limit: int = RESULT_LIMIT,
                 candidates: int = RANKED_CANDIDATES, stats: LexemeStatsCache | None = None) -> list[TurnMatch]:
    """The best `limit` turns for `query`: rank, then the interview's date (newest first).

    On PostgreSQL, `stats` (the word statistics) choose between walking back in time and reading every match;
    without it the planner chooses."""
    if not query.searchable:
        return []
    candidates = max(candidates, limit)
    params: dict[str, Any] = {"limit": limit, "candidates": candidates, "walk": PROBE_WALK}
    with engine.connect() as conn:
        if engine.dialect.name == "sqlite":
            statement, params["query"] = _SQLITE, fts5_expression(query)
        else:
            known = stats.get(conn) if stats is not None else None
            statement, params["query"] = postgres_statement(query, known, candidates), tsquery_text(query)
        rows = conn.execute(sa.text(statement).columns(**_COLUMNS), params).mappings().all()
    return [TurnMatch(**row) for row in rows]


def turns_at(engine: Engine, keys: list[tuple[str, int]]) -> list[TurnMatch]:
    """The turns at these (session id, sequence number) keys, with their interview (rank 0), in no set order."""
    if not keys:
        return []
    t, s, i, sp = schema.transcript_turns, schema.interview_sessions, schema.interviews, schema.interview_speakers
    f = t.alias("f")
    first = sa.select(f.c.timestamp_sec).where(f.c.session_id == s.c.id).order_by(f.c.sequence_no).limit(1)
    query = (sa.select(i.c.id.label("interview_id"), i.c.candidate_name, i.c.role, i.c.scheduled_at,
                       s.c.id.label("session_id"), s.c.started_at.label("session_started_at"),
                       first.scalar_subquery().label("first_timestamp"), t.c.sequence_no, t.c.speaker,
                       sp.c.name.label("speaker_name"), sp.c.role.label("speaker_role"), t.c.content,
                       t.c.timestamp_sec, sa.literal(0.0, sa.Double).label("rank"))
             .select_from(t.join(s, s.c.id == t.c.session_id).join(i, i.c.id == s.c.interview_id)
                          .outerjoin(sp, sa.and_(sp.c.session_id == s.c.id, sp.c.speaker == t.c.speaker)))
             .where(sa.tuple_(t.c.session_id, t.c.sequence_no).in_(keys)))
    with engine.connect() as conn:
        return [TurnMatch(**row) for row in conn.execute(query).mappings()]
