"""Facets of more matches than the sample holds (PostgreSQL): a sample spread over the table's pages, not the first
matches the plan reads. Here both the table (a file sorted by country) and the index on gender_probability (the
lowest probabilities are all Angola's) hold the matches country by country, so "the first 200" were all Angolan; the
spread sample sees every country in its share."""
from __future__ import annotations

import csv

from insighta_desktop.db.engine import create_engine_for
from insighta_desktop.ingest.pipeline import Importer, ImportOptions
from insighta_desktop.profiles.filters import build_filters
from insighta_desktop.profiles.search import ProfileSearch

COUNTRIES = {"AO": 0.90, "GH": 0.93, "KE": 0.95, "NG": 0.97}  # each country's gender probabilities start here


def test_a_sample_of_the_facets_is_spread_over_every_country(ready_pg_url, tmp_path):
    path = tmp_path / "spread.csv"
    with path.open("w", newline="", encoding="utf-8") as fh:
        out = csv.writer(fh)
        out.writerow(["name", "gender", "age", "country_id", "gender_probability", "country_probability"])
        for i in range(3_000):  # country by country, as a file sorted by country: the first pages are Angola's
            code = list(COUNTRIES)[i // 750]
            out.writerow([f"Spread {i}", "female", "30", code, f"{COUNTRIES[code] + (i % 7) / 1000:.3f}", "0.5"])
    engine = create_engine_for(ready_pg_url)
    try:
        options = ImportOptions(rejects_path=tmp_path / "r.csv", progress_interval=0)
        assert Importer(engine).run(path, options).inserted == 3_000
        search = ProfileSearch(engine, facet_sample=200, cache=None)
        facets = search.facets(build_filters(min_gender_probability=0.9))
        assert facets.kind == "sample"
        shares = {code: n / facets.counted for code, n in facets.countries}
        assert set(shares) == set(COUNTRIES)
        assert all(abs(share - 0.25) < 0.05 for share in shares.values()), shares
        # Fewer matches than the sample holds: all of them, exactly.
        small = search.facets(build_filters(min_gender_probability=0.976))
        assert small.kind == "exact"
        assert small.counted == sum(1 for i in range(2_250, 3_000) if i % 7 == 6) < 200
    finally:
        engine.dispose()


def test_a_name_with_filters_keeps_the_first_matches_of_its_words(ready_pg_url, tmp_path):
    """A name's matches come from its words (profile id order): the first `sample` of them, not a page sample."""
    path = tmp_path / "named.csv"
    with path.open("w", newline="", encoding="utf-8") as fh:
        out = csv.writer(fh)
        out.writerow(["name", "gender", "age", "country_id", "gender_probability", "country_probability"])
        out.writerows([f"Person {i} {'Kalonji' if i % 10 == 0 else 'Other'}", "female", "30", "CD", "0.9", "0.5"]
                      for i in range(3_000))
    engine = create_engine_for(ready_pg_url)
    try:
        options = ImportOptions(rejects_path=tmp_path / "r.csv", progress_interval=0)
        assert Importer(engine).run(path, options).inserted == 3_000
        facets = ProfileSearch(engine, facet_sample=100, cache=None).facets(
            build_filters(name="kalonji", min_gender_probability=0.5))
        assert (facets.kind, facets.counted) == ("sample", 100)
    finally:
        engine.dispose()


def test_the_page_sample_decides_whether_the_matches_are_many(ready_pg_url, tmp_path, monkeypatch):
    """The page sample is read first: when its matches, scaled up by the share of the table it read, stand for the
    sample's size or more, it is the sample; else every match is counted (up to the sample's size)."""
    from insighta_desktop.db import search_sql

    path = tmp_path / "share.csv"
    with path.open("w", newline="", encoding="utf-8") as fh:
        out = csv.writer(fh)
        out.writerow(["name", "gender", "age", "country_id", "gender_probability", "country_probability"])
        out.writerows([f"Share {i}", "male", "40", "GH", "0.99" if i % 20 == 0 else "0.8", "0.5"]
                      for i in range(4_000))
    engine = create_engine_for(ready_pg_url)
    try:
        options = ImportOptions(rejects_path=tmp_path / "r.csv", progress_interval=0)
        assert Importer(engine).run(path, options).inserted == 4_000
        with engine.begin() as conn:
            conn.exec_driver_sql("ANALYZE profiles")  # the share of the table read comes from its row count
        monkeypatch.setattr(search_sql, "SPREAD_ROWS", 1_000)  # a quarter of the table's pages
        search = ProfileSearch(engine, facet_sample=300, cache=None)
        many = search.facets(build_filters(min_gender_probability=0.5))  # 4,000 matches
        assert many.kind == "sample" and 0 < many.counted < 4_000
        few = search.facets(build_filters(min_gender_probability=0.95))  # 200 matches: fewer than the sample
        assert (few.kind, few.counted) == ("exact", 200)
    finally:
        engine.dispose()
