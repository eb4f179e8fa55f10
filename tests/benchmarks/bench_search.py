"""Search benchmark: 5,000,000 generated profiles in PostgreSQL and 1,000,000 in SQLite.

    uv run python tests/benchmarks/bench_search.py                 # both back ends, default sizes
    uv run python tests/benchmarks/bench_search.py --pg-rows 500000 --sqlite-rows 0 --keep

Name search (prefix of a word, and the fuzzy fallback for misspelt names drawn from the data) is timed as its own
two groups, with the PostgreSQL plan of one prefix query.

For each back end it loads the rows through the app's schema (COPY on PostgreSQL, one executemany transaction on
SQLite, both with the app's triggers active), then runs a mix of about 20 queries — plain language and structured,
selective and broad, sorted, and deep pages by keyset cursor — and prints P50/P95 of:
  cold    ProfileSearch.search() with the cache off (page + total)
  warm    the same calls answered from the cache (data version still checked)
  bare    the very same SQL statements through a bare psycopg / sqlite3 cursor (the lower bound)
  facets  ProfileSearch.facets() (gender split, age histogram, top countries)
The PostgreSQL database is created for the run and dropped afterwards (unless --keep).
"""
from __future__ import annotations

import argparse
import json
import os
import random
import sqlite3
import statistics
import sys
import time
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from functools import partial
from pathlib import Path

import psycopg
import sqlalchemy as sa
from sqlalchemy.engine import make_url

from insighta_desktop.countries import by_alpha2
from insighta_desktop.db import schema, search_sql
from insighta_desktop.db.engine import create_engine_for
from insighta_desktop.db.migrations import ensure_schema
from insighta_desktop.db.profile_store import sort_value
from insighta_desktop.demo.profiles import AGE_DECADE_WEIGHTS, COUNTRY_WEIGHTS, EPOCH, UniqueNames
from insighta_desktop.profiles.cache import ResultCache
from insighta_desktop.profiles.cursors import decode_cursor, encode_cursor
from insighta_desktop.profiles.filters import PageRequest, build_filters
from insighta_desktop.profiles.model import age_group_for, normalise_name
from insighta_desktop.profiles.names import fold
from insighta_desktop.profiles.parser import parse_query
from insighta_desktop.profiles.search import ProfileSearch
from insighta_desktop.resources import resource_path

PG_SERVER = os.environ.get("INSIGHTA_TEST_PG_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")
COLUMNS = ("id", "name", "name_key", "gender", "gender_probability", "age", "age_group", "country_id",
           "country_name", "country_probability", "created_at", "name_search")


def _uuid7_hex(ms: int, rand: int) -> str:
    value = ((ms & ((1 << 48) - 1)) << 80 | 0x7 << 76 | ((rand >> 62) & 0xFFF) << 64
             | 0b10 << 62 | rand & ((1 << 62) - 1))
    return f"{value:032x}"


def generated_rows(count: int, seed: int, sqlite: bool, chunk: int = 100_000) -> Iterator[tuple]:
    """Profiles with the demo generator's country and age mix and its unique names, drawn a chunk at a time."""
    rng = random.Random(seed)
    names = {g: UniqueNames(seed, g) for g in ("female", "male")}
    drawn = {"female": 0, "male": 0}
    codes = list(COUNTRY_WEIGHTS)
    country_names = {code: by_alpha2(code).name for code in codes}
    gender_ps = [round(0.5 + i / 100, 2) for i in range(51)]
    country_ps = [round(0.05 + i / 100, 2) for i in range(96)]
    epoch_ms = int(EPOCH.timestamp() * 1000)
    rand = rng.getrandbits(80)
    for start in range(0, count, chunk):
        n = min(chunk, count - start)
        picked = zip(rng.choices(codes, list(COUNTRY_WEIGHTS.values()), k=n),
                     rng.choices(range(10), AGE_DECADE_WEIGHTS, k=n), rng.choices(range(10), k=n),
                     rng.choices(("female", "male"), (512, 488), k=n), rng.choices(gender_ps, k=n),
                     rng.choices(country_ps, k=n), rng.choices(range(7000), k=n), strict=True)
        for offset, (country, decade, unit, gender, gp, cp, jitter) in enumerate(picked):
            i = start + offset
            age = decade * 10 + unit
            name = names[gender][drawn[gender]]
            drawn[gender] += 1
            ms = epoch_ms + i * 7000 + jitter
            created = datetime.fromtimestamp(ms / 1000, UTC)
            yield (_uuid7_hex(ms, rand ^ (i * 0x9E3779B97F4A7C15)), name, normalise_name(name), gender, gp, age,
                   age_group_for(age), country, country_names[country], cp,
                   created.strftime("%Y-%m-%d %H:%M:%S.%f") if sqlite else created.isoformat(), fold(name))


def _profile_indexes() -> list[sa.Index]:
    return [ix for ix in schema.profiles.indexes]


def load_postgres(url: str, rows: int, seed: int) -> float:
    engine = create_engine_for(url, statement_timeout_ms=3_600_000)
    ensure_schema(engine)
    started = time.perf_counter()
    with engine.begin() as conn:
        for ix in _profile_indexes():
            ix.drop(conn)
    raw = engine.raw_connection()
    try:
        with raw.cursor() as cur:
            with cur.copy(f"COPY profiles ({', '.join(COLUMNS)}) FROM STDIN") as copy:
                lines: list[str] = []
                for row in generated_rows(rows, seed, sqlite=False):
                    lines.append("\t".join(map(str, row)))
                    if len(lines) == 20_000:
                        copy.write("\n".join(lines) + "\n")
                        lines.clear()
                if lines:
                    copy.write("\n".join(lines) + "\n")
        raw.commit()
    finally:
        raw.close()
    with engine.begin() as conn:
        conn.exec_driver_sql("SET maintenance_work_mem = '512MB'")
        for ix in _profile_indexes():
            ix.create(conn)
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.exec_driver_sql("VACUUM ANALYZE profiles")
        conn.exec_driver_sql("VACUUM ANALYZE profile_counts")
        conn.exec_driver_sql("VACUUM ANALYZE profile_name_words")
        conn.exec_driver_sql("VACUUM ANALYZE name_words")
    engine.dispose()
    return time.perf_counter() - started


def load_sqlite(url: str, rows: int, seed: int) -> float:
    engine = create_engine_for(url)
    ensure_schema(engine)
    started = time.perf_counter()
    raw = engine.raw_connection()
    try:
        cur = raw.cursor()
        for ix in _profile_indexes():
            cur.execute(f"DROP INDEX IF EXISTS {ix.name}")
        cur.execute("BEGIN")
        batch: list[tuple] = []
        sql = f"INSERT INTO profiles ({', '.join(COLUMNS)}) VALUES ({', '.join('?' * len(COLUMNS))})"
        for row in generated_rows(rows, seed, sqlite=True):
            batch.append(row)
            if len(batch) == 50_000:
                cur.executemany(sql, batch)
                batch.clear()
        cur.executemany(sql, batch)
        cur.execute("COMMIT")
    finally:
        raw.close()
    with engine.begin() as conn:
        for ix in _profile_indexes():
            ix.create(conn)
        conn.exec_driver_sql("ANALYZE")
    engine.dispose()
    return time.perf_counter() - started


def create_pg_database(name: str) -> str:
    server = make_url(PG_SERVER)
    dsn = server.set(drivername="postgresql").render_as_string(hide_password=False)
    with psycopg.connect(dsn, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}"')
        conn.execute(f'CREATE DATABASE "{name}"')
    return server.set(database=name).render_as_string(hide_password=False)


def drop_pg_database(name: str) -> None:
    dsn = make_url(PG_SERVER).set(drivername="postgresql").render_as_string(hide_password=False)
    with psycopg.connect(dsn, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def pg_database_url(name: str) -> str:
    return make_url(PG_SERVER).set(database=name).render_as_string(hide_password=False)


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(q * (len(ordered) - 1))))]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--pg-rows", type=int, default=5_000_000)
    parser.add_argument("--sqlite-rows", type=int, default=1_000_000)
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--pg-database", default="insighta_bench_search")
    parser.add_argument("--sqlite-file", type=Path, default=Path("/tmp/insighta_bench_search.db"))
    parser.add_argument("--keep", action="store_true", help="keep the databases for another run")
    parser.add_argument("--reuse", action="store_true", help="use the kept databases instead of loading again")
    parser.add_argument("--load-only", action="store_true")
    args = parser.parse_args(argv)
    if args.pg_rows:
        if args.reuse:
            url = pg_database_url(args.pg_database)
        else:
            url = create_pg_database(args.pg_database)
            print(f"PostgreSQL: loading {args.pg_rows:,} profiles…", flush=True)
            print(f"PostgreSQL: loaded in {load_postgres(url, args.pg_rows, args.seed):.1f} s", flush=True)
        if not args.load_only:
            run_mix("PostgreSQL", url, args.pg_rows)
        if not args.keep:
            drop_pg_database(args.pg_database)
    if args.sqlite_rows:
        url = f"sqlite:///{args.sqlite_file}"
        if not args.reuse:
            args.sqlite_file.unlink(missing_ok=True)
            print(f"SQLite: loading {args.sqlite_rows:,} profiles…", flush=True)
            print(f"SQLite: loaded in {load_sqlite(url, args.sqlite_rows, args.seed):.1f} s", flush=True)
        if not args.load_only:
            run_mix("SQLite", url, args.sqlite_rows)
        if not args.keep:
            for suffix in ("", "-wal", "-shm"):
                Path(f"{args.sqlite_file}{suffix}").unlink(missing_ok=True)
    return 0


def query_mix() -> list[tuple[str, object]]:
    """About 20 searches: plain language and structured, selective and broad, every sort order."""
    t, b = (lambda text: parse_query(text).filters), build_filters
    return [
        ("young males", t("young males")),
        ("females above 30", t("females above 30")),
        ("people from angola", t("people from angola")),
        ("adult males from kenya", t("adult males from kenya")),
        ("male and female teenagers above 17", t("male and female teenagers above 17")),
        ("Nigerian females between ages 20 and 45", t("Nigerian females between ages 20 and 45")),
        ("seniors from south africa oldest first", t("seniors from south africa oldest first")),
        ("women in their 30s from ghana by name", t("women in their 30s from ghana sorted by name")),
        ("children", t("children")),
        ("(no filter) newest first", b()),
        ("(no filter) youngest first", b(sort_by="age", order="asc")),
        ("gender probability at least 0.9", t("gender probability at least 0.9")),
        ("men from NG, country probability >= 0.8", t("men from NG with country probability at least 0.8")),
        ("kenyans and ugandans under 18", t("kenyans and ugandans under 18")),
        ("US,GB,FR,DE,CN,JP adults", b(country_id="US,GB,FR,DE,CN,JP", age_group="adult")),
        ("women aged 40, most confident first", b(gender="female", min_age=40, max_age=40,
                                                  sort_by="gender_probability", order="desc")),
        ("CD men 60+, oldest first", b(country_id="CD", gender="male", min_age=60, sort_by="age", order="desc")),
        ("São Tomé by name", b(country_id="ST", sort_by="name", order="asc")),
        ("over 90, youngest first", b(min_age=90, sort_by="age", order="asc")),
        ("women by name", b(gender="female", sort_by="name", order="asc")),
    ]


def name_mix(seed: int = 7) -> tuple[list[tuple[str, object]], list[tuple[str, object]]]:
    """Name searches over names drawn from the generator's pools: (prefix cases, fuzzy cases).

    Prefix: last names, first names, a first and last name, three-letter starts, names with other filters. Fuzzy: the
    same kind of names misspelt (two inner letters swapped, or one replaced) so that no stored word starts so."""
    data = json.loads(resource_path("names.json").read_text(encoding="utf-8"))
    words = sorted({w for names in data.values() for name in names for w in fold(name).split()})
    rng = random.Random(seed)
    lasts = rng.sample([fold(n) for n in data["last_names"]], 8)
    firsts = rng.sample([fold(n) for n in data["female_first_names"] + data["male_first_names"]], 6)
    b = build_filters
    prefix: list[tuple[str, object]] = [(f"name {w}", b(name=w)) for w in lasts[:5] + firsts[:3]]
    prefix += [(f"name {f} {la}", b(name=f"{f} {la}")) for f, la in zip(firsts[3:5], lasts[5:7], strict=True)]
    prefix += [(f"name {w[:3]}", b(name=w[:3])) for w in (lasts[7], firsts[5])]
    prefix += [(f"women named {lasts[0]} from NG", b(name=lasts[0], gender="female", country_id="NG")),
               (f"named {firsts[0]} by age", b(name=firsts[0], sort_by="age", order="asc"))]

    def misspelt(word: str) -> str:
        for i in range(2, len(word) - 1):
            for candidate in (word[:i] + word[i + 1] + word[i] + word[i + 2:],  # two letters swapped
                              word[:i] + ("a" if word[i] != "a" else "e") + word[i + 1:]):  # one replaced
                if not any(w.startswith(candidate) for w in words):
                    return candidate
        return word + "q"

    fuzzy = [(f"fuzzy {misspelt(w)} ({w})", b(name=misspelt(w))) for w in lasts[:6] + firsts[:4] if len(w) >= 5]
    return prefix, fuzzy


DEEP_PAGES = [("everyone newest", build_filters(), 1_000_000),
              ("NG by age", build_filters(country_id="NG", sort_by="age", order="asc"), 100_000)]


def deep_cursor(search: ProfileSearch, filters, depth: int) -> str | None:
    """A keyset cursor positioned after row `depth` (found once, untimed, through the same sort index)."""
    stmt = search_sql.page_statement(search.store.backend, filters, 1, offset=depth)
    with search.store.reading() as run:
        rows = run(stmt)
    if not rows:
        return None
    return encode_cursor(filters, sort_value(filters, rows[0]), rows[0][0])


def bare_runner(label: str, url: str) -> tuple[Callable[[search_sql.Statement], list], Callable[[], None]]:
    """Run a Statement on a bare psycopg / sqlite3 connection; returns (run_all_rows, close)."""
    if label == "SQLite":
        conn = sqlite3.connect(make_url(url).database)
        return (lambda st: conn.execute(st.sql, st.params).fetchall()), conn.close
    dsn = make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)
    pg = psycopg.connect(dsn, autocommit=True)
    return (lambda st: pg.execute(st.sql, st.params).fetchall()), pg.close


def timed(func: Callable[[], object], repeats: int) -> list[float]:
    out = []
    for _ in range(repeats):
        started = time.perf_counter()
        func()
        out.append((time.perf_counter() - started) * 1000)
    return out


def run_mix(label: str, url: str, rows: int, repeats: int = 5) -> None:
    engine = create_engine_for(url)
    cold = ProfileSearch(engine)
    warm = ProfileSearch(engine, cache=ResultCache())
    run_bare, close_bare = bare_runner(label, url)
    page = PageRequest(limit=10)
    cases = [(name, filters, page) for name, filters in query_mix()]
    for name, filters, depth in DEEP_PAGES:
        depth = min(depth, rows // 10)
        cursor = deep_cursor(cold, filters, depth)
        if cursor:
            cases.append((f"keyset page after row {depth:,}: {name}", filters, PageRequest(page=2, limit=10,
                                                                                          cursor=cursor)))
    samples = {"cold": [], "warm": [], "bare": [], "facets": []}
    print(f"\n{label}: {rows:,} profiles, {len(cases)} queries x {repeats} runs (after one untimed run)")
    print(f"  {'query':44} {'total':>16} {'cold':>8} {'bare':>8} {'warm':>8} {'facets':>8}  (medians, ms)")
    for name, filters, req in cases:
        after = decode_cursor(filters, req.cursor) if req.cursor else None

        bare = partial(cold.execute, run_bare, filters, req, after)  # the very statements search() runs, bare cursor
        result = cold.search(filters, req)
        bare()
        warm.search(filters, req)
        cold.facets(filters)
        runs = {"cold": [], "bare": [], "warm": [], "facets": []}
        for _ in range(repeats):  # interleaved, so drift on the shared machine hits every column alike
            runs["cold"] += timed(partial(cold.search, filters, req), 1)
            runs["bare"] += timed(bare, 1)
            runs["warm"] += timed(partial(warm.search, filters, req), 1)
            runs["facets"] += timed(partial(cold.facets, filters), 1)
        for key, values in runs.items():
            samples[key] += values
        total = "(keyset page)" if req.cursor else f"{result.total_label} {result.total_kind[:5]}"
        print(f"  {name[:44]:44} {total:>16} " + " ".join(f"{statistics.median(runs[k]):8.2f}"
                                                          for k in ("cold", "bare", "warm", "facets")))
    parse_ms = timed(lambda: [parse_query(n) for n, _ in query_mix()[:9]], repeats)
    print(f"\n  {label} summary over {len(cases)} queries x {repeats} runs:")
    for key, title in (("cold", "search() cold (cache off, page + total)"), ("bare", "same SQL, bare cursor"),
                       ("warm", "search() warm (cache hit + version check)"), ("facets", "facets() cold")):
        values = samples[key]
        print(f"    {title:44} P50 {percentile(values, 0.5):8.2f} ms   P95 {percentile(values, 0.95):8.2f} ms")
    ratio = percentile(samples["cold"], 0.5) / max(percentile(samples["bare"], 0.5), 1e-9)
    print(f"    cold/bare at P50: {ratio:.2f}x; parsing a plain-language query: "
          f"{statistics.median(parse_ms) / 9:.2f} ms median")
    run_names(label, cold, warm, run_bare, repeats)
    close_bare()
    engine.dispose()


def run_names(label: str, cold: ProfileSearch, warm: ProfileSearch, run_bare, repeats: int) -> None:
    """Name searches: page + total through search() with the cache off, per group (prefix, fuzzy)."""
    prefix, fuzzy = name_mix()
    page = PageRequest(limit=10)
    print(f"\n  {label} name search ({len(prefix)} prefix + {len(fuzzy)} fuzzy queries x {repeats} runs):")
    print(f"  {'query':44} {'total':>16} {'cold':>8} {'facets':>8}  {'match'}")
    groups: dict[str, list[float]] = {"prefix": [], "fuzzy": []}
    for group, cases in (("prefix", prefix), ("fuzzy", fuzzy)):
        for name, filters in cases:
            result = cold.search(filters, page)
            cold.facets(filters)
            runs = {"cold": [], "facets": []}
            for _ in range(repeats):
                runs["cold"] += timed(partial(cold.search, filters, page), 1)
                runs["facets"] += timed(partial(cold.facets, filters), 1)
            groups[group] += runs["cold"]
            match = result.name_match
            how = match.kind if match else "-"
            if match and match.kind == "fuzzy":
                how += " → " + match.search_text
            total = f"{result.total_label} {result.total_kind[:5]}"
            print(f"  {name[:44]:44} {total:>16} {statistics.median(runs['cold']):8.2f} "
                  f"{statistics.median(runs['facets']):8.2f}  {how}")
    for group, values in groups.items():
        print(f"    name {group:7} search() cold (page + total)   P50 {percentile(values, 0.5):8.2f} ms   "
              f"P95 {percentile(values, 0.95):8.2f} ms")
    if cold.store.backend == "postgresql":
        filters = prefix[0][1]
        stmt = search_sql.page_statement("postgresql", filters, 11)
        plan = run_bare(search_sql.Statement("postgresql", "EXPLAIN " + stmt.sql, stmt.params))
        print(f"  PostgreSQL plan of the page of {prefix[0][0]!r}:")
        print("\n".join(f"    {row[0]}" for row in plan))


if __name__ == "__main__":
    sys.exit(main())
