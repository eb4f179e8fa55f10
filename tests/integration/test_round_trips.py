"""Round trips per user action on PostgreSQL (issue 11 §2), counted exactly by a proxy that counts the client's turns
to speak (tests/turn_counting_proxy.py): a cold search with its total 1, the Profiles tab's Enter (page, total,
charts, country counts) 1, a cached search 0, opening an interview 1, `insighta search` 4 in all with its connection
handshake (2 of them here: TLS negotiation, then start-up and authentication), an import batch 3 (its COPY 2, the
first carrying its existence lookup, and its bookkeeping and commit 1), an update batch 6 (its own 3, the update's
3)."""
from __future__ import annotations

import contextlib
import csv
import io
import json
import time

import pytest
from sqlalchemy.engine import make_url

from insighta_desktop.cli import main as cli_main
from insighta_desktop.db.engine import create_engine_for
from insighta_desktop.demo.loader import load_demo_data
from insighta_desktop.ingest import ownership
from insighta_desktop.ingest.pipeline import Importer, ImportOptions
from insighta_desktop.interviews.repository import list_interviews, load_interview_view
from insighta_desktop.profiles.cache import ResultCache
from insighta_desktop.profiles.filters import PageRequest
from insighta_desktop.profiles.parser import parse_query
from insighta_desktop.profiles.search import ProfileSearch
from tests.turn_counting_proxy import TurnCountingProxy

QUERIES = ["Nigerian females between ages 20 and 45", "gender probability at least 0.9",
           "men from NG, country probability >= 0.8 by name", "young males"]


@pytest.fixture
def proxied(ready_pg_url, monkeypatch):
    """(direct URL, URL through the counting proxy, the proxy) on a database with the demo data. An import's
    heartbeat (every 5 s on a connection of its own) would add turns to a slow import: none during these tests."""
    monkeypatch.setattr(ownership, "HEARTBEAT_INTERVAL", 3600.0)
    engine = create_engine_for(ready_pg_url)
    load_demo_data(engine, profiles=600, interviews=2)
    engine.dispose()
    url = make_url(ready_pg_url)
    proxy = TurnCountingProxy(url.host or "127.0.0.1", url.port or 5432)
    yield ready_pg_url, url.set(host="127.0.0.1", port=proxy.port).render_as_string(hide_password=False), proxy
    proxy.close()


def turns_of(proxy: TurnCountingProxy, action) -> int:
    before = proxy.turns
    action()
    return proxy.turns - before


def test_searches_facets_and_interviews(proxied):
    _, url, proxy = proxied
    engine = create_engine_for(url)
    cold = ProfileSearch(engine, count_cap=50)  # small cap: the probability queries take the estimate path too
    try:
        cold.search_text("children")  # the pool's first connection and the dialect set-up
        for text in QUERIES:
            filters = parse_query(text).filters
            assert turns_of(proxy, lambda: cold.search_text(text)) == 1, text  # noqa: B023
            assert turns_of(proxy, lambda: cold.search_with_facets(filters, PageRequest(limit=50),  # noqa: B023
                                                                   country_counts=True)) == 1, text
            assert turns_of(proxy, lambda: cold.facets(filters)) == 1, text  # noqa: B023
        for interview in list_interviews(engine):
            assert turns_of(proxy, lambda: load_interview_view(engine, interview.id)) == 1  # noqa: B023
    finally:
        cold.close()
        engine.dispose()


def test_a_cached_search_asks_nothing(proxied):
    _, url, proxy = proxied
    engine = create_engine_for(url)
    warm = ProfileSearch(engine, cache=ResultCache())
    try:
        watcher = warm.store.watch()
        first = warm.search_text(QUERIES[0])
        deadline = time.monotonic() + 5
        while watcher.current() is None and time.monotonic() < deadline:  # the watcher connects and LISTENs
            time.sleep(0.01)
        assert turns_of(proxy, lambda: warm.search_text(QUERIES[0])) == 0
        assert warm.search_text(QUERIES[0]).rows == first.rows
    finally:
        warm.close()
        engine.dispose()


def test_insighta_search_in_all(proxied, tmp_path, monkeypatch):
    _, url, proxy = proxied
    monkeypatch.setenv("INSIGHTA_HOME", str(tmp_path / "home"))

    def run() -> None:
        out = io.StringIO()
        with contextlib.redirect_stdout(out):
            assert cli_main(["--db", url, "search", QUERIES[0], "--json"]) == 0
        assert json.loads(out.getvalue())["status"] == "success"

    run()  # the first run of the settings and keychain files
    assert turns_of(proxy, run) <= 4  # connection handshake (2) + set-up with the schema version (1) + search (1)


def _import_turns(url: str, proxy: TurnCountingProxy, path, batches: int, on_duplicate: str = "skip") -> int:
    """The counting proxy's turns for importing `path`, on an engine whose pool holds its connections already (how
    many an import opens depends on how its batches overlap)."""
    engine = create_engine_for(url)
    with engine.connect() as first, engine.connect() as second, engine.connect() as third:
        for conn in (first, second, third):
            conn.exec_driver_sql("SELECT 1")
    options = ImportOptions(batch_size=100, rejects_path=path.with_suffix(".rejects.csv"), progress_interval=0,
                            queue_depth=batches, on_duplicate=on_duplicate)
    try:
        before = proxy.turns
        summary = Importer(engine).run(path, options)
        turns = proxy.turns - before
    finally:
        engine.dispose()
    assert summary.status == "success" and summary.total_rows == batches * 100
    return turns


def test_an_import_batch(proxied, tmp_path):
    """An import batch: its COPY (2: its start, which carries BEGIN and the existence lookup the COPY's rows depend
    on, then its rows) and one round trip that carries its bookkeeping and its commit. The difference of two imports
    that differ only in their number of batches leaves out the run's own statements."""
    _, url, proxy = proxied

    def csv_file(n: int, tag: str):  # every 10th row rejected, so every batch has rejects
        path = tmp_path / f"{tag}.csv"
        with path.open("w", newline="", encoding="utf-8") as fh:
            out = csv.writer(fh)
            out.writerow(["name", "gender", "age", "country_id", "gender_probability", "country_probability"])
            out.writerows([f"Turns {tag} {i}", "female" if i % 10 else "robot", "30", "NG", "0.9", "0.8"]
                          for i in range(n))
        return path

    few = _import_turns(url, proxy, csv_file(400, "few"), 4)
    many = _import_turns(url, proxy, csv_file(1200, "many"), 12)
    assert (many - few) / 8 == 3


def test_an_update_batch(proxied, tmp_path):
    """`--on-duplicate update` of stored names: the batch's own three (its COPY of new rows, started with the lookup,
    ends with none) and the update's three: the stored values' read with the staging COPY's start, the changed
    rows, and ANALYZE with the UPDATE."""
    direct, url, proxy = proxied

    def csv_file(n: int, tag: str, age: int):
        path = tmp_path / f"{tag}-{age}.csv"
        with path.open("w", newline="", encoding="utf-8") as fh:
            out = csv.writer(fh)
            out.writerow(["name", "gender", "age", "country_id", "gender_probability", "country_probability"])
            out.writerows([f"Update {tag} {i}", "female", str(age), "NG", "0.9", "0.8"] for i in range(n))
        return path

    engine = create_engine_for(direct)
    for tag, n in (("few", 400), ("many", 1200)):
        options = ImportOptions(batch_size=100, rejects_path=tmp_path / f"{tag}.rejects.csv", progress_interval=0)
        assert Importer(engine).run(csv_file(n, tag, 30), options).inserted == n
    engine.dispose()
    few = _import_turns(url, proxy, csv_file(400, "few", 31), 4, on_duplicate="update")
    many = _import_turns(url, proxy, csv_file(1200, "many", 31), 12, on_duplicate="update")
    assert (many - few) / 8 == 6


def test_a_search_history_entry(proxied):
    """Recording a search in the history (after each search, in the background): one statement, one round trip,
    whether it refines the latest entry or adds one and trims the oldest."""
    from insighta_desktop.profiles.saved_searches import SavedSearches

    _, url, proxy = proxied
    engine = create_engine_for(url)
    try:
        service = SavedSearches(engine)
        service.record("warm up", parse_query("women").filters)  # the pool's connection, made once
        assert turns_of(proxy, lambda: service.record("men", parse_query("men").filters)) == 1
        assert turns_of(proxy, lambda: service.record("men ", parse_query("men").filters)) == 1  # refines
        assert [h.query for h in service.history()][:2] == ["men", "warm up"]
    finally:
        engine.dispose()
