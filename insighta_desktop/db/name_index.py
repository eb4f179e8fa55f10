"""Name search storage: the words of each profile's name, a dictionary of distinct words, and the fuzzy index.

- profiles.name_search holds the folded name (profiles/names.py `fold`), written by the profile store with each row.
- profile_name_words (word, profile_id) holds each of its words, kept by triggers on both back ends (PostgreSQL:
  statement triggers with transition tables, so one COPY costs one INSERT ... SELECT; SQLite: row triggers that
  split the key with json_each, safe because a folded key holds only letters, digits and single spaces). Its
  primary key answers a prefix of any word of the name as a range scan: word >= 'kab' AND word < 'kab' || U+10FFFF
  (binary order on SQLite, collation "C" on PostgreSQL).
- name_words holds each distinct word, for the fuzzy match when no word starts with what was typed: a pg_trgm GIN
  index on PostgreSQL (when the extension can be created: CREATE EXTENSION needs a privileged role; without it,
  name search is prefix only), an FTS5 trigram table on SQLite (SQLite 3.34+, else prefix only). It only grows:
  a word whose last profile was deleted stays, and a fuzzy match to it finds no row.
  The importer writes two batches at once and commits them in order; a dictionary insert in the later batch could
  wait for the earlier one while that one waits to commit after it, so the importer's transactions leave the
  dictionary to the caller (add_name_words, in commit order), as they do profile_counts.
Every statement is idempotent: install_name_index runs on create, after the upgrade step and after each upgrade.
"""
from __future__ import annotations

import logging
import sqlite3
from collections.abc import Collection, Iterable

from sqlalchemy.engine import Connection

from insighta_desktop.db.engine import psycopg_connection, sqlite_connection
from insighta_desktop.profiles.names import fold

log = logging.getLogger(__name__)

WORDS = "profile_name_words"
DICTIONARY = "name_words"
PG_TRGM_INDEX = "ix_name_words_trgm"
SQLITE_FTS = "name_words_fts"
SQLITE_TRIGRAM_VERSION = (3, 34, 0)

_SPLIT_NEW = "unnest(string_to_array(n.name_search, ' '))"
# The insert trigger adds a statement's words in the primary key's order: each leaf page of the index is then
# filled in one visit rather than revisited for every profile (300,000 rows loaded by COPY: 37 s -> 31 s).
_PG_FUNCTIONS = [
    f"""
    CREATE OR REPLACE FUNCTION insighta_name_words_insert() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        INSERT INTO {WORDS} (word, profile_id)
        SELECT DISTINCT w, n.id FROM new_rows n, {_SPLIT_NEW} w WHERE w <> '' ORDER BY 1, 2;
        IF current_setting('insighta.counts_by_caller', true) IS DISTINCT FROM 'on' THEN
            INSERT INTO {DICTIONARY} (word) SELECT DISTINCT w FROM new_rows n, {_SPLIT_NEW} w WHERE w <> ''
            ORDER BY 1 ON CONFLICT DO NOTHING;
        END IF;
        RETURN NULL;
    END $$
    """,
    f"""
    CREATE OR REPLACE FUNCTION insighta_name_words_delete() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        DELETE FROM {WORDS} p USING (
            SELECT DISTINCT w, o.id FROM old_rows o, unnest(string_to_array(o.name_search, ' ')) w) g
        WHERE p.word = g.w AND p.profile_id = g.id;
        RETURN NULL;
    END $$
    """,
    # An UPDATE that leaves every name alone (the importer's update mode never assigns name_search) costs one hash
    # join of the transition tables. The changed rows are read once into arrays: a join of the transition tables
    # in each statement was planned as a nested loop, and the word deletes then as a scan of the whole word table.
    f"""
    CREATE OR REPLACE FUNCTION insighta_name_words_update() RETURNS trigger LANGUAGE plpgsql AS $$
    DECLARE
        ids uuid[];
        keys text[];
    BEGIN
        SELECT array_agg(n.id), array_agg(n.name_search) INTO ids, keys
        FROM new_rows n JOIN old_rows o ON o.id = n.id WHERE n.name_search IS DISTINCT FROM o.name_search;
        IF ids IS NULL THEN
            RETURN NULL;
        END IF;
        DELETE FROM {WORDS} WHERE profile_id = ANY(ids);
        INSERT INTO {WORDS} (word, profile_id)
        SELECT DISTINCT w, c.id FROM unnest(ids, keys) c(id, s), unnest(string_to_array(c.s, ' ')) w
        WHERE w <> '' ON CONFLICT DO NOTHING;
        INSERT INTO {DICTIONARY} (word)
        SELECT DISTINCT w FROM unnest(keys) c(s), unnest(string_to_array(c.s, ' ')) w
        WHERE w <> '' ORDER BY 1 ON CONFLICT DO NOTHING;
        RETURN NULL;
    END $$
    """,
    f"""
    CREATE OR REPLACE FUNCTION insighta_name_words_truncate() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        DELETE FROM {WORDS};
        DELETE FROM {DICTIONARY};
        RETURN NULL;
    END $$
    """,
]
_PG_TRIGGERS = {
    "insighta_name_words_insert": "AFTER INSERT ON profiles REFERENCING NEW TABLE AS new_rows "
                                  "FOR EACH STATEMENT EXECUTE FUNCTION insighta_name_words_insert()",
    "insighta_name_words_delete": "AFTER DELETE ON profiles REFERENCING OLD TABLE AS old_rows "
                                  "FOR EACH STATEMENT EXECUTE FUNCTION insighta_name_words_delete()",
    "insighta_name_words_update": "AFTER UPDATE ON profiles REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows "
                                  "FOR EACH STATEMENT EXECUTE FUNCTION insighta_name_words_update()",
    "insighta_name_words_truncate": "AFTER TRUNCATE ON profiles "
                                    "FOR EACH STATEMENT EXECUTE FUNCTION insighta_name_words_truncate()",
}


def _sqlite_words(key: str) -> str:
    """The words of a folded key (`NEW.name_search`) as json_each rows: '["amara","obi"]'."""
    return f"""json_each('["' || replace({key}, ' ', '","') || '"]')"""


_SQLITE_ADD = (f"INSERT OR IGNORE INTO {WORDS} (word, profile_id) "
               f"SELECT value, NEW.id FROM {_sqlite_words('NEW.name_search')} WHERE value <> ''; "
               f"INSERT OR IGNORE INTO {DICTIONARY} (word) "
               f"SELECT value FROM {_sqlite_words('NEW.name_search')} WHERE value <> '';")
_SQLITE_REMOVE = (f"DELETE FROM {WORDS} WHERE profile_id = OLD.id "
                  f"AND word IN (SELECT value FROM {_sqlite_words('OLD.name_search')});")
_SQLITE_TRIGGERS = {
    "insighta_name_words_insert": f"AFTER INSERT ON profiles WHEN NEW.name_search IS NOT NULL "
                                  f"BEGIN {_SQLITE_ADD} END",
    "insighta_name_words_delete": f"AFTER DELETE ON profiles WHEN OLD.name_search IS NOT NULL "
                                  f"BEGIN {_SQLITE_REMOVE} END",
    "insighta_name_words_update": "AFTER UPDATE OF name_search ON profiles "
                                  "WHEN NEW.name_search IS NOT OLD.name_search BEGIN "
                                  f"{_SQLITE_REMOVE} {_SQLITE_ADD} END",
}
_SQLITE_FTS_TRIGGER = (f"CREATE TRIGGER IF NOT EXISTS {SQLITE_FTS}_insert AFTER INSERT ON {DICTIONARY} "
                       f"BEGIN INSERT INTO {SQLITE_FTS} (word) VALUES (NEW.word); END")


def _has_table(conn: Connection, name: str) -> bool:
    if conn.dialect.name == "postgresql":
        return conn.exec_driver_sql("SELECT to_regclass(%(n)s) IS NOT NULL", {"n": name}).scalar_one() is True
    return conn.exec_driver_sql("SELECT 1 FROM sqlite_master WHERE name = ?", (name,)).first() is not None


def install_name_index(conn: Connection) -> None:
    """The triggers and the fuzzy index, once the name tables exist (a database before version 9 has none)."""
    if not _has_table(conn, WORDS):
        return
    # (created with the table since; a database made by the first build of version 9 gains it here)
    conn.exec_driver_sql(f"CREATE INDEX IF NOT EXISTS ix_profile_name_words_profile ON {WORDS} (profile_id, word)")
    if conn.dialect.name == "postgresql":
        for ddl in _PG_FUNCTIONS:
            conn.exec_driver_sql(ddl)
        for name, body in _PG_TRIGGERS.items():
            conn.exec_driver_sql(f"DROP TRIGGER IF EXISTS {name} ON profiles")
            conn.exec_driver_sql(f"CREATE TRIGGER {name} {body}")
        # Word frequencies for the planner: how many profiles a name word matches decides between walking the sort
        # order's index and reading the matches (a name's words repeat across many profiles).
        conn.exec_driver_sql(f"ALTER TABLE {WORDS} ALTER COLUMN word SET STATISTICS 1000")
        _create_pg_trgm_index(conn)
        return
    for name, body in _SQLITE_TRIGGERS.items():
        conn.exec_driver_sql(f"DROP TRIGGER IF EXISTS {name}")
        conn.exec_driver_sql(f"CREATE TRIGGER {name} {body}")
    _create_sqlite_fts(conn)


def pg_trgm_schema(conn: Connection) -> str | None:
    """The schema pg_trgm is installed in, or None."""
    found = conn.exec_driver_sql("SELECT extnamespace::regnamespace::text FROM pg_extension "
                                 "WHERE extname = 'pg_trgm'").first()
    return str(found[0]) if found else None


def _create_pg_trgm_index(conn: Connection) -> None:
    ext = pg_trgm_schema(conn)
    if ext is None:
        for ddl in ("CREATE EXTENSION IF NOT EXISTS pg_trgm WITH SCHEMA public",
                    "CREATE EXTENSION IF NOT EXISTS pg_trgm"):
            savepoint = conn.begin_nested()
            try:
                conn.exec_driver_sql(ddl)
            except Exception as exc:  # not allowed for this role, or not installed on the server: prefix only
                savepoint.rollback()
                log.info("pg_trgm is not available (%s); name search is prefix only", str(exc).splitlines()[0])
                continue
            savepoint.commit()
            break
        ext = pg_trgm_schema(conn)
    if ext is not None:
        conn.exec_driver_sql(f"CREATE INDEX IF NOT EXISTS {PG_TRGM_INDEX} ON {DICTIONARY} "
                             f"USING gin (word {ext}.gin_trgm_ops)")


def sqlite_has_trigram() -> bool:
    return sqlite3.sqlite_version_info >= SQLITE_TRIGRAM_VERSION


def _create_sqlite_fts(conn: Connection) -> None:
    if not sqlite_has_trigram():
        log.info("SQLite %s has no FTS5 trigram tokenizer; name search is prefix only", sqlite3.sqlite_version)
        return
    if _has_table(conn, SQLITE_FTS):
        conn.exec_driver_sql(_SQLITE_FTS_TRIGGER)
        return
    try:
        conn.exec_driver_sql(f"CREATE VIRTUAL TABLE {SQLITE_FTS} USING fts5(word, tokenize='trigram')")
    except Exception as exc:  # built without FTS5: prefix only
        log.info("No FTS5 trigram table (%s); name search is prefix only", exc)
        return
    conn.exec_driver_sql(f"INSERT INTO {SQLITE_FTS} (word) SELECT word FROM {DICTIONARY}")
    conn.exec_driver_sql(_SQLITE_FTS_TRIGGER)


def add_name_words(conn: Connection, words: Collection[str]) -> None:
    """PostgreSQL importer: add its words to the dictionary just before committing (in commit order)."""
    if not words:
        return
    with psycopg_connection(conn).cursor() as cur:
        cur.execute(f"INSERT INTO {DICTIONARY} (word) SELECT unnest(%s::text[]) ORDER BY 1 ON CONFLICT DO NOTHING",
                    (sorted(words),))


def words_of(keys: Iterable[str]) -> set[str]:
    return {w for key in keys for w in key.split()}


# -- the upgrade step ------------------------------------------------------------------------------------------------
_BACKFILL_BATCH = 20_000


def add_name_search(conn: Connection) -> None:
    """Version 9: profiles.name_search, the word tables, then every existing row's key and words.

    PostgreSQL: one UPDATE folds the ASCII names in SQL (lower case, every run of other characters a space: what
    `fold` does to ASCII), then the few others are folded in Python; SQLite: batches of rows by rowid. The
    profile_counts update trigger is dropped for the backfill (the counts do not change) and comes back with
    install_triggers after the upgrade; the word triggers do not exist yet, so the words are filled here in one
    INSERT ... SELECT each.
    """
    from insighta_desktop.db import schema

    conn.exec_driver_sql("ALTER TABLE profiles ADD COLUMN name_search VARCHAR(200)")
    schema.metadata.create_all(conn, tables=[schema.profile_name_words, schema.name_words])
    if conn.dialect.name == "postgresql":
        conn.exec_driver_sql("DROP TRIGGER IF EXISTS insighta_profile_counts_update ON profiles")
        conn.exec_driver_sql("UPDATE profiles SET name_search = btrim(regexp_replace(lower(name), '[^a-z0-9]+', ' ', "
                             "'g')) WHERE octet_length(name) = char_length(name)")
        _fold_in_python(conn)
        conn.exec_driver_sql(f"INSERT INTO {WORDS} (word, profile_id) SELECT DISTINCT w, n.id FROM profiles n, "
                             f"{_SPLIT_NEW} w WHERE w <> ''")
    else:
        conn.exec_driver_sql("DROP TRIGGER IF EXISTS insighta_profile_counts_update")
        last = 0
        while True:
            rows = conn.exec_driver_sql("SELECT rowid, name FROM profiles WHERE rowid > ? ORDER BY rowid LIMIT ?",
                                        (last, _BACKFILL_BATCH)).all()
            if not rows:
                break
            sqlite_connection(conn).executemany("UPDATE profiles SET name_search = ? WHERE rowid = ?",
                                                [(fold(name), rowid) for rowid, name in rows])
            last = rows[-1][0]
        conn.exec_driver_sql(f"INSERT OR IGNORE INTO {WORDS} (word, profile_id) SELECT j.value, p.id FROM profiles p, "
                             f"{_sqlite_words('p.name_search')} j WHERE j.value <> ''")
    conn.exec_driver_sql(f"INSERT INTO {DICTIONARY} (word) SELECT DISTINCT word FROM {WORDS}")


def _fold_in_python(conn: Connection) -> None:
    """PostgreSQL: the names the ASCII UPDATE left (any with a non-ASCII character), folded here."""
    rows = conn.exec_driver_sql("SELECT id, name FROM profiles WHERE name_search IS NULL").all()
    for start in range(0, len(rows), _BACKFILL_BATCH):
        chunk = rows[start:start + _BACKFILL_BATCH]
        with psycopg_connection(conn).cursor() as cur:
            cur.executemany("UPDATE profiles SET name_search = %s WHERE id = %s",
                            [(fold(name), pid) for pid, name in chunk])
