"""The full-text index over transcript turns: its DDL on each back end and its one normalisation of words.

Both back ends index the same words: letters and digits, lower case, Latin accents removed ("Zürich" is found by
"zurich"), everything else a separator ("Node.js" is the words node and js, "C++" is c, "real-time" is real time).

- PostgreSQL: a stored generated `tsvector` column (config 'simple', no stemming, no stop words) with a GIN index,
  and a b-tree on the turn's time. The column rather than a GIN expression index: ranking reads each candidate's
  vector, and recomputing the expression for 2,000 candidates costs ~100 µs each (0.2 s) where reading it is free.
- SQLite: an FTS5 external-content table over `transcript_turns` (tokenizer unicode61, diacritics removed), kept in
  step by triggers, so any insert, delete or update of a turn (an import, a MeetMind sync, a cascade) is indexed in
  the same transaction. It is keyed by the turns' rowid, which VACUUM keeps (SQLite's transfer optimisation); a
  tool that renumbered rowids would need `rebuild_transcript_index`.
Every statement is idempotent: it runs on create, in the upgrade step, and after each upgrade.
"""
from __future__ import annotations

from sqlalchemy.engine import Connection

FTS_TABLE = "transcript_turns_fts"
SEARCH_COLUMN = "search_vector"

# Lower-case Latin letters whose decomposition is an ASCII letter plus accents, mapped to that letter. The same map
# folds the query's words (PostgreSQL) and is what SQLite's unicode61 tokenizer removes with remove_diacritics 2.
FOLD_FROM = ("àáâãäåçèéêëìíîïñòóôõöùúûüýÿāăąćĉċčďēĕėęěĝğġģĥĩīĭįĵķĺļľńņňōŏőŕŗřśŝşšţťũūŭůűųŵŷźżžơưǎǐǒǔǖǘǚǜǟǧǩǫǭǰǵǹǻ"
             "ȁȃȅȇȉȋȍȏȑȓȕȗșțȟȧȩȫȭȯȱȳ")
FOLD_TO = ("aaaaaaceeeeiiiinooooouuuuyyaaaccccdeeeeegggghiiiijklllnnnooorrrssssttuuuuuuwyzzzouaiouuuuuagkoojgna"
           "aaeeiioorruusthaeooooy")
FOLD_MAP = str.maketrans(FOLD_FROM, FOLD_TO)

_PG_DOCUMENT = (f"translate(regexp_replace(lower(content), '[^[:alnum:]]+', ' ', 'g'), '{FOLD_FROM}', '{FOLD_TO}')")
_PG_STATEMENTS = [
    f"ALTER TABLE transcript_turns ADD COLUMN IF NOT EXISTS {SEARCH_COLUMN} tsvector "
    f"GENERATED ALWAYS AS (to_tsvector('simple'::regconfig, {_PG_DOCUMENT})) STORED",
    f"CREATE INDEX IF NOT EXISTS ix_transcript_turns_search ON transcript_turns USING gin ({SEARCH_COLUMN})",
    # the newest matches are the ones ranked when a word matches more turns than that (see transcript_search)
    "CREATE INDEX IF NOT EXISTS ix_transcript_turns_timestamp ON transcript_turns (timestamp_sec, id)",
]
_SQLITE_TABLE = (f"CREATE VIRTUAL TABLE IF NOT EXISTS {FTS_TABLE} USING fts5(content, content='transcript_turns', "
                 "content_rowid='rowid', tokenize='unicode61 remove_diacritics 2')")
_SQLITE_TRIGGERS = [
    f"""CREATE TRIGGER IF NOT EXISTS {FTS_TABLE}_insert AFTER INSERT ON transcript_turns BEGIN
        INSERT INTO {FTS_TABLE}(rowid, content) VALUES (new.rowid, new.content);
    END""",
    f"""CREATE TRIGGER IF NOT EXISTS {FTS_TABLE}_delete AFTER DELETE ON transcript_turns BEGIN
        INSERT INTO {FTS_TABLE}({FTS_TABLE}, rowid, content) VALUES ('delete', old.rowid, old.content);
    END""",
    f"""CREATE TRIGGER IF NOT EXISTS {FTS_TABLE}_update AFTER UPDATE OF content ON transcript_turns BEGIN
        INSERT INTO {FTS_TABLE}({FTS_TABLE}, rowid, content) VALUES ('delete', old.rowid, old.content);
        INSERT INTO {FTS_TABLE}(rowid, content) VALUES (new.rowid, new.content);
    END""",
]


def fold_word(word: str) -> str:
    """A query word as the PostgreSQL index holds it (SQLite's tokenizer folds query words itself)."""
    return word.lower().translate(FOLD_MAP)


def sqlite_has_fts5(conn: Connection) -> bool:
    options = {row[0] for row in conn.exec_driver_sql("PRAGMA compile_options")}
    return "ENABLE_FTS5" in options


def create_transcript_index(conn: Connection) -> None:
    """The index structures and, on SQLite, the triggers that keep the FTS table in step (an empty index)."""
    if conn.dialect.name == "postgresql":
        for statement in _PG_STATEMENTS:
            conn.exec_driver_sql(statement)
        return
    if not sqlite_has_fts5(conn):
        raise RuntimeError("This SQLite library was built without FTS5, which transcript search needs; "
                           "use a Python whose sqlite3 module includes it (python.org and distribution builds do).")
    conn.exec_driver_sql(_SQLITE_TABLE)
    install_transcript_index_triggers(conn)  # in the same transaction: no turn is written unindexed


def install_transcript_index_triggers(conn: Connection) -> None:
    """The SQLite triggers, once the FTS table exists (a database before version 4 has none to keep)."""
    if conn.dialect.name != "sqlite":
        return
    exists = conn.exec_driver_sql("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?",
                                  (FTS_TABLE,)).first()
    if exists:
        for statement in _SQLITE_TRIGGERS:
            conn.exec_driver_sql(statement)


def add_transcript_index(conn: Connection) -> None:
    """Upgrade step: build the index for the turns an existing database already holds."""
    create_transcript_index(conn)  # PostgreSQL computes the generated column for every existing row here
    rebuild_transcript_index(conn)


def rebuild_transcript_index(conn: Connection) -> None:
    """Re-read every turn into the SQLite FTS table (PostgreSQL's generated column needs no rebuild)."""
    if conn.dialect.name == "sqlite":
        conn.exec_driver_sql(f"INSERT INTO {FTS_TABLE}({FTS_TABLE}) VALUES ('rebuild')")
