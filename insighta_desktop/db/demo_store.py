"""Statements of the demo set's loader (demo/loader.py): rows arrive as plain mappings of column values."""
from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine

from insighta_desktop.db import schema
from insighta_desktop.profiles.names import fold

Row = Mapping[str, Any]


def database_is_empty(engine: Engine) -> bool:
    """No profile and no interview yet."""
    with engine.connect() as conn:
        for table in (schema.profiles, schema.interviews):
            if conn.execute(sa.select(sa.literal(1)).select_from(table).limit(1)).first():
                return False
    return True


def insert_new_profiles(engine: Engine, rows: Sequence[Row]) -> int:
    """Insert the rows (every stored profile column) whose name_key is not taken yet, in one transaction."""
    with engine.begin() as conn:
        existing = set(conn.execute(sa.select(schema.profiles.c.name_key)
                                    .where(schema.profiles.c.name_key.in_([r["name_key"] for r in rows])))
                       .scalars())
        fresh = [{**r, "name_search": fold(r["name"])} for r in rows if r["name_key"] not in existing]
        if fresh:
            conn.execute(schema.profiles.insert(), fresh)
    return len(fresh)


class DemoInterviewWriter:
    """Inserts demo interviews inside one transaction."""

    def __init__(self, conn: Connection) -> None:
        self._conn = conn

    def known_ids(self) -> set[str]:
        return set(self._conn.execute(sa.select(schema.interviews.c.id)).scalars())

    def add(self, interview: Row, session: Row | None, turns: Sequence[Row], assessment: Row | None) -> None:
        self._conn.execute(schema.interviews.insert().values(**interview))
        if session is not None:
            self._conn.execute(schema.interview_sessions.insert().values(**session))
        if turns:
            self._conn.execute(schema.transcript_turns.insert(), list(turns))
        if assessment is not None:
            self._conn.execute(schema.assessments.insert().values(**assessment))


@contextmanager
def demo_interview_writer(engine: Engine) -> Iterator[DemoInterviewWriter]:
    with engine.begin() as conn:
        yield DemoInterviewWriter(conn)
