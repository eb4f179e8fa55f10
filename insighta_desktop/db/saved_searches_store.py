"""Every SQL statement of saved searches and search history (blocking: callers run them on worker threads).

Both live in the database the user works on, so a team sharing one PostgreSQL shares its saved searches.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from insighta_desktop.db import schema
from insighta_desktop.timestamps import as_utc

saved_t = schema.saved_searches
history_t = schema.search_history


@dataclass(frozen=True)
class StoredSearch:
    """A row of either table: its name ("" in the history), the text typed, the filters as JSON, and when."""

    name: str
    query: str
    filters_json: str
    at: datetime


def name_key(name: str) -> str:
    return " ".join(name.split()).casefold()


def upsert_saved(engine: Engine, name: str, query: str, filters_json: str, at: datetime) -> bool:
    """Save under `name` (any case and spacing is the same name); True when it replaced one."""
    key = name_key(name)
    with engine.begin() as conn:
        replaced = conn.execute(saved_t.update().where(saved_t.c.name_key == key).values(
            name=name, query=query, filters_json=filters_json, saved_at=at)).rowcount
        if not replaced:
            conn.execute(saved_t.insert().values(name_key=key, name=name, query=query, filters_json=filters_json,
                                                 saved_at=at))
    return bool(replaced)


def get_saved(engine: Engine, name: str) -> StoredSearch | None:
    with engine.connect() as conn:
        row = conn.execute(sa.select(saved_t).where(saved_t.c.name_key == name_key(name))).first()
    return None if row is None else _saved(row)


def list_saved(engine: Engine) -> list[StoredSearch]:
    with engine.connect() as conn:
        return [_saved(row) for row in conn.execute(sa.select(saved_t).order_by(saved_t.c.name_key))]


def delete_saved(engine: Engine, name: str) -> bool:
    with engine.begin() as conn:
        return bool(conn.execute(saved_t.delete().where(saved_t.c.name_key == name_key(name))).rowcount)


def add_history(engine: Engine, query: str, filters_json: str, at: datetime, keep: int) -> None:
    """Append a search; the same filters as the latest entry replace it (typing refines one search). Only the
    newest `keep` entries stay. On PostgreSQL one statement outside a transaction block: one round trip."""
    if engine.dialect.name == "postgresql":
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.execute(_ADD_HISTORY_PG, {"query": query, "filters": filters_json, "at": at, "older": keep - 1})
        return
    with engine.begin() as conn:
        latest = conn.execute(sa.select(history_t.c.id, history_t.c.filters_json)
                              .order_by(history_t.c.id.desc()).limit(1)).first()
        if latest is not None and latest.filters_json == filters_json:
            conn.execute(history_t.update().where(history_t.c.id == latest.id).values(query=query, searched_at=at))
            return
        conn.execute(history_t.insert().values(query=query, filters_json=filters_json, searched_at=at))
        cutoff = sa.select(history_t.c.id).order_by(history_t.c.id.desc()).offset(keep).limit(1).scalar_subquery()
        conn.execute(history_t.delete().where(history_t.c.id <= cutoff))


# The same in one statement: the latest entry updated when its filters are the same, else a new entry and the
# entries past the newest `older` before it deleted (the statement's snapshot holds only the entries before it).
_ADD_HISTORY_PG = sa.text("""
WITH latest AS (SELECT id, filters_json FROM search_history ORDER BY id DESC LIMIT 1),
refined AS (
    UPDATE search_history h SET query = :query, searched_at = :at FROM latest
    WHERE h.id = latest.id AND latest.filters_json = :filters RETURNING h.id),
added AS (
    INSERT INTO search_history (query, filters_json, searched_at)
    SELECT :query, :filters, :at WHERE NOT EXISTS (SELECT 1 FROM refined) RETURNING id)
DELETE FROM search_history
WHERE EXISTS (SELECT 1 FROM added)
  AND id <= (SELECT id FROM search_history ORDER BY id DESC OFFSET :older LIMIT 1)
""").bindparams(sa.bindparam("at", type_=history_t.c.searched_at.type))


def list_history(engine: Engine, limit: int) -> list[StoredSearch]:
    """The newest `limit` searches, newest first."""
    with engine.connect() as conn:
        rows = conn.execute(sa.select(history_t).order_by(history_t.c.id.desc()).limit(limit))
        return [StoredSearch("", row.query, row.filters_json, as_utc(row.searched_at)) for row in rows]


def _saved(row: Any) -> StoredSearch:
    return StoredSearch(row.name, row.query, row.filters_json, as_utc(row.saved_at))
