"""One profile store per back end (SQLite, PostgreSQL) behind one interface: every profile statement lives here.

The services in profiles/ and ingest/ pass dataclasses (ProfileFilters, ProfileBatch) and get rows, Profiles and
counts back; they never see SQL, a dialect name or a driver connection. Search statements run through a
`StatementRunner` (a Statement in, all rows out), so the search benchmark can run exactly the same statements on a
bare driver cursor.
"""
from __future__ import annotations

import json
import threading
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import replace
from typing import Any, ClassVar, NamedTuple

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine, RootTransaction
from sqlalchemy.exc import IntegrityError

from insighta_desktop.db import name_match, schema, search_sql
from insighta_desktop.db.bulk_insert import Existing, LoadResult, ProfileBatch, load_profiles
from insighta_desktop.db.data_version_watch import DataVersionWatcher
from insighta_desktop.db.import_runs import claim_batch
from insighta_desktop.db.profile_rows import PROFILE_FIELDS, profile_from_row
from insighta_desktop.db.search_sql import Statement
from insighta_desktop.profiles.filters import ProfileFilters
from insighta_desktop.profiles.model import Profile
from insighta_desktop.profiles.names import NameMatch, fold

EXACT, AT_LEAST, ESTIMATE = "exact", "at_least", "estimate"

StatementRunner = Callable[[Statement], Sequence[Any]]  # runs one statement, returns all its rows


class PageRows(NamedTuple):
    rows: Sequence[Any]  # in search_sql.ROW_COLUMNS order, at most the limit asked for
    more: bool  # another row follows
    bound: int | None  # the gender/age/country count, when the store read it to plan the page


class PageTotal(NamedTuple):
    rows: Sequence[Any]  # in search_sql.ROW_COLUMNS order, at most the limit asked for
    more: bool
    total: int
    kind: str  # EXACT | AT_LEAST | ESTIMATE


def run_together(run: StatementRunner, statements: Sequence[Statement]) -> list[Sequence[Any]]:
    """Each statement's rows; in one round trip when the runner can pipeline (`run.many`), else one by one."""
    many = getattr(run, "many", None)
    if many is not None:
        return list(many(statements))
    return [run(statement) for statement in statements]


class BatchCommittedEarlier(Exception):
    """The import run's committed offset already covers this batch: an earlier attempt committed it, although its
    answer was lost. The transaction is rolled back."""


class ProfileWrite:
    """One write transaction of the profile store: load batches, keep the counts, then commit or roll back.

    `connection` is the SQLAlchemy connection of the transaction, for other db/ modules whose statements must commit
    with the profiles (an import run's totals and rejects)."""

    def __init__(self, store: ProfileStore, connection: Connection, transaction: RootTransaction) -> None:
        self.store = store
        self._connection = connection
        self._transaction = transaction

    @property
    def connection(self) -> Connection:
        return self._connection

    def load(self, batch: ProfileBatch, in_flight: Mapping[str, Existing] | None = None) -> LoadResult:
        """Insert the batch's rows whose name is new; report the others with where they came from."""
        return load_profiles(self.connection, batch, in_flight)

    def add_counts(self, loaded: LoadResult) -> None:
        """Bring profile_counts and the data version up to date for what `load` inserted (before committing)."""
        self.store._add_counts(self.connection, loaded)

    def claim_first(self, run_id: int, end_offset: int) -> bool:
        """An import batch's first statement: a write (SQLite takes its write lock before the existence check) that
        tells whether the run's committed offset already reaches `end_offset` (the batch committed earlier). The
        PostgreSQL store checks this with the commit instead (`committing`) and answers False here."""
        return claim_batch(self.connection, run_id) >= end_offset

    @contextmanager
    def committing(self, run_id: int, end_offset: int) -> Iterator[None]:
        """The block adds the batch's counts and its bookkeeping (import_runs.record_batch), then the transaction
        commits. PostgreSQL sends it all, and the claim's check, in one round trip: raises BatchCommittedEarlier
        (after rolling back) when the run's committed offset already reaches `end_offset`."""
        yield
        self.commit()

    def commit(self) -> None:
        self._transaction.commit()
        self.store.expect_change()

    def rollback(self) -> None:
        self._transaction.rollback()


class ProfileStore:
    """The interface, with what both back ends share; `profile_store_for` picks the back end's subclass."""

    backend: ClassVar[str]
    parallel_writers: ClassVar[int] = 1  # import batches worth writing at once on separate connections
    write_type: ClassVar[type[ProfileWrite]] = ProfileWrite

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self._watcher: DataVersionWatcher | None = None
        self._watcher_lock = threading.Lock()
        self._fuzzy: tuple[str | None, str | None] | None = None  # (fuzzy index label, pg_trgm schema), read once

    def close(self) -> None:
        """Stop watching the data version and give back any connection the store keeps (the store still works
        afterwards, reading the version itself)."""
        with self._watcher_lock:
            watcher, self._watcher = self._watcher, None
        if watcher is not None:
            watcher.close()

    # -- the planner's statistics ---------------------------------------------------------------------------------
    def statistics_rows(self) -> int:
        """The profiles the planner's statistics were last taken on (0: never, or a back end that keeps none)."""
        return 0

    def refresh_statistics(self) -> None:
        """Take the planner's statistics of the profile tables again (after an import grew or changed them). SQLite:
        nothing (its planner's rules do not depend on statistics the app keeps)."""

    # -- the data version, pushed ----------------------------------------------------------------------------------
    def watch(self) -> DataVersionWatcher:
        """Follow the data version on a background thread (LISTEN/NOTIFY on PostgreSQL, polling on SQLite), so a
        cached search answers without a round trip; idempotent, stopped by close()."""
        with self._watcher_lock:
            if self._watcher is None:
                self._watcher = DataVersionWatcher(self.engine)
            return self._watcher

    def subscribe(self, callback: Callable[[int], None]) -> Callable[[], None]:
        """Call `callback(new version)` (on the watcher's thread) whenever any client changes the profiles."""
        return self.watch().subscribe(callback)

    def expect_change(self) -> None:
        """This process committed a change to profiles: the next version check asks the server."""
        watcher = self._watcher
        if watcher is not None:
            watcher.expect_change()

    def pushed_version(self) -> int | None:
        """The version the watcher was told, when it is current (None: ask the server)."""
        watcher = self._watcher
        return watcher.current() if watcher is not None else None

    def version_without_asking(self) -> int | None:
        """The data version as data_version() would give it, when that takes no read (None: it would read). Here
        every data_version() reads the one-row table (a local file: cheaper than trusting a poll)."""
        return None

    # -- reads -----------------------------------------------------------------------------------------------------
    def connect(self) -> Connection:
        return self.engine.connect()

    @contextmanager
    def reading(self) -> Iterator[StatementRunner]:
        """A runner on one connection, for the few statements of one search."""
        with self.connect() as conn:
            yield lambda st: conn.exec_driver_sql(st.sql, st.params).all()

    def data_version(self) -> int:
        """The number the triggers bump on every change to profiles (any client's)."""
        with self.connect() as conn:
            return int(conn.exec_driver_sql(search_sql.DATA_VERSION_SQL).scalar_one())

    def page(self, run: StatementRunner, filters: ProfileFilters, limit: int, *, offset: int = 0,
             after: tuple[object, object] | None = None) -> PageRows:
        """One page in the filters' order, by offset or after the keyset `after` = (sort value, id)."""
        rows = run(search_sql.page_statement(self.backend, filters, limit + 1, offset=offset, after=after))
        return PageRows(rows[:limit], len(rows) > limit, None)

    def page_total_statements(self, filters: ProfileFilters, limit: int, *, cap: int,
                              after: tuple[object, object] | None = None) -> list[Statement] | None:
        """The statements that give a first (or keyset) page and its total together, for page_total(); None when
        the back end reads them one after another (page(), then total())."""
        return None

    def page_total(self, results: Sequence[Sequence[Any]], filters: ProfileFilters, limit: int, *,
                   cap: int, first: bool) -> PageTotal:
        """The page and its total from the rows of page_total_statements (`first`: no keyset, so a short page
        is the whole answer)."""
        raise NotImplementedError

    def resolve(self, run: StatementRunner, filters: ProfileFilters,
                cap: int | None = None) -> tuple[ProfileFilters, NameMatch | None]:
        """The filters to run, and how their name is matched (name_match.resolve_name: the matches counted up to
        `cap` for the total, their ids when few, a misspelt word replaced by the most similar stored words)."""
        if not filters.name:
            return filters, None
        if self._fuzzy is None:
            self._fuzzy = name_match.fuzzy_label(self.backend, run(name_match.fuzzy_support_statement(self.backend))[0])
        return name_match.resolve_name(run, self.backend, filters, cap, self._fuzzy)

    def counts_total(self, run: StatementRunner, filters: ProfileFilters) -> int:
        """Exact number of profiles matching the gender/age/country part of the filters (profile_counts)."""
        return int(run(search_sql.counts_statement(self.backend, filters))[0][0] or 0)

    def total(self, run: StatementRunner, filters: ProfileFilters, *, cap: int,
              bound: int | None = None) -> tuple[int, str]:
        """The total and its kind: exact when cheap, else an estimate or a count capped at `cap`.
        `bound` is counts_total when the caller has it already."""
        others = replace(filters, name=None, name_ids=None)
        if filters.name and not others.has_conditions:
            if filters.name_ids is not None:  # resolve read every match's id (a few)
                found = len(filters.name_ids)
                return (found, EXACT) if found <= cap else (cap, AT_LEAST)
            counted = filters.name_count  # resolve counted the name in the word index
            if counted is not None and counted.limit >= cap and counted.rows > cap:
                return cap, AT_LEAST
            if counted is not None and counted.limit >= cap and counted.profiles is not None:
                return (counted.profiles, EXACT) if counted.profiles <= cap else (cap, AT_LEAST)
            return self._large_total(run, filters, cap, cap + 1)  # a name alone: counted in the word index
        if bound is None:
            bound = self.counts_total(run, filters)
        if search_sql.counts_cover(filters) or bound == 0:
            return bound, EXACT
        if bound > cap and _name_among_many(filters):
            return self._name_estimate(run, filters, bound)
        if bound <= cap:
            return int(run(search_sql.count_statement(self.backend, filters))[0][0]), EXACT
        return self._large_total(run, filters, cap, bound)

    def _name_estimate(self, run: StatementRunner, filters: ProfileFilters, bound: int) -> tuple[int, str]:
        """A common name with gender/age/country filters: counting it exactly reads every profile of the name (the
        filters are not in the word index), so its total is estimated as the name's share of all profiles applied
        to the filters' exact count (name and filters taken as independent)."""
        counted = filters.name_count
        if counted is not None and (not counted.more or counted.limit >= name_match.NAME_SHARE_CAP):
            named = counted.rows if counted.profiles is None else counted.profiles
            stored = run(search_sql.counts_statement(self.backend, ProfileFilters()))[0][0]
        else:
            named, stored = run(search_sql.name_share_statement(self.backend, filters.name or "",
                                                                   name_match.NAME_SHARE_CAP))[0]
        estimate = round(int(named) * bound / max(int(stored or 0), 1))
        return max(1, min(estimate, bound)), ESTIMATE

    def _large_total(self, run: StatementRunner, filters: ProfileFilters, cap: int, bound: int) -> tuple[int, str]:
        counted = int(run(search_sql.count_statement(self.backend, filters, cap))[0][0])
        return (counted, EXACT) if counted <= cap else (cap, AT_LEAST)

    def facet_rows(self, run: StatementRunner, filters: ProfileFilters, sample: int) -> Sequence[Any]:
        """(facet, key, count) rows: facet g = gender, a = age decade (key as text), c = country."""
        return run(self.facet_statement(filters, sample))

    def facet_statement(self, filters: ProfileFilters, sample: int) -> Statement:
        """The statement behind facet_rows (to send with others in one round trip)."""
        return search_sql.facets_statement(self.backend, filters, sample)

    def export_pages(self, filters: ProfileFilters, batch_size: int) -> Iterator[list[Profile]]:
        """Every matching profile in the filters' order, a keyset page at a time on one connection."""
        _, sort_index = search_sql.SORT_EXPRESSIONS[filters.sort_by]
        after: tuple[object, object] | None = None
        with self.reading() as run:
            filters, _ = self.resolve(run, filters)
            while True:
                rows = run(search_sql.page_statement(self.backend, filters, batch_size, after=after))
                yield [profile_from_row(row) for row in rows]
                if len(rows) < batch_size:
                    return
                after = (sort_value(filters, rows[-1]), rows[-1][0])

    def browse(self, offset: int, limit: int) -> tuple[list[Profile], int]:
        """All profiles newest first (a page of them) and how many there are."""
        sql = (f"SELECT {', '.join(PROFILE_FIELDS)} FROM profiles ORDER BY created_at DESC, id DESC "
               f"LIMIT {int(limit)} OFFSET {int(offset)}")
        with self.connect() as conn:
            rows = [profile_from_row(row) for row in conn.exec_driver_sql(sql)]
            total = int(conn.exec_driver_sql("SELECT count(*) FROM profiles").scalar_one())
        return rows, total

    def find_by_name_key(self, name_key: str) -> Profile | None:
        """The stored profile whose name has this key (profiles.model.normalise_name), if any."""
        sql = f"SELECT {', '.join(PROFILE_FIELDS)} FROM profiles WHERE name_key = {_param(self.backend, 'k')}"
        with self.connect() as conn:
            row = conn.exec_driver_sql(sql, {"k": name_key}).first()
        return profile_from_row(row) if row is not None else None

    # -- writes ----------------------------------------------------------------------------------------------------
    def insert_one(self, profile: Profile, name_key: str) -> tuple[Profile, bool]:
        """Store one profile (a profile predicted from a name): (the stored profile, True) — or, when another writer
        stored the name first (unique name_key), (that profile, False). The ordinary INSERT path: the triggers update
        the counts, the name words and the data version."""
        values = {"id": profile.id, "name": profile.name, "name_key": name_key, "gender": profile.gender,
                  "gender_probability": profile.gender_probability, "age": profile.age,
                  "age_group": profile.age_group, "country_id": profile.country_id,
                  "country_name": profile.country_name, "country_probability": profile.country_probability,
                  "created_at": profile.created_at, "name_search": fold(profile.name)}
        try:
            with self.engine.begin() as conn:
                conn.execute(sa.insert(schema.profiles).values(**values))
        except IntegrityError:
            existing = self.find_by_name_key(name_key)
            if existing is None:
                raise
            return existing, False
        stored = self.find_by_name_key(name_key)
        return (stored or profile), True

    @contextmanager
    def write(self) -> Iterator[ProfileWrite]:
        """A write transaction; rolled back (and a broken connection dropped) when the block raises."""
        with self.engine.connect() as conn:
            self._begin_write(conn)
            transaction = conn.begin()
            try:
                yield self.write_type(self, conn, transaction)
            except BaseException:
                if transaction.is_active:
                    transaction.rollback()
                if _connection_broken(conn):
                    conn.invalidate()
                raise

    def _begin_write(self, conn: Connection) -> None:
        """Before a write transaction begins (nothing on SQLite)."""

    def _add_counts(self, conn: Connection, loaded: LoadResult) -> None:
        """Nothing to add on SQLite: its row triggers counted each insert."""


def _name_among_many(filters: ProfileFilters) -> bool:
    """A name matching more than name_match.FEW_NAME_MATCHES profiles (resolve found no short id list) with filters
    that profile_counts answers exactly."""
    others = replace(filters, name=None, name_ids=None)
    return (filters.name is not None and filters.name_ids is None and others.has_conditions
            and search_sql.counts_cover(others))


def _param(backend: str, name: str) -> str:
    return f"%({name})s" if backend == "postgresql" else f":{name}"


def sort_value(filters: ProfileFilters, row: Sequence[Any]) -> object:
    """The keyset sort value of a row read in ROW_COLUMNS order (NULL probabilities sort as -1)."""
    _, index = search_sql.SORT_EXPRESSIONS[filters.sort_by]
    value = row[index]
    return -1.0 if value is None and filters.sort_by == "gender_probability" else value


def _connection_broken(conn: Connection) -> bool:
    try:
        raw = conn.connection.driver_connection
    except Exception:
        return True
    return bool(getattr(raw, "broken", False) or getattr(raw, "closed", False) is True)


def profile_store_for(engine: Engine) -> ProfileStore:
    """The store for the engine's back end."""
    if engine.dialect.name == "postgresql":
        from insighta_desktop.db.profile_store_postgresql import PostgresProfileStore

        return PostgresProfileStore(engine)
    from insighta_desktop.db.profile_store_sqlite import SqliteProfileStore

    return SqliteProfileStore(engine)


def plan_json(value: object) -> Any:
    return json.loads(value) if isinstance(value, str) else value
