"""ProfileSearch.cached_search_with_facets, the Profiles tab's answer without a worker: what search_with_facets would
give, from the cache, only when the data version is known without asking (pushed, on PostgreSQL); None otherwise,
and None again as soon as another client's write has changed the version."""
from __future__ import annotations

from insighta_desktop.demo.loader import load_demo_data
from insighta_desktop.profiles.cache import ResultCache
from insighta_desktop.profiles.filters import PageRequest, build_filters
from insighta_desktop.profiles.search import ProfileSearch
from tests.integration.test_data_version_watch import _insert_from_another_client, _wait_for


def test_answers_from_the_cache_only_for_the_pushed_version(db, db_url):
    load_demo_data(db, profiles=300, interviews=0)
    search = ProfileSearch(db, cache=ResultCache())
    try:
        watcher = search.store.watch()
        _wait_for(lambda: watcher.mode in ("listening", "polling"))
        page = PageRequest(limit=20)
        for filters in (build_filters(gender="female", country_id=["NG", "KE"]), build_filters(min_age=30)):
            assert search.cached_search_with_facets(filters, page, country_counts=True) is None  # never asked
            result, facets, others = search.search_with_facets(filters, page, country_counts=True)
            cached = search.cached_search_with_facets(filters, page, country_counts=True)
            if db.dialect.name != "postgresql":
                assert cached is None  # SQLite reads its version on every search: nothing is answered without it
                continue
            assert cached is not None
            assert cached[0].from_cache and cached[0].rows == result.rows and cached[0].total == result.total
            assert cached[1].countries == facets.countries
            assert (cached[2] is None) == (others is None)
            if others is not None:
                assert cached[2] is not None and cached[2].countries == others.countries
        if db.dialect.name == "postgresql":
            filters = build_filters(min_age=30)
            _insert_from_another_client(db_url, "Ada Cached")
            _wait_for(lambda: search.cached_search_with_facets(filters, page, country_counts=True) is None)
    finally:
        search.close()
