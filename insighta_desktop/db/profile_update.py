"""Overwrite stored profiles with an import's values (`--on-duplicate update`), keeping each one's id and created_at.

The stored values of the names are read first (one query), so the caller learns how many profiles the file changed
and how many it held as they were; then every one of those rows is written in one statement: on PostgreSQL a COPY
into a temporary table (started in the round trip of that read) and one UPDATE … FROM, on SQLite one executemany.
The row's import_run_id and source_line become the run's and line's, so a later line of the same file with the same
name is a repeat of it, as for an inserted name (a name found unchanged is not rewritten: the importer remembers
it, ingest/duplicates.py). profile_counts follow through the update triggers (statement-level with transition
tables on PostgreSQL, per row on SQLite).
"""
from __future__ import annotations

import json
from collections.abc import Collection, Sequence
from typing import Any, NamedTuple

from sqlalchemy.engine import Connection

from insighta_desktop.db.bulk_insert import ProfileBatch, _copy_text, _keys_sql, search_keys
from insighta_desktop.db.copy_after import copy_after
from insighta_desktop.db.engine import psycopg_connection, sqlite_connection
from insighta_desktop.db.profile_rows import PROFILE_COLUMNS

# What an update may change, in this order (ProfileBatch's columns, compared with the stored ones).
UPDATED_COLUMNS = ("name", "gender", "gender_probability", "age", "age_group", "country_id", "country_name",
                   "country_probability")
_STAGE = "insighta_profiles_update_stage"
_ASSIGN = ", ".join(f"{c} = s.{c}" for c in (*UPDATED_COLUMNS, "import_run_id", "source_line"))


class UpdateResult(NamedTuple):
    updated: int  # rows whose values changed
    unchanged: int  # rows that held the file's values already
    keys: frozenset[str]  # the names found (updated or unchanged; a name gone from the table since is not among them)
    unchanged_keys: frozenset[str] = frozenset()  # the names found unchanged: not written


def stored_values(conn: Connection, keys: Sequence[str]) -> dict[str, tuple[Any, ...]]:
    """name_key -> the stored UPDATED_COLUMNS of those names."""
    if not keys:
        return {}
    columns = ", ".join(UPDATED_COLUMNS)
    rows: Sequence[Sequence[Any]]
    if conn.dialect.name == "postgresql":
        with psycopg_connection(conn).cursor() as cur:
            cur.execute(f"SELECT name_key, {columns} FROM profiles WHERE name_key = ANY(%s)", (list(keys),))
            rows = cur.fetchall()
    else:
        rows = conn.exec_driver_sql(f"SELECT name_key, {columns} FROM profiles "
                                    "WHERE name_key IN (SELECT value FROM json_each(?))",
                                    (json.dumps(list(keys)),)).fetchall()
    return {row[0]: tuple(row[1:]) for row in rows}


def file_values(batch: ProfileBatch) -> dict[str, tuple[Any, ...]]:
    """name_key -> the batch's UPDATED_COLUMNS."""
    return {key: tuple(values) for key, *values in zip(
        batch.keys, batch.names, batch.genders, batch.gender_ps, batch.ages, batch.age_groups, batch.country_ids,
        batch.country_names, batch.country_ps, strict=True)}


def count_changes(stored: dict[str, tuple[Any, ...]], incoming: dict[str, tuple[Any, ...]]) -> tuple[int, int]:
    """(changed, unchanged) among the names both hold."""
    changed = sum(1 for key, values in incoming.items() if key in stored and stored[key] != values)
    both = sum(1 for key in incoming if key in stored)
    return changed, both - changed


def update_profiles(conn: Connection, batch: ProfileBatch, keys: Collection[str]) -> UpdateResult:
    """Write the batch's values over the stored profiles of `keys` (names the table holds) whose values differ, in
    the caller's transaction. A profile that holds the file's values already is left as it is (rewriting it would
    cost a new row version and an entry in every index, for nothing)."""
    wanted = set(keys)
    chosen = batch.select([key in wanted for key in batch.keys])
    if not chosen.keys:
        return UpdateResult(0, 0, frozenset())
    if conn.dialect.name == "postgresql":
        return _update_postgresql(conn, chosen)
    stored = stored_values(conn, chosen.keys)
    changed, result = _changes(chosen, stored)
    if changed.keys:
        _update_sqlite(conn, changed)
    return result


def _changes(chosen: ProfileBatch, stored: dict[str, tuple[Any, ...]]) -> tuple[ProfileBatch, UpdateResult]:
    """The rows of `chosen` whose stored values differ, and the outcome."""
    incoming = file_values(chosen)
    found = frozenset(key for key in chosen.keys if key in stored)
    same = frozenset(key for key in found if stored[key] == incoming[key])
    changed = chosen.select([key in found and key not in same for key in chosen.keys])
    return changed, UpdateResult(len(found) - len(same), len(same), found, same)


def _update_postgresql(conn: Connection, chosen: ProfileBatch) -> UpdateResult:
    """Three round trips: the staging table's creation and emptying, the stored values' read and the COPY's start
    together (db/copy_after.py); the changed rows, which that read decides (none: the COPY ends empty); ANALYZE and
    the UPDATE, pipelined."""
    raw = psycopg_connection(conn)
    columns = ", ".join(UPDATED_COLUMNS)
    statements = [f"CREATE TEMP TABLE IF NOT EXISTS {_STAGE} (LIKE profiles INCLUDING DEFAULTS) ON COMMIT DELETE ROWS",
                  f"TRUNCATE {_STAGE}",
                  f"SELECT name_key, {columns} FROM profiles WHERE name_key = ANY({_keys_sql(raw, chosen.keys)})"]
    with copy_after(raw, statements, f"COPY {_STAGE} ({', '.join(PROFILE_COLUMNS)}) FROM STDIN") as (answers, copy):
        stored = {row[0]: _typed(row[1:]) for row in answers[2].rows if row[0] is not None}
        changed, result = _changes(chosen, stored)
        if changed.keys:
            # name_search is not assigned: a name with the same name_key folds to the same search key.
            copy.write(_copy_text(changed, search_keys(changed)))
    if changed.keys:
        with raw.pipeline():
            # Statistics for the planner: without them it guesses the fresh table's size and may scan profiles once
            # per staged row instead of joining (1.8 s instead of tens of milliseconds for 3,000 rows).
            raw.execute(f"ANALYZE {_STAGE}")
            # Sorted by name_key: one lock order for every writer of these rows.
            raw.execute(f"UPDATE profiles p SET {_ASSIGN} FROM (SELECT * FROM {_STAGE} ORDER BY name_key) s "
                        "WHERE p.name_key = s.name_key")
    return result


def _typed(values: Sequence[str | None]) -> tuple[Any, ...]:
    """UPDATED_COLUMNS read as text (the simple query protocol) as the batch holds them."""
    name, gender, gender_p, age, age_group, country_id, country_name, country_p = values
    return (name, gender, None if gender_p is None else float(gender_p), None if age is None else int(age),
            age_group, country_id, country_name, None if country_p is None else float(country_p))


def _update_sqlite(conn: Connection, batch: ProfileBatch) -> None:
    rows = list(zip(batch.names, batch.genders, batch.gender_ps, batch.ages, batch.age_groups, batch.country_ids,
                    batch.country_names, batch.country_ps, [batch.import_run_id] * len(batch.keys),
                    batch.source_lines, batch.keys, strict=True))
    assign = ", ".join(f"{c} = ?" for c in (*UPDATED_COLUMNS, "import_run_id", "source_line"))
    cursor = sqlite_connection(conn).cursor()
    try:
        cursor.executemany(f"UPDATE profiles SET {assign} WHERE name_key = ?", rows)
    finally:
        cursor.close()
