"""Profile search over SQLite or PostgreSQL: a page of rows, an honest total, facets, and a result cache.

Totals come from `profile_counts` (exact, a few milliseconds even on millions of rows) whenever the filters use only
gender, age and country; probability filters fall back to a count that stops at `count_cap` ("10,000+"). Every
search first reads the one-row data version the triggers bump on any change, so the cache never answers for data
that has changed since — whether this app or another client changed it.
"""
from __future__ import annotations

import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any, TypeVar

from insighta_desktop import countries
from insighta_desktop.db.profile_rows import profile_from_row
from insighta_desktop.db.profile_store import (
    AT_LEAST,
    ESTIMATE,
    EXACT,
    ProfileStore,
    StatementRunner,
    profile_store_for,
    run_together,
    sort_value,
)
from insighta_desktop.db.search_sql import counts_cover
from insighta_desktop.profiles.cache import ResultCache
from insighta_desktop.profiles.cursors import decode_cursor, encode_cursor
from insighta_desktop.profiles.errors import InvalidQueryParameters
from insighta_desktop.profiles.filters import DEFAULT_LIMIT, PageRequest, ProfileFilters
from insighta_desktop.profiles.model import Profile
from insighta_desktop.profiles.names import NameMatch
from insighta_desktop.profiles.parser import Interpretation, parse_query

if TYPE_CHECKING:
    from sqlalchemy.engine import Engine

DEFAULT_COUNT_CAP = 10_000
DEFAULT_FACET_SAMPLE = 10_000
SERVICE_MAX_LIMIT = 1_000
TOP_COUNTRIES = 10
# Pages by number reach this many rows deep: OFFSET reads and drops every row before the page; deeper pages are
# reached by keyset cursor.
MAX_OFFSET = 10_000

__all__ = ["AT_LEAST", "ESTIMATE", "EXACT", "Facets", "ProfileSearch", "SearchResult"]


@dataclass(frozen=True)
class SearchResult:
    rows: tuple[Profile, ...]
    total: int
    total_kind: str  # exact | at_least | estimate
    page: int
    limit: int
    filters: ProfileFilters
    next_cursor: str | None
    elapsed_ms: float
    from_cache: bool = False
    interpretation: tuple[Interpretation, ...] = ()
    unknown_words: tuple[str, ...] = ()
    name_match: NameMatch | None = None  # how the name filter was matched (prefix or fuzzy), when there is one

    @property
    def total_label(self) -> str:
        if self.total_kind == AT_LEAST:
            return f"{self.total:,}+"
        if self.total_kind == ESTIMATE:
            return f"about {self.total:,}"
        return f"{self.total:,}"

    def to_dict(self) -> dict[str, object]:
        out: dict[str, object] = {
            "status": "success",
            "filters": self.filters.to_dict(),
            "page": self.page,
            "limit": self.limit,
            "total": self.total,
            "total_kind": self.total_kind,
            "next_cursor": self.next_cursor,
            "data": [profile_to_dict(p) for p in self.rows],
        }
        if self.name_match is not None:
            out["name_match"] = self.name_match.to_dict()
        return out


@dataclass(frozen=True)
class Facets:
    genders: tuple[tuple[str, int], ...]  # (gender, count), female first
    age_histogram: tuple[tuple[int, int], ...]  # (decade start, count); 100 holds every age from 100
    top_countries: tuple[tuple[str, str, int], ...]  # (code, name, count), largest first
    counted: int  # profiles the facets describe
    kind: str  # exact | sample (`counted` matches: spread over the table on PostgreSQL, the first read on SQLite)
    elapsed_ms: float
    countries: tuple[tuple[str, int], ...] = ()  # (code, count) of every country with a match, by code


def profile_to_dict(p: Profile) -> dict[str, object]:
    return {
        "id": p.id, "name": p.name, "gender": p.gender, "gender_probability": p.gender_probability, "age": p.age,
        "age_group": p.age_group, "country_id": p.country_id, "country_name": p.country_name,
        "country_probability": p.country_probability, "created_at": p.created_at.isoformat(),
    }


T = TypeVar("T")

# What the result cache holds: pages, facets and totals, under keys that start with "page", "facets" and "total".
CachedValue = SearchResult | Facets | tuple[int, str]


class ProfileSearch:
    """Search service over one profile store. Thread-safe: the GUI runs it on worker threads."""

    def __init__(
        self,
        store: ProfileStore | Engine,
        *,
        cache: ResultCache[CachedValue] | None = None,
        count_cap: int = DEFAULT_COUNT_CAP,
        facet_sample: int = DEFAULT_FACET_SAMPLE,
        max_limit: int = SERVICE_MAX_LIMIT,
        max_offset: int = MAX_OFFSET,
        clock: Callable[[], float] = time.perf_counter,
    ) -> None:
        self.store = store if isinstance(store, ProfileStore) else profile_store_for(store)
        self.cache = cache
        self.count_cap = count_cap
        self.facet_sample = facet_sample
        self.max_limit = max_limit
        self.max_offset = max_offset
        self._clock = clock
        if cache is not None:
            self.store.watch()  # the data version pushed to us: a cache hit costs no round trip

    def close(self) -> None:
        """Stop following the data version and give back the store's connections (the service still works
        afterwards, asking the server for the version)."""
        self.store.close()

    def on_data_change(self, callback: Callable[[int], None]) -> Callable[[], None]:
        """Call `callback(version)` when any client changes the profiles (on a background thread, within about the
        notification delay); returns the function that stops it."""
        return self.store.subscribe(callback)

    # -- public API ------------------------------------------------------------------------------------------------
    def data_version(self) -> int:
        """The profiles' data version (changes with every write, by any client)."""
        return self.store.data_version()

    def search_text(self, text: str, page: PageRequest | None = None) -> SearchResult:
        """Parse plain language and search; a limit in the text ("top 20") applies when `page` gives none."""
        parsed = parse_query(text)
        if page is None:
            page = PageRequest(limit=parsed.limit or DEFAULT_LIMIT)
        return self.search(parsed.filters, page, interpretation=parsed.interpretation,
                           unknown_words=parsed.unknown_words)

    def search(self, filters: ProfileFilters, page: PageRequest | None = None, *,
               interpretation: tuple[Interpretation, ...] = (), unknown_words: tuple[str, ...] = ()) -> SearchResult:
        started = self._clock()
        page = page or PageRequest()
        self._check_page(page)
        after = decode_cursor(filters, page.cursor) if page.cursor else None
        key = self._page_key(filters, page)
        version = self.data_version() if self.cache is not None else None
        hit = self._cached(key, version, SearchResult)
        if hit is not None:
            return replace(hit, from_cache=True, interpretation=interpretation, unknown_words=unknown_words,
                           elapsed_ms=(self._clock() - started) * 1000)
        with self.store.reading() as run:
            effective, name_match = self.store.resolve(run, filters, self.count_cap)
            raw_rows, more, total, kind = self.execute(run, effective, page, after, version)
        result = self._page_result(filters, page, raw_rows, more, total, kind, interpretation, unknown_words,
                                   name_match)
        self._put(key, version, result)
        return replace(result, elapsed_ms=(self._clock() - started) * 1000)

    def search_with_facets(self, filters: ProfileFilters, page: PageRequest | None = None, *,
                           interpretation: tuple[Interpretation, ...] = (), unknown_words: tuple[str, ...] = (),
                           country_counts: bool = False) -> tuple[SearchResult, Facets, Facets | None]:
        """What the Profiles tab asks on Enter: the page, its total and the facets, plus (`country_counts`, with
        a country condition) the facets without it, for the filter panel's counts. On PostgreSQL one round trip
        for all of it (pipelined); elsewhere, or for a page by number past the first, the calls one by one."""
        started = self._clock()
        page = page or PageRequest()
        self._check_page(page)
        facet_filters = [filters] + ([filters.without("country_id")] if country_counts and filters.country_ids
                                     else [])
        after = decode_cursor(filters, page.cursor) if page.cursor else None
        # A name is matched first (a prefix, or similar words), so it goes the one-by-one way.
        together = None if (after is None and page.page > 1) or filters.name else self.store.page_total_statements(
            filters, page.limit, cap=self.count_cap, after=after)
        if together is None:
            result = self.search(filters, page, interpretation=interpretation, unknown_words=unknown_words)
            each = [self.facets(f) for f in facet_filters]
            return result, each[0], each[1] if len(each) > 1 else None
        version = self.data_version() if self.cache is not None else None
        key = self._page_key(filters, page)
        cached = self._cached(key, version, SearchResult)
        found: list[Facets | None] = [self._cached(("facets", f.cache_key()), version, Facets)
                                      for f in facet_filters]
        statements = [] if cached is not None else list(together)
        statements += [self.store.facet_statement(f, self.facet_sample)
                       for f, hit in zip(facet_filters, found, strict=True) if hit is None]
        answers: Iterator[Sequence[Any]] = iter([])
        if statements:
            with self.store.reading() as run:
                answers = iter(run_together(run, statements))
        if cached is not None:
            result = replace(cached, from_cache=True, interpretation=interpretation, unknown_words=unknown_words)
        else:
            answer = self.store.page_total(
                [next(answers) for _ in together], filters, page.limit, cap=self.count_cap, first=after is None)
            result = self._page_result(filters, page, answer.rows, answer.more, answer.total, answer.kind,
                                       interpretation, unknown_words)
            self._put(key, version, result)
        facets: list[Facets] = []
        for f, hit in zip(facet_filters, found, strict=True):
            if hit is None:
                hit = self._facets_from_rows(f, next(answers))
                self._put(("facets", f.cache_key()), version, hit)
            facets.append(hit)
        elapsed = (self._clock() - started) * 1000
        facets = [replace(f, elapsed_ms=elapsed) for f in facets]
        return replace(result, elapsed_ms=elapsed), facets[0], facets[1] if len(facets) > 1 else None

    def cached_search_with_facets(self, filters: ProfileFilters, page: PageRequest | None = None, *,
                                  interpretation: tuple[Interpretation, ...] = (),
                                  unknown_words: tuple[str, ...] = (), country_counts: bool = False,
                                  ) -> tuple[SearchResult, Facets, Facets | None] | None:
        """search_with_facets's answer when the cache holds all of it for the data version the server pushed; None
        otherwise (or when the version is not known without asking). Never touches the network, so the GUI thread
        may call it: a search asked again is shown at once, without a worker thread or a round trip."""
        started = self._clock()
        page = page or PageRequest()
        version = self.store.version_without_asking() if self.cache is not None else None
        if version is None:
            return None
        result = self._cached(self._page_key(filters, page), version, SearchResult)
        if result is None:
            return None
        facets = self._cached(("facets", filters.cache_key()), version, Facets)
        others: Facets | None = None
        if country_counts and filters.country_ids:
            others = self._cached(("facets", filters.without("country_id").cache_key()), version, Facets)
            if others is None:
                return None
        if facets is None:
            return None
        elapsed = (self._clock() - started) * 1000
        return (replace(result, from_cache=True, interpretation=interpretation, unknown_words=unknown_words,
                        elapsed_ms=elapsed),
                replace(facets, elapsed_ms=elapsed), None if others is None else replace(others, elapsed_ms=elapsed))

    def _page_key(self, filters: ProfileFilters, page: PageRequest) -> tuple[object, ...]:
        return ("page", filters.cache_key(), page.page, page.limit, page.cursor)

    def _cached(self, key: tuple[object, ...], version: int | None, kind: type[T]) -> T | None:
        if self.cache is None:
            return None
        hit = self.cache.get(key, version)
        return hit if isinstance(hit, kind) else None

    def _put(self, key: tuple[object, ...], version: int | None, value: CachedValue) -> None:
        if self.cache is not None:
            self.cache.put(key, version, value)

    def _page_result(self, filters: ProfileFilters, page: PageRequest, raw_rows: Sequence[Any], more: bool,
                     total: int, kind: str, interpretation: tuple[Interpretation, ...],
                     unknown_words: tuple[str, ...], name_match: NameMatch | None = None) -> SearchResult:
        next_cursor = None
        if more:
            last = raw_rows[-1]
            next_cursor = encode_cursor(filters, sort_value(filters, last), last[0])
        return SearchResult(
            rows=tuple(profile_from_row(r) for r in raw_rows), total=total, total_kind=kind, page=page.page,
            limit=page.limit, filters=filters, next_cursor=next_cursor, elapsed_ms=0.0,
            interpretation=interpretation, unknown_words=unknown_words, name_match=name_match)

    def execute(self, run: StatementRunner, filters: ProfileFilters, page: PageRequest,
                after: tuple[object, object] | None = None,
                version: int | None = None) -> tuple[Sequence[Any], bool, int, str]:
        """The statements behind one uncached page, each run through `run` (returns all rows): the page's rows,
        whether more follow, the total and its kind. The benchmark passes a bare cursor here.

        A page by number past the first is checked against the total before any row is read: past the last page it
        is refused, naming the last page; deeper than `max_offset` rows it is refused too, since OFFSET reads and
        drops every row before the page (keyset cursors serve deep pages)."""
        known: tuple[int, str] | None = None
        offset = 0
        if after is None and page.page > 1:
            known = self._total(run, filters, version)
            self._check_depth(page, *known)
            offset = (page.page - 1) * page.limit
        together = None if offset else self.store.page_total_statements(filters, page.limit, cap=self.count_cap,
                                                                        after=after)
        if together is not None:  # PostgreSQL: the page and its total in one round trip
            answer = self.store.page_total(run_together(run, together), filters, page.limit, cap=self.count_cap,
                                           first=after is None)
            return answer.rows, answer.more, answer.total, answer.kind
        rows = self.store.page(run, filters, page.limit, offset=offset, after=after)
        if not rows.more and after is None and (rows.rows or offset == 0):
            return rows.rows, rows.more, offset + len(rows.rows), EXACT
        total, kind = known or self._total(run, filters, version, rows.bound)
        return rows.rows, rows.more, total, kind

    def facets(self, filters: ProfileFilters) -> Facets:
        started = self._clock()
        key = ("facets", filters.cache_key())
        version = self.data_version() if self.cache is not None else None
        hit = self._cached(key, version, Facets)
        if hit is not None:
            return replace(hit, elapsed_ms=(self._clock() - started) * 1000)
        with self.store.reading() as run:
            rows = self.store.facet_rows(run, self.store.resolve(run, filters)[0], self.facet_sample)
        result = self._facets_from_rows(filters, rows)
        self._put(key, version, result)
        return replace(result, elapsed_ms=(self._clock() - started) * 1000)

    def _facets_from_rows(self, filters: ProfileFilters, rows: Sequence[Any]) -> Facets:
        genders: dict[str, int] = {}
        decades: dict[int, int] = {}
        by_country: dict[str, int] = {}
        spread = False  # PostgreSQL: the rows are a sample spread over the table (db/search_sql.py)
        for facet, value, count in rows:
            count = int(count)
            if facet == "s":
                spread = True
            elif facet == "g":
                genders[value] = genders.get(value, 0) + count
            elif facet == "a":
                decade = min(int(value), 10) * 10
                decades[decade] = decades.get(decade, 0) + count
            else:
                by_country[value] = by_country.get(value, 0) + count
        counted = sum(genders.values())
        exact = counts_cover(filters) or (counted < self.facet_sample and not spread)
        top = sorted(by_country.items(), key=lambda item: (-item[1], item[0]))[:TOP_COUNTRIES]
        return Facets(
            genders=tuple(sorted(genders.items())),
            age_histogram=tuple(sorted(decades.items())),
            top_countries=tuple((code, _country_name(code), n) for code, n in top),
            counted=counted, kind=EXACT if exact else "sample", elapsed_ms=0.0,
            countries=tuple(sorted(by_country.items())))

    def country_facet(self, filters: ProfileFilters) -> Facets:
        """The facets of these filters without their country condition: how many would match in each country
        (the filter panel's counts). The same facet query as `facets`, so it shares its cache."""
        return self.facets(filters.without("country_id"))

    # -- internals -------------------------------------------------------------------------------------------------
    def _check_page(self, page: PageRequest) -> None:
        if not isinstance(page.page, int) or page.page < 1:
            raise InvalidQueryParameters(f"page {page.page} is below 1")
        if not isinstance(page.limit, int) or page.limit < 1:
            raise InvalidQueryParameters(f"limit {page.limit} is below 1")
        if page.limit > self.max_limit:
            raise InvalidQueryParameters(f"limit {page.limit} is above {self.max_limit}")

    def _check_depth(self, page: PageRequest, total: int, kind: str) -> None:
        last = max(1, -(-total // page.limit))
        if kind == EXACT and page.page > last:
            raise InvalidQueryParameters(f"page {page.page:,} is past the last page ({last:,} at {page.limit} "
                                         f"per page)")
        deepest = self.max_offset // page.limit + 1
        if page.page > deepest:
            where = f"the last page is about {last:,}" if kind == ESTIMATE else (
                f"more than {total:,} match" if kind == AT_LEAST else f"the last page is {last:,}")
            raise InvalidQueryParameters(
                f"page {page.page:,} is too deep to reach by number (pages 1-{deepest:,} at {page.limit} per page; "
                f"{where}): go on from a page with its next cursor")

    def _total(self, run: StatementRunner, filters: ProfileFilters, version: int | None,
               bound: int | None = None) -> tuple[int, str]:
        key = ("total", filters.cache_key())
        if self.cache is not None:
            hit = self.cache.get(key, version)
            if isinstance(hit, tuple):
                return hit
        answer = self.store.total(run, filters, cap=self.count_cap, bound=bound)
        if self.cache is not None:
            self.cache.put(key, version, answer)
        return answer


def _country_name(code: str) -> str:
    country = countries.by_alpha2(code)
    return country.name if country else code
