"""How a typed name is matched: a prefix of any word of the name, or — for a word that begins no stored word — the
most similar stored words (pg_trgm on PostgreSQL, an FTS5 trigram table on SQLite), ranked by similarity.

Each typed word is decided on its own, from the name words alone (other filters play no part): one statement asks
whether each word begins a stored word (the profile_name_words primary key, a range scan); only a word that begins
none costs a fuzzy lookup in the dictionary of distinct words. The rows are then matched with the typed word, or
with the best stored word (ties kept) in its place.
"""
from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from insighta_desktop.db.name_index import DICTIONARY, PG_TRGM_INDEX, SQLITE_FTS, WORDS
from insighta_desktop.db.search_sql import Statement
from insighta_desktop.profiles import names
from insighta_desktop.profiles.names import NameMatch, TermMatch

Runner = Callable[[Statement], Sequence[Any]]
_FTS_CANDIDATES = 50
_PREFIX_CANDIDATES = 500


def fuzzy_support_statement(dialect: str) -> Statement:
    """One row: the pg_trgm schema (or NULL) and whether its index exists; on SQLite whether the FTS table exists."""
    if dialect == "postgresql":
        return Statement(dialect, "SELECT (SELECT extnamespace::regnamespace::text FROM pg_extension "
                                  f"WHERE extname = 'pg_trgm'), to_regclass('{PG_TRGM_INDEX}') IS NOT NULL")
    return Statement(dialect, f"SELECT NULL, EXISTS (SELECT 1 FROM sqlite_master WHERE name = '{SQLITE_FTS}')")


def fuzzy_label(dialect: str, row: Sequence[Any]) -> tuple[str | None, str | None]:
    """(description of the fuzzy index or None for prefix only, the pg_trgm schema)."""
    if dialect == "postgresql":
        return (f"pg_trgm GIN index {PG_TRGM_INDEX}" if row[0] and row[1] else None), row[0]
    return (f"FTS5 trigram table {SQLITE_FTS}" if row[1] else None), None


def prefix_statement(dialect: str, text: str) -> Statement:
    """One row: for each typed word, whether some stored name word starts with it."""
    stmt = Statement(dialect)
    checks = []
    for term in names.name_terms(text):
        low, high = names.prefix_bounds(term)
        checks.append(f"EXISTS (SELECT 1 FROM {WORDS} WHERE word >= {stmt.bind(low)} AND word < {stmt.bind(high)})")
    stmt.sql = "SELECT " + ", ".join(checks)
    return stmt


def match_name(run: Runner, dialect: str, text: str, fuzzy: str | None, trgm_schema: str | None,
               found: Sequence[Any] | None = None) -> NameMatch:
    """`found`: the row of prefix_statement when the caller ran it already (with others, in one round trip)."""
    terms = names.name_terms(text)
    if found is None:
        found = run(prefix_statement(dialect, text))[0]
    matches = []
    for term, has_prefix in zip(terms, found, strict=True):
        if has_prefix:
            matches.append(TermMatch(term, "prefix"))
            continue
        candidates = _fuzzy_candidates(run, dialect, term, trgm_schema) if fuzzy else []
        best = names.best_matches(term, candidates)
        matches.append(TermMatch(term, "fuzzy", best) if best else TermMatch(term, "none"))
    return NameMatch(tuple(matches), fuzzy)


def _fuzzy_candidates(run: Runner, dialect: str, term: str, ext: str | None) -> list[tuple[str, float]]:
    if dialect == "postgresql":
        run(Statement(dialect, "SELECT set_config('pg_trgm.similarity_threshold', %(t)s, false)",
                      {"t": str(names.SIMILARITY_THRESHOLD)}))
        stmt = Statement(dialect)
        q = stmt.bind(term)
        stmt.sql = (f"SELECT word, {ext}.similarity(word, {q}) AS s FROM {DICTIONARY} "
                    f"WHERE word OPERATOR({ext}.%%) {q} ORDER BY s DESC, word LIMIT {names.FUZZY_CANDIDATES}")
        return [(str(w), float(s)) for w, s in run(stmt)]
    # FTS5's trigrams have no padding, so a misspelling whose inner trigrams all differ ("torue", "toure") shares
    # none; pg_trgm's padded ones ("  t", " to") are the words' first letters: those come from the dictionary's
    # primary key. Both sets are scored with pg_trgm's similarity, so both back ends rank alike.
    words: set[str] = set()
    grams = sorted({term[i:i + 3] for i in range(len(term) - 2)})
    if grams:  # the trigram tokenizer matches nothing shorter than three characters
        stmt = Statement(dialect)
        query = stmt.bind(" OR ".join('"' + g.replace('"', '""') + '"' for g in grams))
        stmt.sql = (f"SELECT word FROM {SQLITE_FTS} WHERE {SQLITE_FTS} MATCH {query} "
                    f"ORDER BY rank LIMIT {_FTS_CANDIDATES}")
        words.update(str(w) for (w,) in run(stmt))
    stmt = Statement(dialect)
    low, high = names.prefix_bounds(term[:2])
    stmt.sql = (f"SELECT word FROM {DICTIONARY} WHERE word >= {stmt.bind(low)} AND word < {stmt.bind(high)} "
                f"LIMIT {_PREFIX_CANDIDATES}")
    words.update(str(w) for (w,) in run(stmt))
    scored = [(w, names.similarity(term, w)) for w in words]
    return sorted(scored, key=lambda ws: (-ws[1], ws[0]))[:names.FUZZY_CANDIDATES]
