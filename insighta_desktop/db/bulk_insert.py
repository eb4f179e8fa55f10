"""Load many profile rows in one round trip per step: COPY on PostgreSQL, executemany on SQLite.

Both run inside the caller's transaction and never insert a name_key that is already there. One query first reads
which names exist (with the import run and line that inserted them); the new rows are then loaded. On PostgreSQL
the lookup, a savepoint and the start of a COPY go in one round trip (db/copy_after.py) and the COPY sends only the
new rows, straight into `profiles` (as fast as `psql \\copy`); if a concurrent import inserted one of the names in
between, the savepoint is rolled back and the batch goes through a temporary staging table with INSERT ... SELECT
... ON CONFLICT DO NOTHING instead. On SQLite the caller's transaction already holds the write lock (its first
statement is a write), so nothing can slip in between.
"""
from __future__ import annotations

import json
from collections import Counter
from collections.abc import Mapping, Sequence
from datetime import datetime
from itertools import compress, islice, repeat
from typing import TYPE_CHECKING, Any, NamedTuple, TypeVar, cast

from sqlalchemy.engine import Connection

from insighta_desktop.db import schema
from insighta_desktop.db.copy_after import copy_after, literal
from insighta_desktop.db.engine import psycopg_connection, sqlite_connection
from insighta_desktop.db.name_index import words_of
from insighta_desktop.db.profile_rows import PROFILE_COLUMNS
from insighta_desktop.profiles.names import fold

if TYPE_CHECKING:
    import psycopg

_COLUMN_LIST = ", ".join(PROFILE_COLUMNS)
_STAGE = "insighta_profiles_stage"
_NULL = "\\N"

_T = TypeVar("_T")
GroupCounts = Counter[tuple[str, str, int]]  # rows per (country_id, gender, age)


class ProfileBatch(NamedTuple):
    """Rows column by column; ids are 32 hex digits (UUIDv7), one created_at and import run for the batch."""

    ids: list[str]
    names: list[str]
    keys: list[str]
    genders: list[str]
    gender_ps: list[float | None]
    ages: list[int]
    age_groups: list[str]
    country_ids: list[str]
    country_names: list[str]
    country_ps: list[float | None]
    source_lines: list[int]
    created_at: datetime
    import_run_id: int | None

    def select(self, keep: list[bool]) -> ProfileBatch:
        def kept(column: list[_T]) -> list[_T]:
            return list(compress(column, keep))

        return ProfileBatch(kept(self.ids), kept(self.names), kept(self.keys), kept(self.genders),
                            kept(self.gender_ps), kept(self.ages), kept(self.age_groups), kept(self.country_ids),
                            kept(self.country_names), kept(self.country_ps), kept(self.source_lines),
                            self.created_at, self.import_run_id)


class Existing(NamedTuple):
    """A name already in the table, and which import run and line inserted it (None when not an import)."""

    import_run_id: int | None
    source_line: int | None


class LoadResult(NamedTuple):
    inserted: int
    existing: dict[str, Existing]  # name_key -> where the row that holds it came from
    # (country_id, gender, age) of the inserted rows, for profile_counts when the caller keeps them (PostgreSQL)
    counts: GroupCounts = Counter()
    # the words of the inserted names, for the name dictionary when the caller keeps it (PostgreSQL)
    words: frozenset[str] = frozenset()


def _counts(batch: ProfileBatch, keep: set[str] | None = None) -> GroupCounts:
    groups = zip(batch.country_ids, batch.genders, batch.ages, strict=True)
    if keep is None:
        return Counter(groups)
    return Counter(group for group, key in zip(groups, batch.keys, strict=True) if key in keep)


_FIND_SQL_PG = "SELECT name_key, import_run_id, source_line FROM profiles WHERE name_key = ANY(%s)"
_SAVEPOINT = "insighta_copy"


def find_existing(conn: Connection, keys: Sequence[str], *, prelude: Sequence[str] = ()) -> dict[str, Existing]:
    """The stored rows among `keys`; `prelude` (PostgreSQL), statements sent first in the same round trip (a
    BEGIN), pipelined."""
    rows: Sequence[tuple[str, int | None, int | None]]
    if conn.dialect.name == "postgresql":
        sql, keys_param = _FIND_SQL_PG, cast(object, list(keys))
        joined = _one_text(keys)
        if keys and joined is not None:
            # One text parameter split by the server: psycopg dumps a list element by element in Python, which
            # cost more than the lookup itself.
            sql = sql.replace("ANY(%s)", "ANY(string_to_array(%s, E'\\n'))")
            keys_param = joined
        raw = psycopg_connection(conn)
        with raw.cursor() as cur:
            if prelude:
                with raw.pipeline():
                    for statement in prelude:
                        raw.execute(statement)
                    if keys:
                        cur.execute(sql, (keys_param,))
            elif keys:
                cur.execute(sql, (keys_param,))
            rows = cur.fetchall() if keys else []
    elif not keys:
        return {}
    else:
        sql = ("SELECT name_key, import_run_id, source_line FROM profiles "
               "WHERE name_key IN (SELECT value FROM json_each(?))")
        rows = conn.exec_driver_sql(sql, (json.dumps(list(keys)),)).fetchall()
    return {key: Existing(run, line) for key, run, line in rows}


def load_profiles(conn: Connection, batch: ProfileBatch, in_flight: Mapping[str, Existing] | None = None, *,
                  prelude: Sequence[str] = ()) -> LoadResult:
    """Insert the rows whose name_key is not in the table yet; report the others with their origin.

    `in_flight` holds names that another, not yet committed transaction of the same import is inserting: the
    lookup cannot see them, and a COPY of one would wait for that transaction and then fail. `prelude`
    (PostgreSQL): statements sent in the lookup's round trip, before it.
    """
    if conn.dialect.name == "postgresql" and batch.keys:
        return _load_postgresql(conn, batch, in_flight, prelude)
    existing = find_existing(conn, batch.keys, prelude=prelude)
    batch, existing = _new_rows(batch, existing, in_flight)
    if not batch.keys:
        return LoadResult(0, existing)
    return _load_sqlite(conn, batch, existing)


def _new_rows(batch: ProfileBatch, existing: dict[str, Existing],
              in_flight: Mapping[str, Existing] | None) -> tuple[ProfileBatch, dict[str, Existing]]:
    """The batch without the names stored (`existing`) or being inserted (`in_flight`), and all of those names."""
    if in_flight:
        existing.update((key, in_flight[key]) for key in batch.keys if key in in_flight and key not in existing)
    if existing:
        batch = batch.select([key not in existing for key in batch.keys])
    return batch, existing


def search_keys(batch: ProfileBatch) -> list[str]:
    """Each name's search key (profiles.name_search): letters and digits only, so nothing COPY must escape."""
    return [fold(name) for name in batch.names]


def _copy_text(batch: ProfileBatch, search: list[str]) -> bytes:
    n = len(batch.ids)
    names, keys = batch.names, batch.keys
    if "\\" in "".join(names):  # the only COPY-special character a valid name can hold
        names = [name.replace("\\", "\\\\") for name in names]
        keys = [key.replace("\\", "\\\\") for key in keys]
    probability = _ProbabilityText()
    rows = zip(batch.ids, names, keys, batch.genders, map(probability.__getitem__, batch.gender_ps),
               map(_AGE_TEXT.__getitem__, batch.ages), batch.age_groups, batch.country_ids, batch.country_names,
               map(probability.__getitem__, batch.country_ps), repeat(batch.created_at.isoformat(), n),
               repeat(_NULL if batch.import_run_id is None else str(batch.import_run_id), n),
               map(str, batch.source_lines), search, strict=True)
    # Joined a slice at a time: one C call over the whole batch would hold the GIL (and stall the GUI) for
    # tens of milliseconds.
    parts = []
    while piece := list(islice(rows, 2000)):
        parts.append("\n".join(map("\t".join, piece)))
        parts.append("\n")
    return "".join(parts).encode("utf-8")


class _ProbabilityText(dict[float | None, str]):
    def __missing__(self, value: float | None) -> str:
        text = _NULL if value is None else repr(float(value))
        self[value] = text
        return text


_AGE_TEXT = [str(age) for age in range(1000)]


def _load_postgresql(conn: Connection, batch: ProfileBatch, in_flight: Mapping[str, Existing] | None,
                     prelude: Sequence[str]) -> LoadResult:
    """Three round trips: `prelude`, the existence lookup, a savepoint and the COPY's start together (copy_after),
    the COPY's rows once the lookup's answer has said which to send, and the caller's commit."""
    import psycopg

    raw = psycopg_connection(conn)
    keys = batch.keys
    payload, search, existing = b"", [], {}
    # The savepoint is never released (a round trip of its own): the commit ends it with the transaction.
    statements = [*prelude, _find_sql_literal(raw, keys), f"SAVEPOINT {_SAVEPOINT}"]
    try:
        with copy_after(raw, statements, f"COPY profiles ({_COLUMN_LIST}) FROM STDIN") as (answers, copy):
            found = answers[len(prelude)].rows
            existing = {key: Existing(_int(run), _int(line)) for key, run, line in found if key is not None}
            batch, existing = _new_rows(batch, existing, in_flight)
            if batch.keys:  # else the COPY ends with no row: it was started before the lookup's answer came
                search = search_keys(batch)
                payload = _copy_text(batch, search)
                copy.write(payload)
    except psycopg.errors.UniqueViolation:  # a concurrent import inserted one of the names since the lookup
        raw.execute(f"ROLLBACK TO SAVEPOINT {_SAVEPOINT}")
        return _load_postgresql_staged(conn, batch, existing, payload, search)
    if not batch.keys:
        return LoadResult(0, existing)
    return LoadResult(len(batch.ids), existing, _counts(batch), frozenset(words_of(search)))


def _find_sql_literal(raw: psycopg.Connection[Any], keys: Sequence[str]) -> str:
    """The existence lookup with `keys` quoted in it (copy_after sends no parameters)."""
    return _FIND_SQL_PG.replace("%s", _keys_sql(raw, keys))


def _keys_sql(raw: psycopg.Connection[Any], keys: Sequence[str]) -> str:
    """`keys` as an SQL array of literals: one text literal split by the server, as find_existing sends them."""
    joined = _one_text(keys)
    if joined is not None:
        return f"string_to_array({literal(raw, joined)}, E'\\n')"
    return f"ARRAY[{', '.join(literal(raw, key) for key in keys)}]::text[]"


def _one_text(keys: Sequence[str]) -> str | None:
    """`keys` joined by line breaks, for the server to split; None if a key holds one (valid names never do)."""
    joined = "\n".join(keys)
    return joined if joined.count("\n") == len(keys) - 1 else None


def _int(text: str | None) -> int | None:
    return None if text is None else int(text)


def _load_postgresql_staged(conn: Connection, batch: ProfileBatch, existing: dict[str, Existing],
                            payload: bytes, search: list[str]) -> LoadResult:
    raw = psycopg_connection(conn)
    with raw.cursor() as cur:
        cur.execute(f"CREATE TEMP TABLE IF NOT EXISTS {_STAGE} (LIKE profiles INCLUDING DEFAULTS) "
                    "ON COMMIT DELETE ROWS")
        cur.execute(f"TRUNCATE {_STAGE}")
        with cur.copy(f"COPY {_STAGE} ({_COLUMN_LIST}) FROM STDIN") as copy:
            copy.write(payload)
        cur.execute(f"INSERT INTO profiles ({_COLUMN_LIST}) SELECT {_COLUMN_LIST} FROM {_STAGE} "
                    "ON CONFLICT (name_key) DO NOTHING RETURNING name_key")
        inserted = {row[0] for row in cur.fetchall()}
    lost = [key for key in batch.keys if key not in inserted]
    if lost:
        found = find_existing(conn, lost)
        # A conflicting row deleted again since: still a conflict, of unknown origin.
        existing = {**existing, **{key: found.get(key, Existing(None, None)) for key in lost}}
    kept = frozenset(words_of(key for key, name_key in zip(search, batch.keys, strict=True) if name_key in inserted))
    return LoadResult(len(inserted), existing, _counts(batch, inserted), kept)


def _load_sqlite(conn: Connection, batch: ProfileBatch, existing: dict[str, Existing]) -> LoadResult:
    dialect = conn.dialect
    created = schema.profiles.c.created_at.type.dialect_impl(dialect).bind_processor(dialect)
    created_at = created(batch.created_at) if created else batch.created_at
    n = len(batch.ids)
    rows = list(zip(batch.ids, batch.names, batch.keys, batch.genders, batch.gender_ps, batch.ages,
                    batch.age_groups, batch.country_ids, batch.country_names, batch.country_ps,
                    repeat(created_at, n), repeat(batch.import_run_id, n), batch.source_lines, search_keys(batch),
                    strict=True))
    placeholders = ", ".join("?" * len(PROFILE_COLUMNS))
    cursor = sqlite_connection(conn).cursor()
    try:
        # rowcount, unlike total_changes, leaves out rows written by triggers.
        cursor.executemany(f"INSERT INTO profiles ({_COLUMN_LIST}) VALUES ({placeholders}) "
                           "ON CONFLICT (name_key) DO NOTHING", rows)
        inserted = cursor.rowcount
    finally:
        cursor.close()
    return LoadResult(inserted, existing)
