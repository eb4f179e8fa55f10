"""The pushed data version (issue 11 §2): another client's write reaches a cached search within 1 s, on both back
ends, and a warm search then asks the server nothing; the watcher survives a dropped connection."""
from __future__ import annotations

import threading
import time
from datetime import UTC, datetime

import psycopg
import pytest
import sqlalchemy as sa

from insighta_desktop.db.data_version_watch import DataVersionWatcher
from insighta_desktop.db.engine import create_engine_for
from insighta_desktop.db.schema import profiles
from insighta_desktop.profiles.cache import ResultCache
from insighta_desktop.profiles.filters import PageRequest, build_filters
from insighta_desktop.profiles.ids import uuid7
from insighta_desktop.profiles.search import ProfileSearch

WITHIN_S = 1.0


def _profile(name: str, gender: str = "female") -> dict[str, object]:
    return {"id": str(uuid7()), "name": name, "name_key": name.lower(), "gender": gender, "gender_probability": 0.9,
            "age": 30, "age_group": "adult", "country_id": "NG", "country_name": "Nigeria",
            "country_probability": 0.8, "created_at": datetime.now(UTC)}


def _wait_for(predicate, timeout: float = 5.0) -> float:
    started = time.monotonic()
    while time.monotonic() - started < timeout:
        if predicate():
            return time.monotonic() - started
        time.sleep(0.01)
    raise AssertionError(f"not within {timeout} s")


def _insert_from_another_client(url: str, name: str) -> None:
    """Another process's engine (its own pool and connections), as another client would write."""
    other = create_engine_for(url)
    try:
        with other.begin() as conn:
            conn.execute(profiles.insert().values(_profile(name)))
    finally:
        other.dispose()


def test_another_clients_insert_invalidates_the_cache_within_a_second(db, db_url):
    service = ProfileSearch(db, cache=ResultCache())
    try:
        females = build_filters(gender="female")
        watcher = service.store.watch()
        _wait_for(lambda: watcher.mode in ("listening", "polling"))
        if db.dialect.name == "postgresql":
            assert watcher.mode == "listening"  # the notify trigger is installed with the schema
        before = service.search(females, PageRequest(limit=10))
        assert before.total == 0
        assert service.search(females, PageRequest(limit=10)).from_cache
        told: list[int] = []
        service.on_data_change(told.append)

        _insert_from_another_client(db_url, "Ada Obi")  # returns once committed
        waited = _wait_for(lambda: not service.search(females, PageRequest(limit=10)).from_cache)
        assert waited < WITHIN_S
        after = service.search(females, PageRequest(limit=10))
        assert after.total == 1 and [p.name for p in after.rows] == ["Ada Obi"]
        _wait_for(lambda: len(told) >= 1, timeout=WITHIN_S)
        assert told[-1] == service.data_version()
    finally:
        service.close()


def test_a_warm_search_asks_the_server_nothing_on_postgresql(ready_pg_url):
    engine = create_engine_for(ready_pg_url)
    statements: list[str] = []
    sa.event.listen(engine, "before_cursor_execute", lambda *args: statements.append(args[2]))
    service = ProfileSearch(engine, cache=ResultCache())
    try:
        watcher = service.store.watch()
        _wait_for(lambda: watcher.current() is not None)
        service.search(build_filters(gender="male"), PageRequest(limit=5))
        before = len(statements)
        result = service.search(build_filters(gender="male"), PageRequest(limit=5))
        assert result.from_cache
        assert len(statements) == before  # no statement through the pool
        # nor on the connection kept for asking the version, which the pushed version left unopened
        assert getattr(service.store, "_version_conn", "absent") is None
    finally:
        service.close()
        engine.dispose()


def test_own_commit_is_never_answered_from_the_cache(db):
    """This process's own insert: the next search reads the version itself, without waiting for the notification."""
    service = ProfileSearch(db, cache=ResultCache())
    try:
        watcher = service.store.watch()
        _wait_for(lambda: watcher.mode in ("listening", "polling"))
        assert service.search(build_filters(), PageRequest(limit=5)).total == 0
        with db.begin() as conn:
            conn.execute(profiles.insert().values(_profile("Bola Ade")))
        assert service.search(build_filters(), PageRequest(limit=5)).total == 1
    finally:
        service.close()


def test_the_watcher_reconnects_after_its_connection_is_killed(ready_pg_url):
    engine = create_engine_for(ready_pg_url)
    watcher = DataVersionWatcher(engine)
    try:
        _wait_for(lambda: watcher.mode == "listening")
        pid = watcher._conn.info.backend_pid
        with engine.connect() as conn:
            conn.exec_driver_sql(f"SELECT pg_terminate_backend({int(pid)})")
        _wait_for(lambda: watcher._conn is not None and watcher._conn.info.backend_pid != pid
                  and watcher.mode == "listening", timeout=10)
        seen = threading.Event()
        watcher.subscribe(lambda _v: seen.set())
        _insert_from_another_client(ready_pg_url, "Chidi Eze")
        assert seen.wait(WITHIN_S)
    finally:
        watcher.close()
        engine.dispose()


def test_without_the_notify_trigger_it_polls(ready_pg_url):
    engine = create_engine_for(ready_pg_url)
    with engine.begin() as conn:  # a database from before the trigger
        conn.exec_driver_sql("DROP TRIGGER insighta_data_version_notify ON profile_data_version")
    watcher = DataVersionWatcher(engine, poll_interval=0.1)
    try:
        _wait_for(lambda: watcher.mode == "polling")
        seen = threading.Event()
        watcher.subscribe(lambda _v: seen.set())
        _insert_from_another_client(ready_pg_url, "Dayo Ige")
        assert seen.wait(WITHIN_S)
    finally:
        watcher.close()
        engine.dispose()


def test_other_schemas_notifications_are_ignored(ready_pg_url, pg_server_url):
    engine = create_engine_for(ready_pg_url)
    watcher = DataVersionWatcher(engine)
    try:
        _wait_for(lambda: watcher.mode == "listening")
        version = watcher.current()
        with psycopg.connect(sa.engine.make_url(pg_server_url).set(drivername="postgresql")
                             .render_as_string(hide_password=False), autocommit=True) as conn:
            conn.execute("SELECT pg_notify('insighta_profiles', 'some_other_schema:999')")
        time.sleep(0.3)
        assert watcher.current() == version
    finally:
        watcher.close()
        engine.dispose()


@pytest.mark.parametrize("poll", [0.05])
def test_close_stops_the_thread_promptly(db, poll):
    watcher = DataVersionWatcher(db, poll_interval=poll)
    _wait_for(lambda: watcher.mode in ("listening", "polling"))
    started = time.monotonic()
    watcher.close()
    assert time.monotonic() - started < 1.0
    assert not watcher._thread.is_alive()
    assert watcher.current() is None
