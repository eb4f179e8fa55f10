"""Profile search over SQLite or PostgreSQL: a page of rows, an honest total, facets, and a result cache.

Totals come from `profile_counts` (exact, a few milliseconds even on millions of rows) whenever the filters use only
gender, age and country; probability filters fall back to a count that stops at `count_cap` ("10,000+"). Every
search first reads the one-row data version the triggers bump on any change, so the cache never answers for data
that has changed since — whether this app or another client changed it.
"""
from __future__ import annotations

import json
import threading
import time
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any

from sqlalchemy.engine import Connection, Engine
from sqlalchemy.pool import PoolProxiedConnection

from insighta_desktop import countries
from insighta_desktop.db.engine import psycopg_connection
from insighta_desktop.profiles import search_sql
from insighta_desktop.profiles.cache import ResultCache
from insighta_desktop.profiles.errors import InvalidQueryParameters
from insighta_desktop.profiles.filters import DEFAULT_LIMIT, PageRequest, ProfileFilters
from insighta_desktop.profiles.model import Profile
from insighta_desktop.profiles.parser import Interpretation, parse_query
from insighta_desktop.timestamps import as_utc

DEFAULT_COUNT_CAP = 10_000
DEFAULT_FACET_SAMPLE = 10_000
SERVICE_MAX_LIMIT = 1_000
TOP_COUNTRIES = 10

EXACT, AT_LEAST, ESTIMATE = "exact", "at_least", "estimate"


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

    @property
    def total_label(self) -> str:
        if self.total_kind == AT_LEAST:
            return f"{self.total:,}+"
        if self.total_kind == ESTIMATE:
            return f"about {self.total:,}"
        return f"{self.total:,}"

    def to_dict(self) -> dict[str, object]:
        return {
            "status": "success",
            "filters": self.filters.to_dict(),
            "page": self.page,
            "limit": self.limit,
            "total": self.total,
            "total_kind": self.total_kind,
            "next_cursor": self.next_cursor,
            "data": [profile_to_dict(p) for p in self.rows],
        }


@dataclass(frozen=True)
class Facets:
    genders: tuple[tuple[str, int], ...]  # (gender, count), female first
    age_histogram: tuple[tuple[int, int], ...]  # (decade start, count); 100 holds every age from 100
    top_countries: tuple[tuple[str, str, int], ...]  # (code, name, count), largest first
    counted: int  # profiles the facets describe
    kind: str  # exact | sample (the first `counted` matches only)
    elapsed_ms: float


def profile_to_dict(p: Profile) -> dict[str, object]:
    return {
        "id": p.id, "name": p.name, "gender": p.gender, "gender_probability": p.gender_probability, "age": p.age,
        "age_group": p.age_group, "country_id": p.country_id, "country_name": p.country_name,
        "country_probability": p.country_probability, "created_at": p.created_at.isoformat(),
    }


def _as_utc(value: object) -> datetime:
    """A raw driver value (SQLite answers with text) as an aware UTC datetime."""
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    assert isinstance(value, datetime)
    return as_utc(value)


# What the result cache holds: pages, facets and totals, under keys that start with "page", "facets" and "total".
CachedValue = SearchResult | Facets | tuple[int, str]


def _row_to_profile(row: Sequence[Any]) -> Profile:
    raw_id = row[0]
    profile_id = str(raw_id) if isinstance(raw_id, uuid.UUID) else str(uuid.UUID(hex=str(raw_id)))
    return Profile(id=profile_id, name=row[1], gender=row[2], gender_probability=row[3], age=row[4],
                   age_group=row[5], country_id=row[6], country_name=row[7], country_probability=row[8],
                   created_at=_as_utc(row[9]))


class ProfileSearch:
    """Search service over one engine. Thread-safe: the GUI runs it on worker threads."""

    def __init__(
        self,
        engine: Engine,
        *,
        cache: ResultCache[CachedValue] | None = None,
        count_cap: int = DEFAULT_COUNT_CAP,
        facet_sample: int = DEFAULT_FACET_SAMPLE,
        max_limit: int = SERVICE_MAX_LIMIT,
        clock: Callable[[], float] = time.perf_counter,
    ) -> None:
        self.engine = engine
        self.dialect = engine.dialect.name
        self.cache = cache
        self.count_cap = count_cap
        self.facet_sample = facet_sample
        self.max_limit = max_limit
        self._clock = clock
        self._version_lock = threading.Lock()
        self._version_conn: PoolProxiedConnection | None = None  # PostgreSQL: kept for version checks

    def close(self) -> None:
        """Give back the connection kept for version checks (the service still works afterwards)."""
        with self._version_lock:
            self._release_version_connection(invalidate=False)

    # -- public API ------------------------------------------------------------------------------------------------
    def data_version(self) -> int:
        """The profiles' data version; on PostgreSQL one round trip on a kept connection, so a cache hit needs
        no pool checkout (and no pre-ping) at all."""
        if self.dialect != "postgresql":
            with self._connect() as conn:
                return self._version(conn)
        with self._version_lock:
            for attempt in (1, 2):
                try:
                    if self._version_conn is None:
                        fairy = self.engine.raw_connection()
                        psycopg_connection(fairy).autocommit = True
                        self._version_conn = fairy
                    row = psycopg_connection(self._version_conn).execute(search_sql.DATA_VERSION_SQL).fetchone()
                    assert row is not None  # an aggregate: always one row
                    return int(row[0] or 0)
                except Exception:
                    self._release_version_connection(invalidate=True)
                    if attempt == 2:
                        raise
        raise AssertionError("unreachable")

    def _release_version_connection(self, *, invalidate: bool) -> None:
        fairy, self._version_conn = self._version_conn, None
        if fairy is None:
            return
        try:
            if invalidate:
                fairy.invalidate()
            else:
                psycopg_connection(fairy).autocommit = False
                fairy.close()
        except Exception:  # a broken connection is dropped either way
            pass

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
        after = search_sql.decode_cursor(filters, page.cursor, self.dialect) if page.cursor else None
        key = ("page", filters.cache_key(), page.page, page.limit, page.cursor)
        version = self.data_version() if self.cache is not None else None
        if self.cache is not None:
            hit = self.cache.get(key, version)
            if isinstance(hit, SearchResult):
                return replace(hit, from_cache=True, interpretation=interpretation, unknown_words=unknown_words,
                               elapsed_ms=(self._clock() - started) * 1000)
        with self._connect() as conn:
            raw_rows, more, total, kind = self.execute(
                lambda st: conn.exec_driver_sql(st.sql, st.params).all(), filters, page, after, version)
        next_cursor = None
        if more:
            last = raw_rows[-1]
            _, index = search_sql.SORT_EXPRESSIONS[filters.sort_by]
            sort_value = last[index] if last[index] is not None or filters.sort_by != "gender_probability" else -1.0
            next_cursor = search_sql.encode_cursor(filters, sort_value, last[0])
        result = SearchResult(
            rows=tuple(_row_to_profile(r) for r in raw_rows), total=total, total_kind=kind, page=page.page,
            limit=page.limit, filters=filters, next_cursor=next_cursor, elapsed_ms=0.0,
            interpretation=interpretation, unknown_words=unknown_words)
        if self.cache is not None:
            self.cache.put(key, version, result)
        return replace(result, elapsed_ms=(self._clock() - started) * 1000)

    def execute(self, run: Callable[[search_sql.Statement], Sequence[Any]], filters: ProfileFilters,
                page: PageRequest, after: tuple[object, object] | None = None,
                version: int | None = None) -> tuple[Sequence[Any], bool, int, str]:
        """The statements behind one uncached page, each run through `run` (returns all rows): the page's rows,
        whether more follow, the total and its kind. The benchmark passes a bare cursor here."""
        offset = 0 if after is not None else (page.page - 1) * page.limit
        bound, hint = None, None
        if self.dialect == "sqlite":
            # SQLite's planner prefers the filter's index plus a sort even when most rows match; the exact match
            # count says when walking the sort order's index finds the page sooner.
            bound = int(run(search_sql.counts_statement(self.dialect, filters))[0][0] or 0)
            stored = int(run(search_sql.Statement(self.dialect, search_sql.ROW_ESTIMATE_SQL))[0][0] or 0)
            hint = search_sql.sqlite_sort_index(filters, bound, stored, offset + page.limit + 1)
        stmt = search_sql.page_statement(self.dialect, filters, page.limit + 1, offset=offset, after=after,
                                         index_hint=hint)
        raw_rows = run(stmt)
        more = len(raw_rows) > page.limit
        raw_rows = raw_rows[:page.limit]
        if not more and after is None and (raw_rows or offset == 0):
            return raw_rows, more, offset + len(raw_rows), EXACT
        total, kind = self._total(lambda st: run(st)[0][0], filters, version, bound)
        return raw_rows, more, total, kind

    def facets(self, filters: ProfileFilters) -> Facets:
        started = self._clock()
        key = ("facets", filters.cache_key())
        version = self.data_version() if self.cache is not None else None
        if self.cache is not None:
            hit = self.cache.get(key, version)
            if isinstance(hit, Facets):
                return replace(hit, elapsed_ms=(self._clock() - started) * 1000)
        with self._connect() as conn:
            stmt = search_sql.facets_statement(self.dialect, filters, self.facet_sample)
            rows = conn.exec_driver_sql(stmt.sql, stmt.params).all()
        genders: dict[str, int] = {}
        decades: dict[int, int] = {}
        by_country: dict[str, int] = {}
        for facet, value, count in rows:
            count = int(count)
            if facet == "g":
                genders[value] = genders.get(value, 0) + count
            elif facet == "a":
                decade = min(int(value), 10) * 10
                decades[decade] = decades.get(decade, 0) + count
            else:
                by_country[value] = by_country.get(value, 0) + count
        counted = sum(genders.values())
        exact = search_sql.counts_cover(filters) or counted < self.facet_sample
        top = sorted(by_country.items(), key=lambda item: (-item[1], item[0]))[:TOP_COUNTRIES]
        result = Facets(
            genders=tuple(sorted(genders.items())),
            age_histogram=tuple(sorted(decades.items())),
            top_countries=tuple((code, _country_name(code), n) for code, n in top),
            counted=counted, kind=EXACT if exact else "sample", elapsed_ms=0.0)
        if self.cache is not None:
            self.cache.put(key, version, result)
        return replace(result, elapsed_ms=(self._clock() - started) * 1000)

    # -- internals -------------------------------------------------------------------------------------------------
    def _check_page(self, page: PageRequest) -> None:
        if not isinstance(page.page, int) or page.page < 1:
            raise InvalidQueryParameters(f"page {page.page} is below 1")
        if not isinstance(page.limit, int) or page.limit < 1:
            raise InvalidQueryParameters(f"limit {page.limit} is below 1")
        if page.limit > self.max_limit:
            raise InvalidQueryParameters(f"limit {page.limit} is above {self.max_limit}")

    def _connect(self) -> Connection:
        conn = self.engine.connect()
        if self.dialect == "postgresql":
            # Reads only: no BEGIN/ROLLBACK round trips around them.
            conn = conn.execution_options(isolation_level="AUTOCOMMIT")
        return conn

    def _version(self, conn: Connection) -> int:
        return int(conn.exec_driver_sql(search_sql.DATA_VERSION_SQL).scalar_one())

    def _total(self, run: Callable[[search_sql.Statement], Any], filters: ProfileFilters, version: int | None,
               bound: int | None = None) -> tuple[int, str]:
        key = ("total", filters.cache_key())
        if self.cache is not None:
            hit = self.cache.get(key, version)
            if isinstance(hit, tuple):
                return hit
        answer = self.count_with(run, filters, bound)
        if self.cache is not None:
            self.cache.put(key, version, answer)
        return answer

    def count_with(self, run: Callable[[search_sql.Statement], Any], filters: ProfileFilters,
                   bound: int | None = None) -> tuple[int, str]:
        """The total and its kind, running each statement through `run` (which returns the first column of the
        first row): exact when cheap; otherwise the planner's estimate (PostgreSQL) or a capped count (SQLite).
        `bound` is the gender/age/country count when the caller has it already."""
        if bound is None:
            bound = int(run(search_sql.counts_statement(self.dialect, filters)))
        if search_sql.counts_cover(filters) or bound == 0:
            return bound, EXACT
        if bound <= self.count_cap:
            return int(run(search_sql.count_statement(self.dialect, filters))), EXACT
        if self.dialect == "postgresql":
            plan = run(search_sql.estimate_statement(self.dialect, filters))
            plan = json.loads(plan) if isinstance(plan, str) else plan
            estimate = int(plan[0]["Plan"]["Plan Rows"])
            return max(1, min(estimate, bound)), ESTIMATE
        counted = int(run(search_sql.count_statement(self.dialect, filters, self.count_cap)))
        return (counted, EXACT) if counted <= self.count_cap else (self.count_cap, AT_LEAST)


def _country_name(code: str) -> str:
    country = countries.by_alpha2(code)
    return country.name if country else code
