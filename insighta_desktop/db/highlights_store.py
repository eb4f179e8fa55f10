"""Every SQL statement of transcript highlights (blocking: the highlight service runs them on a worker thread)."""
from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine

from insighta_desktop.db import schema
from insighta_desktop.interviews.model import Highlight
from insighta_desktop.timestamps import as_utc

highlights_t = schema.interview_highlights


class HighlightNotFound(LookupError):
    transient = False


def _highlight(row: Any) -> Highlight:
    return Highlight(row.id, row.interview_id, row.first_turn_id, row.last_turn_id, row.note, as_utc(row.created_at))


def add_highlight(engine: Engine, highlight: Highlight) -> Highlight:
    with engine.begin() as conn:
        conn.execute(highlights_t.insert().values(
            id=highlight.id, interview_id=highlight.interview_id, first_turn_id=highlight.first_turn_id,
            last_turn_id=highlight.last_turn_id, note=highlight.note, created_at=highlight.created_at))
    return highlight


def list_highlights(engine: Engine, interview_ids: Sequence[str]) -> list[Highlight]:
    """The highlights of these interviews (one statement), oldest first."""
    if not interview_ids:
        return []
    with engine.connect() as conn:
        return highlights_of(conn, interview_ids)


def highlights_of(conn: Connection, interview_ids: Sequence[str]) -> list[Highlight]:
    """list_highlights on a connection the caller holds (to read them with other rows in one go)."""
    query = (sa.select(highlights_t).where(highlights_t.c.interview_id.in_(list(interview_ids)))
             .order_by(highlights_t.c.created_at, highlights_t.c.id))
    return [_highlight(row) for row in conn.execute(query)]


def delete_highlight(engine: Engine, highlight_id: str) -> Highlight:
    """Delete one highlight and return what it was; HighlightNotFound when there is none with that id."""
    with engine.begin() as conn:  # one statement: DELETE … RETURNING (SQLite 3.35+, PostgreSQL)
        row = conn.execute(highlights_t.delete().where(highlights_t.c.id == highlight_id)
                           .returning(*highlights_t.c)).first()
    if row is None:
        raise HighlightNotFound(f"No highlight with id {highlight_id}")
    return _highlight(row)
