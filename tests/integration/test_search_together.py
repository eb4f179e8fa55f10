"""The page, total and facets asked together (the Profiles tab's Enter; one round trip on PostgreSQL) give exactly
what the separate calls give, on both back ends, cached or not."""
from __future__ import annotations

import pytest

from insighta_desktop.demo.loader import load_demo_data
from insighta_desktop.profiles.cache import ResultCache
from insighta_desktop.profiles.filters import PageRequest, build_filters
from insighta_desktop.profiles.parser import parse_query
from insighta_desktop.profiles.search import ProfileSearch

CASES = [
    build_filters(),
    build_filters(gender="female", min_age=20, max_age=45, country_id=["NG", "GH"]),
    parse_query("gender probability at least 0.9").filters,
    parse_query("men from NG, country probability >= 0.8 by name").filters,
    build_filters(country_id="IS", min_age=99),  # (almost surely) no match
]


@pytest.fixture
def demo(db):
    load_demo_data(db, profiles=400, interviews=0)
    return db


def _same(a, b):
    assert (a.rows, a.total, a.total_kind, a.next_cursor) == (b.rows, b.total, b.total_kind, b.next_cursor)


@pytest.mark.parametrize("cached", [False, True])
def test_together_equals_one_by_one(demo, cached):
    together = ProfileSearch(demo, cache=ResultCache() if cached else None, count_cap=50)
    apart = ProfileSearch(demo, count_cap=50)
    try:
        for filters in CASES:
            for _ in range(2 if cached else 1):  # the second time from the cache
                result, facets, countries = together.search_with_facets(filters, PageRequest(limit=7),
                                                                         country_counts=True)
                _same(result, apart.search(filters, PageRequest(limit=7)))
                expected = apart.facets(filters)
                assert (facets.genders, facets.age_histogram, facets.top_countries, facets.counted, facets.kind) == (
                    expected.genders, expected.age_histogram, expected.top_countries, expected.counted,
                    expected.kind)
                if filters.country_ids:
                    assert countries is not None
                    assert countries.countries == apart.country_facet(filters).countries
                else:
                    assert countries is None
            if result.next_cursor:  # the next page by keyset, together too
                request = PageRequest(limit=7, cursor=result.next_cursor)
                _same(together.search_with_facets(filters, request)[0], apart.search(filters, request))
        second = PageRequest(page=2, limit=7)  # a page by number: the calls one by one
        _same(together.search_with_facets(build_filters(), second)[0], apart.search(build_filters(), second))
    finally:
        together.close()
        apart.close()
