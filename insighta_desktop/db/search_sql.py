"""SQL text for search, one builder for both back ends.

Column names and sort expressions come from fixed tables here; every value from a filter or a cursor is a bound
parameter, so nothing typed by a user ever becomes SQL. The statements are plain strings run through the driver's
cursor (psycopg `%(name)s`, sqlite3 `:name`), which keeps the per-query overhead small and lets the benchmark run
exactly the same SQL on a bare cursor.
"""
from __future__ import annotations

import json
import re
from dataclasses import dataclass, field, replace

from insighta_desktop.db.profile_rows import ROW_COLUMNS
from insighta_desktop.profiles.filters import ProfileFilters
from insighta_desktop.profiles.names import name_terms, prefix_bounds

# The sort key of each sort_by and how to read it back from a selected row (index into ROW_COLUMNS).
SORT_EXPRESSIONS = {
    "age": ("age", ROW_COLUMNS.index("age")),
    "created_at": ("created_at", ROW_COLUMNS.index("created_at")),
    "name": ("name_key", ROW_COLUMNS.index("name_key")),
    "gender_probability": ("coalesce(gender_probability, -1.0)", ROW_COLUMNS.index("gender_probability")),
}


@dataclass
class Statement:
    """SQL text with its parameters, in the style of one DB-API driver."""

    dialect: str
    sql: str = ""
    params: dict[str, object] = field(default_factory=dict)

    def bind(self, value: object) -> str:
        name = f"p{len(self.params)}"
        self.params[name] = value
        return f"%({name})s" if self.dialect == "postgresql" else f":{name}"


def _where(stmt: Statement, filters: ProfileFilters, *, counts_table: bool = False,
           probe: bool = True, walk: bool = False, on_row: bool = False) -> list[str]:
    clauses: list[str] = []
    if filters.gender:
        clauses.append(f"gender = {stmt.bind(filters.gender)}")
    if len(filters.country_ids) == 1:
        clauses.append(f"country_id = {stmt.bind(filters.country_ids[0])}")
    elif filters.country_ids:
        clauses.append(f"country_id IN ({', '.join(stmt.bind(c) for c in filters.country_ids)})")
    ranges = []
    for low, high in filters.age_ranges():
        parts = []
        if low is not None:
            parts.append(f"age >= {stmt.bind(low)}")
        if high is not None:
            parts.append(f"age <= {stmt.bind(high)}")
        ranges.append(" AND ".join(parts))
    if len(ranges) == 1:
        clauses.append(ranges[0])
    elif ranges:
        clauses.append("(" + " OR ".join(f"({r})" for r in ranges) + ")")
    if not counts_table:
        clauses.extend(name_clauses(stmt, filters.name, filters.name_ids, probe=probe, walk=walk, on_row=on_row))
        if filters.min_gender_probability is not None:
            clauses.append(f"gender_probability >= {stmt.bind(float(filters.min_gender_probability))}")
        if filters.min_country_probability is not None:
            clauses.append(f"country_probability >= {stmt.bind(float(filters.min_country_probability))}")
    return clauses


def word_starts(stmt: Statement, term: str) -> str:
    """The profile_name_words rows whose word starts with `term`, as a primary-key range scan. PostgreSQL: LIKE on
    the "C"-collated column, which the planner turns into that range and estimates from the column's statistics
    (an explicit range up to U+10FFFF it estimated at one row, and chose plans that read every match)."""
    if stmt.dialect == "postgresql":
        return f"SELECT profile_id FROM profile_name_words WHERE word LIKE {stmt.bind(_like_prefix(term))}"
    low, high = prefix_bounds(term)
    return f"SELECT profile_id FROM profile_name_words WHERE word >= {stmt.bind(low)} AND word < {stmt.bind(high)}"


def name_ids(stmt: Statement, name: str | None) -> str | None:
    """The ids of the profiles whose name has a word starting with each typed word: one word's rows, or the
    INTERSECT of each word's (set operations on the word index alone, no profile read)."""
    terms = name_terms(name or "")
    return " INTERSECT ".join(word_starts(stmt, t) for t in terms) if terms else None


def name_clauses(stmt: Statement, name: str | None, ids: tuple[str, ...] | None = None, *,
                 probe: bool = True, walk: bool = False, on_row: bool = False) -> list[str]:
    """Every typed word of a name begins some word of the profile's name (db/name_index.py: profile_name_words).

    With `ids` (the store found few matches first): those profiles, read by primary key. Otherwise, on PostgreSQL,
    a probe per candidate row ("OFFSET 0" keeps the planner from turning it into a join that reads every match):
    a name matching many profiles is met soon walking the sort order's index. Counts and facets, which read
    every match (or a sample), take the name's ids from the word index instead (`probe=False`). SQLite probes
    only when told it walks a sort index (`walk`, from sqlite_sort_index): its planner would otherwise probe every
    row of a filter's index.

    `on_row` (PostgreSQL, a walk that reads each row from the table anyway): the name is checked on the row's own
    folded name instead of probing the word index: a word starts with the typed one where a space and it occur in
    ' ' || name_search (the words are name_search split at single spaces, db/name_index.py). 2,187 probes cost
    7 ms of the 8 of "women named kalonji from NG" on 5,000,000 rows; the check on the row, 2 of 4.6. The check
    sits in a subquery (OFFSET 0) so the planner estimates it as it does the probe (half the rows): as a plain
    LIKE it guessed 7 matches and read all 156,000 women of Nigeria by a bitmap instead (1.5 s)."""
    if ids is not None:
        if stmt.dialect == "postgresql":
            return [f"id = ANY({stmt.bind(list(ids))}::uuid[])"]
        return [f"id IN (SELECT value FROM json_each({stmt.bind(json.dumps(list(ids)))}))"]
    if stmt.dialect == "postgresql" and probe and on_row:
        return [f"(SELECT (' ' || profiles.name_search) LIKE {stmt.bind('% ' + _like_prefix(term))} OFFSET 0)"
                for term in name_terms(name or "")]
    if stmt.dialect == "postgresql" and probe:
        return [f"EXISTS (SELECT 1 FROM profile_name_words w WHERE w.profile_id = profiles.id AND "
                f"w.word LIKE {stmt.bind(_like_prefix(term))} OFFSET 0)" for term in name_terms(name or "")]
    if walk and probe:
        clauses = []
        for term in name_terms(name or ""):
            low, high = prefix_bounds(term)
            clauses.append(f"EXISTS (SELECT 1 FROM profile_name_words w WHERE w.profile_id = profiles.id AND "
                           f"w.word >= {stmt.bind(low)} AND w.word < {stmt.bind(high)})")
        return clauses
    found = name_ids(stmt, name)
    return [f"id IN ({found})"] if found else []


def _like_prefix(term: str) -> str:
    return term.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"


def name_ids_statement(dialect: str, name: str, limit: int) -> Statement:
    """Up to `limit` ids of the profiles the name matches (from the word index alone)."""
    stmt = Statement(dialect)
    stmt.sql = f"{name_ids(stmt, name)} LIMIT {int(limit)}"  # one word's rows may name a profile twice
    return stmt


def counts_cover(filters: ProfileFilters) -> bool:
    """True when profile_counts (gender x age x country) can answer totals and facets exactly."""
    return (filters.min_gender_probability is None and filters.min_country_probability is None
            and filters.name is None)


def page_statement(dialect: str, filters: ProfileFilters, limit: int, *, offset: int = 0,
                   after: tuple[object, object] | None = None, index_hint: str | None = None) -> Statement:
    """One page of rows in the filters' order; `after` = (sort value, id) of the last row seen (keyset).
    `index_hint` (SQLite only) names the index to walk, from sqlite_sort_index."""
    stmt = Statement(dialect)
    # PostgreSQL: a name alone in newest or age order walks an index holding the key and the id, probing the word
    # index (no table read); any other walk reads the rows, so the name is checked on them (name_clauses: on_row).
    index_only = dialect == "postgresql" and _walks_key_and_id(filters)
    on_row = dialect == "postgresql" and not index_only
    clauses = _where(stmt, filters, walk=bool(index_hint) and dialect == "sqlite", on_row=on_row)
    expression, _ = SORT_EXPRESSIONS[filters.sort_by]
    direction = "DESC" if filters.order == "desc" else "ASC"
    if after is not None:
        comparison = "<" if filters.order == "desc" else ">"
        clauses.append(f"({expression}, id) {comparison} ({stmt.bind(after[0])}, {stmt.bind(after[1])})")
    where = f" WHERE {' AND '.join(clauses)}" if clauses else ""
    source = f"profiles INDEXED BY {index_hint}" if index_hint and dialect == "sqlite" else "profiles"
    order = f"ORDER BY {expression} {direction}, id {direction}"
    rows = f"{where} {order} LIMIT {int(limit)}" + (f" OFFSET {int(offset)}" if offset else "")
    if index_only:
        # A common name alone, newest or youngest first: that order's index holds the sort key and the id, so the
        # walk and each row's word probe read the index alone (an index-only scan); only the page's rows are read
        # from the table, not every row walked past (1,100 table pages for a name by age on 5,000,000 rows).
        stmt.sql = f"SELECT {', '.join(ROW_COLUMNS)} FROM profiles WHERE id IN (SELECT id FROM profiles{rows}) {order}"
    else:
        stmt.sql = f"SELECT {', '.join(ROW_COLUMNS)} FROM {source}{rows}"
    return stmt


def _walks_key_and_id(filters: ProfileFilters) -> bool:
    """A name alone matching many profiles (no id list), in an order whose index is (sort key, id)."""
    return (filters.name is not None and filters.name_ids is None and filters.sort_by in ("created_at", "age")
            and not replace(filters, name=None).has_conditions)


def page_total_statement(filters: ProfileFilters, limit: int, *, cap: int,
                         after: tuple[object, object] | None = None) -> Statement:
    """PostgreSQL: a page and what its total needs, in one statement (one round trip). Each row is (bound, count,
    *ROW_COLUMNS): bound = the profile_counts total of the gender/age/country part; count = the exact count of
    matches when the filters have more than that part and bound <= cap (NULL otherwise: the server runs that count
    only when needed, as an init plan read lazily). No match gives one row with NULL row columns."""
    stmt = Statement("postgresql")
    bound_where = _where(stmt, filters, counts_table=True)
    bound_sql = "SELECT coalesce(sum(n), 0) AS bound FROM profile_counts" + (
        f" WHERE {' AND '.join(bound_where)}" if bound_where else "")
    if counts_cover(filters):
        count_sql = "NULL::bigint"
    else:
        count_where = _where(stmt, filters)
        count_sql = (f"CASE WHEN b.bound <= {int(cap)} THEN (SELECT count(*) FROM profiles "
                     f"WHERE {' AND '.join(count_where)}) END")
    page = page_statement("postgresql", filters, limit, after=after)
    page_sql = _rebind(page, stmt)
    expression, _ = SORT_EXPRESSIONS[filters.sort_by]
    direction = "DESC" if filters.order == "desc" else "ASC"
    stmt.sql = (f"WITH b AS ({bound_sql}) SELECT b.bound, {count_sql}, p.* FROM b "
                f"LEFT JOIN LATERAL ({page_sql}) p ON true ORDER BY {expression} {direction}, id {direction}")
    return stmt


def _rebind(inner: Statement, outer: Statement) -> str:
    """`inner`'s SQL with its parameters renamed into `outer`'s (so both can share one statement)."""
    renamed = {name: outer.bind(value) for name, value in inner.params.items()}
    return re.sub(r"%\((p\d+)\)s", lambda m: renamed[m.group(1)], inner.sql)


def counts_statement(dialect: str, filters: ProfileFilters) -> Statement:
    """Exact number of profiles matching the gender/age/country part of the filters, from profile_counts."""
    stmt = Statement(dialect)
    clauses = _where(stmt, filters, counts_table=True)
    where = f" WHERE {' AND '.join(clauses)}" if clauses else ""
    stmt.sql = f"SELECT coalesce(sum(n), 0) FROM profile_counts{where}"
    return stmt


def count_statement(dialect: str, filters: ProfileFilters, cap: int | None = None) -> Statement:
    """count(*) of matching profiles; with `cap`, the count stops after cap + 1 rows."""
    stmt = Statement(dialect)
    terms = name_terms(filters.name or "")
    if terms and not replace(filters, name=None).has_conditions:
        # A name alone is counted in the word index, never reading a profile. One word: its rows up to the cap,
        # each profile once when they fit under it (a profile with two words starting so is one match); past the
        # cap, "more than cap" (wrong only if more than a cap's worth of profiles had two such words). Several
        # words: their INTERSECT holds each profile once.
        limit = "" if cap is None else f" LIMIT {int(cap) + 1}"
        if len(terms) == 1:
            rows = word_starts(stmt, terms[0])
            stmt.sql = (f"SELECT count(DISTINCT profile_id) FROM ({rows}) named" if cap is None else
                        f"SELECT CASE WHEN count(*) > {int(cap)} THEN count(*) ELSE count(DISTINCT profile_id) END "
                        f"FROM ({rows}{limit}) named")
        else:
            stmt.sql = f"SELECT count(*) FROM ({name_ids(stmt, filters.name)}{limit}) named"
        return stmt
    clauses = _where(stmt, filters, probe=False)
    where = f" WHERE {' AND '.join(clauses)}" if clauses else ""
    if cap is None:
        stmt.sql = f"SELECT count(*) FROM profiles{where}"
    else:
        stmt.sql = f"SELECT count(*) FROM (SELECT 1 FROM profiles{where} LIMIT {int(cap) + 1}) capped"
    return stmt


def name_share_statement(dialect: str, name: str, cap: int) -> Statement:
    """One row: how many profiles the name matches (from the word index alone, stopping past `cap`) and how many
    profiles there are (profile_counts)."""
    stmt = count_statement(dialect, ProfileFilters(name=name), cap)
    stmt.sql = f"SELECT ({stmt.sql}), (SELECT coalesce(sum(n), 0) FROM profile_counts)"
    return stmt


def estimate_statement(dialect: str, filters: ProfileFilters) -> Statement:
    """PostgreSQL's planner estimate of the matching rows (EXPLAIN, nothing is read)."""
    stmt = Statement(dialect)
    clauses = _where(stmt, filters)
    where = f" WHERE {' AND '.join(clauses)}" if clauses else ""
    stmt.sql = f"EXPLAIN (FORMAT JSON) SELECT 1 FROM profiles{where}"
    return stmt


def facets_statement(dialect: str, filters: ProfileFilters, sample: int) -> Statement:
    """Rows of (facet, key, count) for facet in g (gender), a (age decade), c (country)."""
    stmt = Statement(dialect)
    if counts_cover(filters):
        clauses = _where(stmt, filters, counts_table=True)
        source, measure = "profile_counts", "sum(n)"
        prefix = ""
    else:
        spread = False
        if filters.name and filters.name_ids is None and not replace(filters, name=None).has_conditions:
            # A common name alone: the sample is its first matches in the word index (by profile id: the order
            # profiles were added in, whatever their gender, age or country), read by id.
            clauses = [f"id IN (SELECT profile_id FROM ({name_ids(stmt, filters.name)} LIMIT {int(sample)}) s)"]
        else:
            clauses = _where(stmt, filters, probe=False)
            # With a name, the matches come from its words in profile id order (the order profiles were added in),
            # and a page sample would hold few of them (56 of 14,222 women named Kalonji in 5,000,000).
            spread = dialect == "postgresql" and not filters.name
        inner_where = f" WHERE {' AND '.join(clauses)}" if clauses else ""
        prefix = (_spread_sample(inner_where, sample) if spread else
                  f"WITH matched AS MATERIALIZED (SELECT gender, age, country_id FROM profiles{inner_where} "
                  f"LIMIT {int(sample)}) ")
        source, measure, clauses = "matched", "count(*)", []
    where = f" WHERE {' AND '.join(clauses)}" if clauses else ""
    if dialect == "postgresql":
        # One pass over the rows for the three facets (three passes took twice as long: 13,000 profile_counts rows
        # each, for the panel's counts of every country).
        stmt.sql = (
            f"{prefix}SELECT CASE WHEN GROUPING(gender) = 0 THEN 'g' WHEN GROUPING(age / 10) = 0 THEN 'a' ELSE 'c' "
            f"END, coalesce(gender, CAST(age / 10 AS TEXT), country_id), {measure} FROM {source}{where} "
            f"GROUP BY GROUPING SETS ((gender), (age / 10), (country_id))"
        )
        if "spread AS" in prefix:  # says whether the rows are the spread sample (`s`)
            stmt.sql += f" UNION ALL SELECT 's', NULL, 0 WHERE {_many(sample)}"
        return stmt
    stmt.sql = (
        f"{prefix}SELECT 'g', gender, {measure} FROM {source}{where} GROUP BY gender "
        f"UNION ALL SELECT 'a', CAST(age / 10 AS TEXT), {measure} FROM {source}{where} GROUP BY age / 10 "
        f"UNION ALL SELECT 'c', country_id, {measure} FROM {source}{where} GROUP BY country_id"
    )
    return stmt  # the WHERE text repeats with the same named placeholders; each parameter is bound once


# A sample of the table's pages for facets whose matches are too many to count: about SPREAD_ROWS rows, the same
# pages each time (REPEATABLE: they stay in the cache, and the same data gives the same charts).
SPREAD_ROWS = 20_000
_SPREAD_PERCENT = ("(SELECT least(100, 100.0 * {rows} / greatest(reltuples, 1)) FROM pg_class "
                   "WHERE oid = 'profiles'::regclass)")


def _many(sample: int) -> str:
    """The spread sample stands for `sample` or more matches (its count scaled up by the share of the table read)."""
    return f"(SELECT count(*) FROM spread) * 100.0 >= {int(sample)} * {_SPREAD_PERCENT.format(rows=SPREAD_ROWS)}"


def _spread_sample(inner_where: str, sample: int) -> str:
    """PostgreSQL's sample for facets: the matches among a random sample of the table's pages when they stand for
    `sample` matches or more, else all the matches (up to `sample`). The first `sample` matches the plan happens to
    read are no sample: an index in country order gave the first countries of the alphabet only (Nigeria "≈0" among
    men from Nigeria). The page sample is read first and decides: reading the first `sample` matches only to learn
    that there are that many cost 8-10 ms of the facets of "men from NG with country probability at least 0.8"
    (5,000,000 rows), a row from the table for each; `first` is now read only when used."""
    percent = _SPREAD_PERCENT.format(rows=SPREAD_ROWS)
    many = _many(sample)
    return (f"WITH spread AS MATERIALIZED (SELECT gender, age, country_id FROM profiles TABLESAMPLE SYSTEM "
            f"({percent}) REPEATABLE (1){inner_where}), "
            f"first AS MATERIALIZED (SELECT gender, age, country_id FROM profiles{inner_where} "
            f"LIMIT {int(sample)}), "
            f"matched AS (SELECT gender, age, country_id FROM spread WHERE {many} "
            f"UNION ALL SELECT gender, age, country_id FROM first WHERE NOT {many}) ")


# The indexes (db/schema.py) that return rows already in each sort order.
SORT_INDEXES = {"created_at": "ix_profiles_created_at", "age": "ix_profiles_age", "name": "uq_profiles_name_key",
                "gender_probability": "ix_profiles_gender_probability"}
ROW_ESTIMATE_SQL = "SELECT max(rowid) FROM profiles"  # SQLite: O(1), close to the row count for an append-mostly table


def sqlite_sort_index(filters: ProfileFilters, matches: int, rows: int, needed: int) -> str | None:
    """The sort order's index when walking it finds `needed` matches sooner than sorting all `matches` would.

    Walking reads about needed * rows / matches entries; the filter's index reads `matches` and then sorts them.
    """
    if filters.name:
        # A name alone matching many profiles (resolve found more than a few): walking the sort order's index and
        # probing each profile's words meets the page after about needed * rows / matches rows, where reading every
        # match and sorting them costs all of them. Few matches, or other filters: the word index finds them.
        # With a gender and one country, newest first: the country's part of its created_at index, likewise (a
        # name is independent of them, so the walk stays about needed * rows / matches, halved by a gender).
        if filters.name_ids is not None:
            return None
        others = replace(filters, name=None)
        if not others.has_conditions:
            return SORT_INDEXES[filters.sort_by]
        if (filters.sort_by == "created_at" and len(filters.country_ids) == 1
                and not replace(others, gender=None, country_ids=()).has_conditions):
            return "ix_profiles_country_created_at"
        return None
    if filters.sort_by == "name" and filters.gender:
        rows //= 2  # the walk stays inside one gender's half of the index
    if rows <= 0 or matches <= 0 or matches * matches <= needed * rows:
        return None
    if filters.sort_by == "created_at" and len(filters.country_ids) == 1:
        return "ix_profiles_country_created_at"
    if filters.sort_by == "name" and filters.gender:
        return "ix_profiles_gender_name_key"
    return SORT_INDEXES[filters.sort_by]


DATA_VERSION_SQL = "SELECT coalesce(max(version), 0) FROM profile_data_version"
