"""How a typed name is matched: a prefix of any word of the name, or — for a word that begins no stored word — the
most similar stored words (pg_trgm on PostgreSQL, an FTS5 trigram table on SQLite), ranked by similarity.

Each typed word is decided on its own, from the name words alone (other filters play no part): one statement asks
whether each word begins a stored word (the profile_name_words primary key, a range scan); only a word that begins
none costs a fuzzy lookup in the dictionary of distinct words. The rows are then matched with the typed word, or
with the best stored word (ties kept) in its place: one lookup in the word index counts the name's matches (as far
as the total needs) and returns their ids when they are few (resolve_name).
"""
from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from dataclasses import replace
from typing import Any

from insighta_desktop.db import search_sql
from insighta_desktop.db.name_index import DICTIONARY, PG_TRGM_INDEX, SQLITE_FTS, WORDS
from insighta_desktop.db.search_sql import Statement
from insighta_desktop.profiles import names
from insighta_desktop.profiles.filters import ProfileFilters
from insighta_desktop.profiles.names import NameCount, NameMatch, TermMatch

Runner = Callable[[Statement], Sequence[Any]]
# A name matching at most this many profiles is searched by their ids: reading and sorting that many rows by primary
# key costs about what walking a sort index to the first page costs for a name this common (measured on 5,000,000
# rows, tests/benchmarks/bench_search.py).
FEW_NAME_MATCHES = 3_000
# The name's matches are counted up to this many for the estimate of a common name with other filters.
NAME_SHARE_CAP = 200_000
_FTS_CANDIDATES = 50
_PREFIX_CANDIDATES = 500
# A typed word of a name of several words that begins at most this many dictionary words is looked up word by word.
EXPANSION_WORDS = 16


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


def prefix_statement(dialect: str, text: str, *, expand: bool = False) -> Statement:
    """One row: for each typed word, whether some stored name word starts with it; with `expand`, then for each
    typed word the dictionary's words starting with it (up to EXPANSION_WORDS + 1, an array on PostgreSQL, JSON on
    SQLite), for lookup_statement."""
    stmt = Statement(dialect)
    terms = names.name_terms(text)
    checks = []
    for term in terms:
        low, high = names.prefix_bounds(term)
        checks.append(f"EXISTS (SELECT 1 FROM {WORDS} WHERE word >= {stmt.bind(low)} AND word < {stmt.bind(high)})")
    for term in terms if expand else ():
        low, high = names.prefix_bounds(term)
        words = (f"SELECT word FROM {DICTIONARY} WHERE word >= {stmt.bind(low)} AND word < {stmt.bind(high)} "
                 f"ORDER BY word LIMIT {EXPANSION_WORDS + 1}")
        checks.append(f"ARRAY({words})" if dialect == "postgresql" else
                      f"(SELECT json_group_array(word) FROM ({words}))")
    stmt.sql = "SELECT " + ", ".join(checks)
    return stmt


def expansions(dialect: str, values: Sequence[Any]) -> tuple[tuple[str, ...] | None, ...]:
    """prefix_statement's expansions, per typed word: its dictionary words, or None past EXPANSION_WORDS."""
    lists = [list(v) if dialect == "postgresql" else json.loads(v) for v in values]
    return tuple(tuple(words) if len(words) <= EXPANSION_WORDS else None for words in lists)


def lookup_statement(dialect: str, text: str, *, few: int, limit: int, exact: int,
                     words: Sequence[tuple[str, ...] | None] | None = None) -> Statement:
    """One row: (rows, profiles, ids) of the profiles the name matches, from the word index alone: the rows read, up
    to `limit` + 1; the distinct profiles among them when the rows are `exact` or fewer (else NULL); their ids when
    the rows are `few` or fewer (else NULL). A CASE takes a subquery only when it needs it, so a common name costs
    one pass over its first rows.

    Several typed words (usually few matches) are read once into a CTE. On PostgreSQL a word that begins exactly
    one dictionary word (`words`, from prefix_statement) is matched by equality on the primary key, which returns
    its profiles in id order: two such words meet in a merge join (half the time of hashing both sets, a third of
    INTERSECT's). Otherwise each word is a range and the sets intersect. (This relies on the dictionary holding every
    stored word, as every writer keeps it: db/name_index.py, tests/integration/test_name_search.py.)"""
    stmt = Statement(dialect)
    terms = names.name_terms(text)
    if words is not None and len(terms) > 1 and dialect == "postgresql":
        parts = []
        for i, (term, found) in enumerate(zip(terms, words, strict=True)):
            rows = (f"SELECT profile_id FROM {WORDS} WHERE word = {stmt.bind(found[0])}" if found and len(found) == 1
                    else search_sql.word_starts(stmt, term))
            parts.append(f"({rows}) t{i}" + (f" ON t{i}.profile_id = t0.profile_id" if i else ""))
        matched = "SELECT t0.profile_id FROM " + " JOIN ".join(parts)
    elif words is not None and len(terms) > 1 and any(words):
        matched = _sqlite_probes(stmt, terms, words)
    else:
        matched = search_sql.name_ids(stmt, text) or "SELECT NULL AS profile_id WHERE false"
    prefix = ""
    if len(terms) > 1:
        prefix = f"WITH m AS MATERIALIZED ({matched} LIMIT {int(limit) + 1}) "
        matched = limited = "SELECT profile_id FROM m"
    else:
        limited = f"{matched} LIMIT {int(limit) + 1}"
    ids = (f"ARRAY(SELECT DISTINCT profile_id::text FROM ({matched}) r)" if dialect == "postgresql" else
           f"(SELECT json_group_array(profile_id) FROM (SELECT DISTINCT profile_id FROM ({matched})))")
    stmt.sql = (f"{prefix}SELECT c.n, CASE WHEN c.n <= {int(exact)} THEN (SELECT count(DISTINCT profile_id) FROM "
                f"({matched}) d) END, CASE WHEN c.n <= {int(few)} THEN {ids} END "
                f"FROM (SELECT count(*) AS n FROM ({limited}) s) c")
    return stmt


def _sqlite_probes(stmt: Statement, terms: Sequence[str], words: Sequence[tuple[str, ...] | None]) -> str:
    """SQLite: the rows of the typed word with the fewest dictionary words, each probed for the other words by
    primary key (word, profile_id): a point lookup per word (INTERSECT sorted both sets in a temporary b-tree, two
    to three times slower on 1,000,000 profiles)."""
    def words_in(found: tuple[str, ...]) -> str:
        return ", ".join(stmt.bind(w) for w in found)

    first = min((i for i, found in enumerate(words) if found), key=lambda i: len(words[i] or ()))
    clauses = [f"a.word IN ({words_in(words[first] or ())})"]
    for i, (term, found) in enumerate(zip(terms, words, strict=True)):
        if i == first:
            continue
        if found:
            clauses.append(f"EXISTS (SELECT 1 FROM {WORDS} b WHERE b.word IN ({words_in(found)}) "
                           f"AND b.profile_id = a.profile_id)")
        else:
            low, high = names.prefix_bounds(term)
            clauses.append(f"EXISTS (SELECT 1 FROM {WORDS} b WHERE b.profile_id = a.profile_id "
                           f"AND b.word >= {stmt.bind(low)} AND b.word < {stmt.bind(high)})")
    return f"SELECT a.profile_id FROM {WORDS} a WHERE {' AND '.join(clauses)}"


def lookup_result(dialect: str, row: Sequence[Any], limit: int) -> tuple[NameCount, tuple[str, ...] | None]:
    """lookup_statement's row: the count, and the ids when they were read."""
    n, d, ids = row
    if ids is not None and dialect != "postgresql":
        ids = json.loads(ids)
    return NameCount(int(n), None if d is None else int(d), limit), (None if ids is None else tuple(map(str, ids)))


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


def resolve_name(run: Runner, dialect: str, filters: ProfileFilters, cap: int | None,
                 fuzzy: tuple[str | None, str | None]) -> tuple[ProfileFilters, NameMatch]:
    """The filters with their name resolved: name_count (the matches counted in the word index, up to `cap` for a
    name alone, NAME_SHARE_CAP for a name with filters that profile_counts answers), name_ids when the matches are
    FEW_NAME_MATCHES or fewer, and a misspelt word replaced by the most similar stored words (`fuzzy`: fuzzy_label)."""
    name = filters.name or ""
    few = FEW_NAME_MATCHES
    limit, exact = _count_limits(filters, cap)
    terms = len(names.name_terms(name))
    # Several words are looked up by the dictionary words they begin: those words first. One word: the prefix check
    # and the lookup in one round trip (a pipeline on PostgreSQL).
    check = prefix_statement(dialect, name, expand=terms > 1)
    lookup: Sequence[Any] | None = None
    if terms > 1:
        found = run(check)[0]
    else:
        statements = [check, lookup_statement(dialect, name, few=few, limit=limit, exact=exact)]
        many = getattr(run, "many", None)
        answers = list(many(statements)) if many is not None else [run(s) for s in statements]
        found, lookup = answers[0][0], answers[1]
    matched = match_name(run, dialect, name, fuzzy[0], fuzzy[1], found=found[:terms])
    if matched.kind == "none":  # some typed word matches nothing: no profile
        return replace(filters, name_ids=(), name_count=NameCount(0, 0, limit)), matched
    if matched.kind == "fuzzy":
        filters = replace(filters, name=matched.search_text)
        lookup = None
    if lookup is None:
        words = expansions(dialect, found[terms:]) if matched.kind == "prefix" else None
        lookup = run(lookup_statement(dialect, filters.name or "", few=few, limit=limit, exact=exact, words=words))
    # Few matches: the page reads them by id (and sorts them); many: it walks the sort order's index (search_sql).
    count, ids = lookup_result(dialect, lookup[0], limit)
    return replace(filters, name_ids=ids, name_count=count), matched


def _count_limits(filters: ProfileFilters, cap: int | None) -> tuple[int, int]:
    """How far resolve_name counts a name's matches, and up to how many rows it counts the distinct profiles among
    them: for a name alone, both to the total's cap; for a name with filters that profile_counts answers, the rows
    to NAME_SHARE_CAP (the store's estimate); else (no total, or one counted with the profiles) to FEW_NAME_MATCHES."""
    others = replace(filters, name=None, name_ids=None, name_count=None)
    if cap is not None and not others.has_conditions:
        return max(cap, FEW_NAME_MATCHES), cap
    if cap is not None and search_sql.counts_cover(others):
        return max(NAME_SHARE_CAP, FEW_NAME_MATCHES), 0
    return FEW_NAME_MATCHES, 0


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
