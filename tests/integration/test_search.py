"""Search on both back ends over the 2,026 real seed profiles, checked against a plain-Python filter of the same
data."""
from __future__ import annotations

import csv
import io
import json
import random
import time
import uuid
from datetime import UTC, datetime, timedelta

import psycopg
import pytest
import sqlalchemy as sa
from sqlalchemy.engine import make_url

from insighta_desktop.db.engine import create_engine_for
from insighta_desktop.db.migrations import ensure_schema
from insighta_desktop.db.schema import profiles
from insighta_desktop.profiles.cache import ResultCache
from insighta_desktop.profiles.errors import InvalidQueryParameters, QueryError
from insighta_desktop.profiles.export import export_csv
from insighta_desktop.profiles.filters import PageRequest, build_filters
from insighta_desktop.profiles.ids import uuid7
from insighta_desktop.profiles.model import normalise_name
from insighta_desktop.profiles.search import AT_LEAST, ESTIMATE, EXACT, ProfileSearch

EPOCH = datetime(2026, 1, 1, tzinfo=UTC)


def _libpq_dsn(url: str) -> str:
    return make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)


@pytest.fixture(scope="module")
def seed(sample_data_dir):
    """The seed profiles as stored rows (ids and created_at assigned here, in file order)."""
    data = json.loads((sample_data_dir / "seed_profiles.json").read_text("utf-8"))["profiles"]
    rows = []
    for i, p in enumerate(data):
        created = EPOCH + timedelta(minutes=i * 37 % 2026, seconds=i)
        rows.append({**p, "id": str(uuid7(int(created.timestamp() * 1000))), "name_key": normalise_name(p["name"]),
                     "created_at": created})
    return rows


def insert_seed(engine, seed):
    with engine.begin() as conn:  # one multi-row INSERT, like the importer's INSERT … SELECT: one statement trigger
        conn.execute(profiles.insert().values(seed))


@pytest.fixture
def loaded(db, seed):
    """A fresh seeded database per test, for tests that change data."""
    insert_seed(db, seed)
    return db


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def shared(request, seed, tmp_path_factory):
    """One seeded database per back end for the whole module, for tests that only read."""
    if request.param == "sqlite":
        url = f"sqlite:///{(tmp_path_factory.mktemp('search') / 'seed.db').as_posix()}"
        schema_name = None
    else:
        server = request.getfixturevalue("pg_server_url")
        schema_name = f"t_search_{uuid.uuid4().hex[:10]}"
        with psycopg.connect(_libpq_dsn(server), autocommit=True) as conn:
            conn.execute(f'CREATE SCHEMA "{schema_name}"')
        url = make_url(server).update_query_dict({"options": f"-csearch_path={schema_name}"}).render_as_string(
            hide_password=False)
    engine = create_engine_for(url)
    ensure_schema(engine)
    insert_seed(engine, seed)
    yield engine
    engine.dispose()
    if schema_name:
        with psycopg.connect(_libpq_dsn(request.getfixturevalue("pg_server_url")), autocommit=True) as conn:
            conn.execute(f'DROP SCHEMA "{schema_name}" CASCADE')


def expected(rows, *, gender=None, groups=(), countries=(), min_age=None, max_age=None, min_gp=None, min_cp=None):
    """The independent oracle: each condition read straight off the stored fields."""
    out = []
    for r in rows:
        if gender and r["gender"] != gender:
            continue
        if groups and r["age_group"] not in groups:
            continue
        if countries and r["country_id"] not in countries:
            continue
        if min_age is not None and r["age"] < min_age:
            continue
        if max_age is not None and r["age"] > max_age:
            continue
        if min_gp is not None and (r["gender_probability"] is None or r["gender_probability"] < min_gp):
            continue
        if min_cp is not None and (r["country_probability"] is None or r["country_probability"] < min_cp):
            continue
        out.append(r)
    return out


def oracle(rows, f):
    """`expected` for canonical filters (age groups read from the stored age_group field, not from ages)."""
    return expected(rows, gender=f.gender, groups=f.age_groups, countries=f.country_ids, min_age=f.min_age,
                    max_age=f.max_age, min_gp=f.min_gender_probability, min_cp=f.min_country_probability)


def sort_key(sort_by):
    return {
        "age": lambda r: (r["age"], r["id"]),
        "created_at": lambda r: (r["created_at"], r["id"]),
        "name": lambda r: (r["name_key"], r["id"]),
        "gender_probability": lambda r: (r["gender_probability"], r["id"]),
    }[sort_by]


def random_conditions(rng: random.Random) -> dict:
    codes = ["NG", "KE", "GH", "ZA", "US", "GB", "CD", "CI", "ST", "EG", "ET", "AO", "FR", "ZZ_none"]
    cond: dict = {}
    if rng.random() < 0.5:
        cond["gender"] = rng.choice(["male", "female"])
    if rng.random() < 0.4:
        cond["groups"] = tuple(rng.sample(["child", "teenager", "adult", "senior"], rng.randint(1, 3)))
    if rng.random() < 0.5:
        cond["countries"] = tuple(c for c in rng.sample(codes, rng.randint(1, 4)) if c != "ZZ_none")
    if rng.random() < 0.4:
        cond["min_age"] = rng.randint(0, 80)
    if rng.random() < 0.4:
        cond["max_age"] = rng.randint(cond.get("min_age", 0), 100)
    if rng.random() < 0.3:
        cond["min_gp"] = rng.choice([0.5, 0.66, 0.8, 0.9, 0.95, 1.0])
    if rng.random() < 0.3:
        cond["min_cp"] = rng.choice([0.1, 0.25, 0.5, 0.75])
    return cond


def to_filters(cond: dict, sort_by="created_at", order="desc"):
    return build_filters(gender=cond.get("gender"), age_group=list(cond.get("groups", ())) or None,
                         country_id=list(cond.get("countries", ())) or None, min_age=cond.get("min_age"),
                         max_age=cond.get("max_age"), min_gender_probability=cond.get("min_gp"),
                         min_country_probability=cond.get("min_cp"), sort_by=sort_by, order=order)


def test_counts_and_first_pages_match_the_plain_python_filter(shared, seed):
    search = ProfileSearch(shared, count_cap=100_000)
    rng = random.Random(4)
    checked = 0
    for _ in range(70):
        cond = random_conditions(rng)
        try:
            filters = to_filters(cond)
        except InvalidQueryParameters:
            continue
        want = expected(seed, **cond)
        result = search.search(filters, PageRequest(limit=25))
        assert (result.total, result.total_kind) == (len(want), EXACT), cond
        ordered = sorted(want, key=sort_key("created_at"), reverse=True)
        assert [p.id for p in result.rows] == [r["id"] for r in ordered[:25]], cond
        checked += 1
    assert checked >= 50


SORTS = [("age", "asc"), ("age", "desc"), ("name", "asc"), ("created_at", "asc"), ("gender_probability", "desc")]


def test_keyset_pages_walk_every_match_once_in_order(shared, seed):
    search = ProfileSearch(shared)
    for sort_by, order in SORTS:
        _walk_pages(search, seed, sort_by, order)


def _walk_pages(search, seed, sort_by, order):
    cond = {"countries": ("NG", "KE", "GH"), "min_age": 18}
    filters = to_filters(cond, sort_by, order)
    page = PageRequest(limit=37)
    seen = []
    while True:
        result = search.search(filters, page)
        seen.extend(result.rows)
        if result.next_cursor is None:
            break
        page = PageRequest(page=page.page + 1, limit=37, cursor=result.next_cursor)
    want = expected(seed, **cond)
    assert len(seen) == len(want) == result.total
    got_keys = [(p.name.casefold() if sort_by == "name" else getattr(p, sort_by)) for p in seen]
    assert got_keys == sorted(got_keys, reverse=(order == "desc"))
    assert sorted(p.id for p in seen) == sorted(r["id"] for r in want)


def test_offset_pages_agree_with_keyset_pages(shared):
    search = ProfileSearch(shared)
    filters = build_filters(gender="female", sort_by="age", order="asc")
    first = search.search(filters, PageRequest(page=1, limit=20))
    by_cursor = search.search(filters, PageRequest(page=2, limit=20, cursor=first.next_cursor))
    by_offset = search.search(filters, PageRequest(page=2, limit=20))
    assert [p.id for p in by_cursor.rows] == [p.id for p in by_offset.rows]
    assert by_offset.total == first.total


def test_rows_come_back_as_profiles(shared, seed):
    result = ProfileSearch(shared).search(build_filters(country_id="CI"), PageRequest(limit=50))
    by_id = {r["id"]: r for r in seed}
    assert result.rows
    for p in result.rows:
        stored = by_id[p.id]
        assert (p.name, p.country_name, p.age, p.gender) == (stored["name"], "Côte d'Ivoire", stored["age"],
                                                             stored["gender"])
        assert p.created_at == stored["created_at"] and p.created_at.tzinfo is not None


def test_plain_language_search(shared, seed):
    result = ProfileSearch(shared).search_text("Nigerian females between ages 20 and 45")
    want = expected(seed, gender="female", countries=("NG",), min_age=20, max_age=45)
    assert result.total == len(want) > 0
    assert [i.words for i in result.interpretation] == ["Nigerian", "females", "between ages 20 and 45"]
    assert ProfileSearch(shared).search_text("top 3 oldest kenyans").limit == 3


def test_totals_with_probability_filters_are_exact_when_cheap_and_marked_when_not(shared, seed):
    search = ProfileSearch(shared, count_cap=100)
    want = len(expected(seed, min_gp=0.5))
    assert want > 100
    result = search.search(build_filters(min_gender_probability=0.5), PageRequest(limit=10))
    if shared.dialect.name == "postgresql":  # the planner's estimate, never above the exact count without it
        assert result.total_kind == ESTIMATE and 0 < result.total <= len(seed)
        assert result.total_label == f"about {result.total:,}"
    else:
        assert (result.total, result.total_kind, result.total_label) == (100, AT_LEAST, "100+")
    small = search.search(build_filters(min_gender_probability=0.5, country_id="ST"), PageRequest(limit=5))
    assert (small.total, small.total_kind) == (len(expected(seed, min_gp=0.5, countries=("ST",))), EXACT)


def test_facets_match_the_plain_python_filter(shared, seed):
    search = ProfileSearch(shared)
    for cond in ({}, {"countries": ("NG", "KE")}, {"gender": "male", "min_age": 30}, {"min_gp": 0.9},
                 {"groups": ("teenager",), "min_cp": 0.5}):
        want = expected(seed, **cond)
        facets = search.facets(to_filters(cond))
        assert facets.counted == len(want) and facets.kind == EXACT
        assert dict(facets.genders) == {g: sum(r["gender"] == g for r in want) for g in {r["gender"] for r in want}}
        decades: dict[int, int] = {}
        for r in want:
            decades[min(r["age"] // 10, 10) * 10] = decades.get(min(r["age"] // 10, 10) * 10, 0) + 1
        assert dict(facets.age_histogram) == decades
        by_country: dict[str, int] = {}
        for r in want:
            by_country[r["country_id"]] = by_country.get(r["country_id"], 0) + 1
        top = sorted(by_country.items(), key=lambda kv: (-kv[1], kv[0]))[:10]
        assert [(c, n) for c, _, n in facets.top_countries] == top


def test_facets_on_a_sample_say_so(shared, seed):
    facets = ProfileSearch(shared, facet_sample=50).facets(build_filters(min_gender_probability=0.5))
    if shared.dialect.name == "sqlite":  # the first 50 matches
        assert (facets.counted, facets.kind) == (50, "sample")
    else:  # the matches in a sample of the table's pages: all of a table this small (tests/.../test_facet_sample.py)
        matches = len(oracle(seed, build_filters(min_gender_probability=0.5)))
        assert (facets.counted, facets.kind) == (matches, "sample") and matches > 50


INJECTIONS = ["'; DROP TABLE profiles; --", "NG' OR '1'='1", "1 OR 1=1", "x') UNION SELECT * FROM profiles --",
              "%", "_", "\\", "' OR ''='"]


def test_injection_attempts_return_normal_results_or_a_clear_error(shared, seed):
    search = ProfileSearch(shared)
    for payload in INJECTIONS:
        _attempt(search, seed, payload)
    with shared.connect() as conn:
        assert conn.execute(sa.select(sa.func.count()).select_from(profiles)).scalar_one() == len(seed)
        assert conn.execute(sa.text("SELECT sum(n) FROM profile_counts")).scalar_one() == len(seed)


def _attempt(search, seed, payload):
    for field in ("gender", "age_group", "country_id", "min_age", "max_age", "min_gender_probability",
                  "min_country_probability", "sort_by", "order"):
        with pytest.raises(InvalidQueryParameters):
            build_filters(**{field: payload})
    for text in (f"women from kenya {payload}", payload):
        try:
            result = search.search_text(text)
        except QueryError:
            continue
        assert result.total == len(oracle(seed, result.filters)), text
    try:
        result = search.search_text(f"women from kenya {payload}")
    except QueryError:
        pass
    else:
        assert "KE" in result.filters.country_ids and result.filters.gender == "female"
    with pytest.raises(InvalidQueryParameters):
        search.search(build_filters(), PageRequest(cursor=payload))


def test_cursor_from_another_query_is_refused(shared):
    search = ProfileSearch(shared)
    first = search.search(build_filters(gender="male"), PageRequest(limit=5))
    with pytest.raises(InvalidQueryParameters, match="another query"):
        search.search(build_filters(gender="female"), PageRequest(page=2, limit=5, cursor=first.next_cursor))


def test_counts_table_follows_inserts_updates_and_deletes(loaded, seed):
    with loaded.begin() as conn:
        conn.execute(profiles.update().where(profiles.c.country_id == "NG").values(age=33))
        conn.execute(profiles.delete().where(profiles.c.country_id == "KE"))
        stored = conn.execute(sa.text("SELECT country_id, gender, age, count(*) FROM profiles "
                                      "GROUP BY country_id, gender, age")).all()
        counted = conn.execute(sa.text("SELECT country_id, gender, age, n FROM profile_counts")).all()
    assert sorted(map(tuple, stored)) == sorted(map(tuple, counted))


def test_cache_serves_repeats_and_drops_them_after_an_import(loaded, seed):
    search = ProfileSearch(loaded, cache=ResultCache())
    filters = build_filters(country_id="NG")
    first = search.search(filters)
    again = search.search(filters)
    assert not first.from_cache and again.from_cache and again.total == first.total
    newcomer = {**seed[0], "id": str(uuid7()), "name": "Zainab Newcomer", "name_key": "zainab newcomer",
                "country_id": "NG", "country_name": "Nigeria", "created_at": datetime.now(UTC)}
    with loaded.begin() as conn:  # an import's batch: one multi-row insert
        conn.execute(profiles.insert(), [newcomer])
    after = search.search(filters)
    assert not after.from_cache
    assert after.total == first.total + 1
    assert after.rows[0].name == "Zainab Newcomer"


def test_cache_notices_a_change_made_through_another_connection(loaded, db_url, seed):
    search = ProfileSearch(loaded, cache=ResultCache())
    filters = build_filters(country_id="GH", sort_by="age", order="desc")
    before = search.search(filters)
    other = create_engine_for(db_url)  # another client: its own engine and connections
    try:
        with other.begin() as conn:
            conn.execute(sa.text("UPDATE profiles SET age = 149 WHERE country_id = 'GH' AND name_key = :k"),
                         {"k": normalise_name(next(r["name"] for r in seed if r["country_id"] == "GH"))})
    finally:
        other.dispose()
    # Another client's change reaches this cache pushed (PostgreSQL NOTIFY) or read (SQLite): within the
    # notification delay, far below a second.
    deadline = time.monotonic() + 1.0
    after = search.search(filters)
    while after.from_cache and time.monotonic() < deadline:
        time.sleep(0.01)
        after = search.search(filters)
    assert not after.from_cache
    assert after.rows[0].age == 149 and before.rows[0].age != 149


def test_export_streams_every_match_with_formulas_neutralised(loaded, seed):
    with loaded.begin() as conn:
        conn.execute(profiles.insert(), [{**seed[0], "id": str(uuid7()), "name": "=HYPERLINK(\"x\")",
                                          "name_key": "=hyperlink(\"x\")", "country_id": "NG",
                                          "country_name": "Nigeria"}])
    out = io.StringIO()
    filters = build_filters(country_id="NG", sort_by="name", order="asc")
    written = export_csv(ProfileSearch(loaded), filters, out, batch_size=17)
    lines = list(csv.DictReader(io.StringIO(out.getvalue())))
    want = expected(seed, countries=("NG",))
    assert written == len(lines) == len(want) + 1
    assert "'=HYPERLINK(\"x\")" in [line["name"] for line in lines]
    assert sorted(line["id"] for line in lines if not line["name"].startswith("'")) == sorted(r["id"] for r in want)


def test_cache_and_counts_follow_a_real_import(loaded, seed, sample_data_dir, tmp_path):
    """The importer's own write path (COPY + INSERT … SELECT on PostgreSQL, executemany on SQLite)."""
    from insighta_desktop.ingest.pipeline import Importer, ImportOptions

    search = ProfileSearch(loaded, cache=ResultCache())
    filters = build_filters(country_id=["SN", "GH", "NG"])
    before = search.search(filters)
    assert search.search(filters).from_cache
    summary = Importer(loaded).run(sample_data_dir / "csv_samples" / "mixed-import.csv",
                                   ImportOptions(rejects_path=tmp_path / "rejects.csv"))
    assert summary.inserted > 0
    after = search.search(filters)
    assert not after.from_cache
    with loaded.connect() as conn:
        stored = conn.execute(sa.text("SELECT count(*) FROM profiles WHERE country_id IN ('SN', 'GH', 'NG')")).scalar()
        grouped = conn.execute(sa.text("SELECT country_id, gender, age, count(*) FROM profiles "
                                       "GROUP BY country_id, gender, age")).all()
        counted = conn.execute(sa.text("SELECT country_id, gender, age, n FROM profile_counts")).all()
    assert (after.total, after.total_kind) == (stored, EXACT)
    assert after.total > before.total
    assert sorted(map(tuple, grouped)) == sorted(map(tuple, counted))


def test_version_checks_survive_a_dropped_connection(loaded):
    ours: list[int] = []  # backends of this engine: other test runs share the server's database
    if loaded.dialect.name == "postgresql":
        loaded.dispose()
        sa.event.listen(loaded, "connect", lambda dbapi_conn, _record: ours.append(dbapi_conn.info.backend_pid))
    search = ProfileSearch(loaded, cache=ResultCache())
    filters = build_filters(gender="female")
    first = search.search(filters)
    if loaded.dialect.name == "postgresql":  # the connections kept for version checks are killed by the server
        watcher = search.store.watch()
        deadline = time.monotonic() + 5
        while watcher.current() is None and time.monotonic() < deadline:  # the pushed version's connection too
            time.sleep(0.01)
        search.store.expect_change()  # as after a commit here: the next check asks on the kept connection
        search.data_version()
        while watcher.current() is None and time.monotonic() < deadline:  # and the watcher has read it again
            time.sleep(0.01)
        with loaded.connect() as conn:
            killed = conn.execute(sa.text(
                "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
                "WHERE pid = ANY(:ours) AND pid <> pg_backend_pid() "
                "AND state = 'idle' AND query LIKE '%profile_data_version%'"), {"ours": ours}).scalar_one()
        assert killed == 2  # the one asked on a cache miss, and the watcher's (which reconnects)
    again = search.search(filters)
    assert again.from_cache and again.total == first.total
    search.close()
    assert search.search(filters).total == first.total
