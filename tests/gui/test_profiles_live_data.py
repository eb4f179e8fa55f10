"""Live data in the Profiles tab (issue 11 §3, issue 12's stale totals after an import): another client's insert or
delete refreshes the open search by itself, or — when the person is reading further down — shows "Data changed"
with a Refresh button. Driven by the pushed data version, on both back ends."""
from __future__ import annotations

import asyncio

import sqlalchemy as sa

from insighta_desktop.db.engine import create_engine_for
from insighta_desktop.db.schema import profiles
from insighta_desktop.demo.loader import load_demo_data
from insighta_desktop.profiles.model import normalise_name
from insighta_desktop.ui.profiles.tab import ProfilesTab
from insighta_desktop.ui.shared.tasks import TaskRunner
from tests.integration.test_data_version_watch import _profile


def _open(qtbot, qloop, ctx) -> ProfilesTab:
    load_demo_data(ctx.engine, profiles=400, interviews=0)
    widget = ProfilesTab(ctx, TaskRunner())
    qtbot.addWidget(widget)
    widget.resize(1300, 800)
    widget.show()
    qloop.run(widget.refresh())
    watcher = ctx.profile_search.store.watch()
    qloop.until(lambda: watcher.mode in ("listening", "polling"), message="the data version watcher")
    return widget


def _another_client(url: str, statement) -> None:
    other = create_engine_for(url)
    try:
        with other.begin() as conn:
            conn.execute(statement)
    finally:
        other.dispose()


def test_another_clients_insert_refreshes_the_open_search(qtbot, qloop, app_context, db_url, tmp_path):
    tab = _open(qtbot, qloop, app_context)
    before = tab.result.total
    _another_client(db_url, profiles.insert().values(_profile("Zara Live")))
    qloop.until(lambda: tab.result.total == before + 1, timeout=5, message="the total to include the new profile")
    assert not tab.live_notice.isVisible()  # at the top of the results: refreshed in place, no bar
    assert f"of {before + 1:,} profiles" in tab.page_label.text()
    tab.grab().save(str(tmp_path / "live_refreshed.png"))


def test_a_delete_while_reading_further_down_shows_the_notice(qtbot, qloop, app_context, db_url, tmp_path):
    tab = _open(qtbot, qloop, app_context)
    before = tab.result.total
    bar = tab.table.verticalScrollBar()
    bar.setValue(bar.maximum() // 2)
    assert bar.value() > 0
    first = tab.model.rows[0]
    _another_client(db_url, sa.delete(profiles).where(profiles.c.name_key == normalise_name(first.name)))
    qloop.until(lambda: tab.live_notice.isVisible(), timeout=5, message="the data changed notice")
    assert tab.result.total == before  # the rows stay under the reader until asked
    assert bar.value() > 0
    tab.grab().save(str(tmp_path / "live_notice.png"))
    tab.live_notice.button.click()
    qloop.until(lambda: tab.result.total == before - 1, timeout=5, message="the refreshed total")
    assert not tab.live_notice.isVisible()


def test_a_burst_of_changes_refreshes_once_and_pauses_no_import(qtbot, qloop, app_context, tmp_path):
    """An import commits several batches a second: their changes are taken together for LIVE_REFRESH_MS and the
    search refreshes once, as background work (an import's child is not paused for it, as it is for a search
    someone waits for)."""
    from insighta_desktop.ui.profiles.live_data import LIVE_REFRESH_MS
    from insighta_desktop.ui.shared.foreground import FOREGROUND

    tab = _open(qtbot, qloop, app_context)
    shown: list[int] = []
    tab.results_shown.connect(lambda: shown.append(1))
    foreground: list[bool] = []
    unsubscribe = FOREGROUND.subscribe(foreground.append)
    try:
        for version in range(1_000, 1_005):  # five commits in quick succession
            tab.live_notice.data_changed(version)
        qloop.until(lambda: shown, timeout=5, message="the refresh")
        qloop.run(tab.search_task)
        qloop.run(asyncio.sleep(LIVE_REFRESH_MS / 1000 + 0.3))  # no second refresh follows
        assert len(shown) == 1
        assert foreground == []
        tab.search_service.cache.invalidate()  # not answered from the cache: a search someone waits for
        tab.refresh()
        qloop.run(tab.search_task)
        assert foreground == [True, False]
    finally:
        unsubscribe()
