"""Several SQLAlchemy Core SELECTs in one round trip: on PostgreSQL they are sent together in psycopg's pipeline mode
on one autocommit connection (no BEGIN/ROLLBACK either) and answered together; on SQLite (no network) they run one
after another on one connection. Rows come back as named tuples with the columns' result types applied (aware UTC
datetimes, as through SQLAlchemy)."""
from __future__ import annotations

from collections import namedtuple
from collections.abc import Callable, Sequence
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from insighta_desktop.db.engine import psycopg_connection


def read_together(engine: Engine, statements: Sequence[sa.Select[Any]]) -> list[list[Any]]:
    """Each statement's rows, in order."""
    if engine.dialect.name != "postgresql":
        with engine.connect() as conn:
            return [list(conn.execute(statement)) for statement in statements]
    compiled = [statement.compile(dialect=engine.dialect) for statement in statements]
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        raw = psycopg_connection(conn)
        cursors = [raw.cursor() for _ in compiled]
        with raw.pipeline():
            for cursor, query in zip(cursors, compiled, strict=True):
                cursor.execute(query.string, query.params)
        answers = [cursor.fetchall() for cursor in cursors]
    return [_typed(statement, rows, engine) for statement, rows in zip(statements, answers, strict=True)]


def _typed(statement: sa.Select[Any], rows: list[Any], engine: Engine) -> list[Any]:
    columns = list(statement.selected_columns)
    names = [c.key or f"c{i}" for i, c in enumerate(columns)]
    row_type = namedtuple("Row", names, rename=True)  # type: ignore[misc]  # the names are known at run time only
    processors: list[Callable[[Any], Any] | None] = [c.type.result_processor(engine.dialect, None) for c in columns]
    if not any(processors):
        return [row_type(*row) for row in rows]
    return [row_type(*(p(v) if p is not None else v for p, v in zip(processors, row, strict=True))) for row in rows]
