"""The Profiles tab's Enter through a link, counted exactly (issue 11 §2/§3): on PostgreSQL, behind a proxy that
counts the client's turns to speak (tests/turn_counting_proxy.py), Enter on a new search costs one round trip from
the key press to the page, total, charts and country counts on screen, and a search asked again (the cache warm,
the data version pushed) costs none. The search history is a write of its own: it goes after the results are on
screen, never before or in their way."""
from __future__ import annotations

import asyncio

import pytest
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from sqlalchemy.engine import make_url

from insighta_desktop.context import open_context
from insighta_desktop.db.engine import create_engine_for
from insighta_desktop.demo.loader import load_demo_data
from insighta_desktop.ui.profiles.tab import ProfilesTab
from insighta_desktop.ui.shared.tasks import TaskRunner
from tests.turn_counting_proxy import TurnCountingProxy

QUERIES = ["Nigerian females between ages 20 and 45", "gender probability at least 0.9", "young males",
           "men from NG, country probability >= 0.8 by name", "people from angola"]


@pytest.fixture
def proxied_context(ready_pg_url, app_paths, credentials):
    engine = create_engine_for(ready_pg_url)
    load_demo_data(engine, profiles=600, interviews=0)
    engine.dispose()
    url = make_url(ready_pg_url)
    proxy = TurnCountingProxy(url.host or "127.0.0.1", url.port or 5432)
    ctx = open_context(url.set(host="127.0.0.1", port=proxy.port).render_as_string(hide_password=False),
                       paths=app_paths, credentials=credentials)
    yield ctx, proxy
    ctx.close()
    proxy.close()


def _settle(qloop, tasks: TaskRunner) -> None:
    async def idle() -> None:
        while tasks.pending:
            await asyncio.sleep(0.005)
    qloop.run(idle())


def _enter(qloop, tab: ProfilesTab, proxy: TurnCountingProxy, text: str) -> int:
    """Round trips from Enter until the results are on screen (whatever follows them, such as the history write,
    is not counted)."""
    tab.query.setText(text)
    shown: list[int] = []
    tab.results_shown.connect(lambda: shown.append(proxy.turns))
    before = proxy.turns
    QTest.keyClick(tab.query, Qt.Key.Key_Return)
    assert tab.search_task is not None
    qloop.run(tab.search_task)
    tab.results_shown.disconnect()
    assert len(shown) == 1 and tab.result is not None and tab.facets is not None
    assert "Searching" not in tab.page_label.text()
    return shown[0] - before


def test_enter_costs_one_round_trip_cold_and_none_warm(qtbot, qloop, proxied_context):
    ctx, proxy = proxied_context
    tasks = TaskRunner()
    tab = ProfilesTab(ctx, tasks)
    qtbot.addWidget(tab)
    tab.show()
    watcher = ctx.profile_search.store.watch()
    qloop.until(lambda: watcher.current() is not None, message="the data version watcher")
    _enter(qloop, tab, proxy, "children")  # the pool's connection and the first plans
    _settle(qloop, tasks)
    cache = ctx.profile_search.cache
    assert cache is not None
    for text in QUERIES:
        cache.invalidate()
        assert _enter(qloop, tab, proxy, text) == 1, f"cold: {text}"
        _settle(qloop, tasks)  # the history write, after the results
        assert _enter(qloop, tab, proxy, text) == 0, f"warm: {text}"
        assert tab.result is not None and tab.result.from_cache
        _settle(qloop, tasks)
    # each search the person asked for went to the history (asked again: the same entry, refreshed)
    assert [h.query for h in tab.saved_bar.history[:len(QUERIES)]] == QUERIES[::-1]
    # A misspelt name (matched first, so more than one round trip cold): asked again, none, with the same note.
    for text in ("Kabroe", "women named Kaboré"):
        cache.invalidate()
        _enter(qloop, tab, proxy, text)
        cold = (tab.model.rows, tab.result.total, tab.notes.texts(), tab.chip_bar.labels())
        _settle(qloop, tasks)
        assert _enter(qloop, tab, proxy, text) == 0, f"warm: {text}"
        assert (tab.model.rows, tab.result.total, tab.notes.texts(), tab.chip_bar.labels()) == cold
        _settle(qloop, tasks)
    tasks.cancel_all()
    _settle(qloop, tasks)
