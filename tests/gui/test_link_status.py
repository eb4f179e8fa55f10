"""The app on a slow or lost link (issue 11 §3), through a latency proxy the test starts and stops: the window
says "connecting…" and then the server; a dropped link says "offline — retrying" with the last results still on
screen, no dialog, and the pending search runs by itself once the link is back; a server out of reach at start-up
is retried until it answers."""
from __future__ import annotations

import time
from dataclasses import replace

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QDialog
from sqlalchemy.engine import make_url

from insighta_desktop.context import open_context
from insighta_desktop.db.engine import create_engine_for
from insighta_desktop.demo.loader import load_demo_data
from insighta_desktop.resilience.policy import Retrying
from insighta_desktop.ui.main_window import MainWindow
from tests.latency_proxy import LatencyProxy

RTT_MS = 10.0
QUICK_RETRIES = Retrying(max_retries=100_000, initial_delay=0.05, backoff_factor=2.0, max_delay=0.3)


def through(url: str, proxy: LatencyProxy, **query: str) -> str:
    return make_url(url).set(host="127.0.0.1", port=proxy.port).update_query_dict(query).render_as_string(
        hide_password=False)


@pytest.fixture
def proxy(pg_server_url):
    server = make_url(pg_server_url)
    link = LatencyProxy(server.host or "127.0.0.1", server.port or 5432, RTT_MS).start()
    yield link
    link.stop()


@pytest.fixture
def remote(ready_pg_url, proxy, app_paths, credentials):
    """The app's context on a PostgreSQL schema with 300 profiles, reached through the proxy."""
    direct = create_engine_for(ready_pg_url)
    load_demo_data(direct, profiles=300, interviews=0)
    direct.dispose()
    ctx = open_context(through(ready_pg_url, proxy), paths=app_paths, credentials=credentials)
    ctx.database_retrying = replace(QUICK_RETRIES, sleep=ctx.link.wait)  # wakes when the link is back, as the app's
    yield ctx
    ctx.close()


def visible_dialogs() -> list[QDialog]:
    return [w for w in QApplication.topLevelWidgets() if isinstance(w, QDialog) and w.isVisible()]


def test_the_window_says_connecting_then_the_server(qtbot, qloop, ready_pg_url, proxy, app_paths, credentials):
    window = MainWindow(paths=app_paths, load_demo_on_first_run=False)
    qtbot.addWidget(window)
    window.show()
    assert window.db_label.text() == "○ connecting…"
    opened = window.open_database(through(ready_pg_url, proxy), credentials)
    assert qloop.run(opened) is True
    ctx = window.ctx
    qloop.until(lambda: ctx.server is not None, message="the server read")
    assert ctx.server.label == f"PostgreSQL {ctx.server.backend.split()[1]} · 127.0.0.1 · test"
    # The worker thread sets ctx.server, then reports the link reached: a queued signal that the label gets next.
    qloop.until(lambda: window.db_label.text() == f"● {ctx.server.label}", message="the server in the status bar")
    assert not ctx.server.read_only
    qloop.run(window.startup_task)
    window.close()
    ctx.close()


def test_a_host_that_never_answers_does_not_hold_the_window(qtbot, qloop, pg_server_url, app_paths, credentials):
    server = make_url(pg_server_url)
    with LatencyProxy(server.host or "127.0.0.1", server.port or 5432, answer=False) as hanging:
        window = MainWindow(paths=app_paths, load_demo_on_first_run=False)
        qtbot.addWidget(window)
        window.show()
        opened = window.open_database(through(pg_server_url, hanging, connect_timeout="2"), credentials)
        started = time.monotonic()
        qloop.until(lambda: window.isVisible() and window.grab().width() > 0, timeout=1, message="painted")
        assert time.monotonic() - started < 1.0 and not opened.done()  # the window is up while libpq waits
        assert window.db_label.text() == "○ connecting…"
        # connect_timeout: then offline, retrying (no dialog) for as long as the window is open
        qloop.until(lambda: window.db_label.text().startswith("● offline — retrying in"), timeout=6,
                    message="offline, retrying")
        assert not visible_dialogs() and not opened.done()
        assert "timeout" in window.statusBar().currentMessage()
        window.close()  # cancels the opening
        qloop.until(opened.done, timeout=3, message="the opening cancelled")
        assert opened.cancelled()


def test_a_server_out_of_reach_at_start_up_is_attached_once_it_answers(qtbot, qloop, ready_pg_url, proxy,
                                                                       app_paths, credentials):
    """The link is down when the app starts (connection refused): the window says so and retries with backoff, then
    attaches the database by itself when the link is back."""
    proxy.stop()
    window = MainWindow(paths=app_paths, load_demo_on_first_run=False)
    qtbot.addWidget(window)
    window.show()
    opened = window.open_database(through(ready_pg_url, proxy), credentials)
    qloop.until(lambda: window.db_label.text().startswith("● offline — retrying in"), timeout=5,
                message="offline, retrying")
    assert window.statusBar().currentMessage().startswith("Cannot reach the database server: ")
    assert "Connection refused" in window.statusBar().currentMessage()
    assert window.tabs.widget(0).text() == "Waiting for the database server…"
    assert not visible_dialogs() and not opened.done()
    proxy.start()
    assert qloop.run(opened) is True
    ctx = window.ctx
    qloop.until(lambda: ctx.server is not None, message="the server read")
    qloop.until(lambda: window.db_label.text() == f"● {ctx.server.label}", message="the server in the status bar")
    qloop.run(window.startup_task)
    assert window.profiles_tab is not None and not visible_dialogs()
    window.close()
    ctx.close()


def test_a_dropped_link_keeps_the_results_says_offline_and_recovers(qtbot, qloop, remote, proxy):
    window = MainWindow(remote, load_demo_on_first_run=False)
    qtbot.addWidget(window)
    window.show()
    qloop.run(window.startup_task)
    tab = window.profiles_tab
    qloop.until(lambda: tab.model.rowCount() == 100 and remote.server is not None, message="first page and server")
    assert window.db_label.text() == f"● {remote.server.label}"
    shown = [p.id for p in tab.model.rows]

    proxy.stop()  # the link drops
    tab.query.setText("women")
    qtbot.keyClick(tab.query, Qt.Key.Key_Return)
    qloop.until(lambda: "offline — retrying" in window.db_label.text(), message="offline in the status bar")
    qloop.until(lambda: "Offline — retrying" in tab.page_label.text(), message="offline under the table")
    deadline = time.monotonic() + 0.8
    qloop.until(lambda: time.monotonic() > deadline, message="a few retries")  # several attempts fail meanwhile
    assert [p.id for p in tab.model.rows] == shown  # the last results stay on screen
    assert "Offline — retrying" in tab.page_label.text()
    assert not visible_dialogs()  # no dialog storm
    assert not tab.search_task.done() and window.tasks.pending <= 3  # one search waiting, nothing piling up
    assert tab.isEnabled() and tab.query.isEnabled()

    proxy.start()  # the link is back, on the same port
    qloop.until(lambda: tab.search_task.done(), timeout=10, message="the pending search ran")
    assert tab.model.rowCount() > 0 and all(p.gender == "female" for p in tab.model.rows)
    assert "Offline" not in tab.page_label.text() and "of" in tab.page_label.text()
    qloop.until(lambda: window.db_label.text() == f"● {remote.server.label}", message="online again")
    assert not visible_dialogs()
    qloop.until(lambda: window.tasks.pending == 0, message="no task left spinning")


def test_scrolling_while_offline_waits_for_the_link_then_appends(qtbot, qloop, remote, proxy):
    window = MainWindow(remote, load_demo_on_first_run=False)
    qtbot.addWidget(window)
    window.show()
    qloop.run(window.startup_task)
    tab = window.profiles_tab
    qloop.until(lambda: tab.model.rowCount() == 100, message="first page")
    first = [p.id for p in tab.model.rows]
    proxy.stop()
    tab.model.fetchMore()  # the table asks for the next page as it scrolls
    qloop.until(lambda: "Offline — retrying" in tab.page_label.text(), message="offline under the table")
    assert "offline — retrying" in window.db_label.text()
    assert [p.id for p in tab.model.rows] == first and not visible_dialogs()
    proxy.start()
    qloop.until(lambda: tab.model.rowCount() == 200, timeout=10, message="the next page once the link is back")
    assert [p.id for p in tab.model.rows[:100]] == first and "of 300" in tab.page_label.text()
    qloop.until(lambda: window.tasks.pending == 0, message="no task left spinning")
