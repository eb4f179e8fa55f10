"""The database link as the status bar shows it: connecting, online (which server), offline and retrying."""
from __future__ import annotations

import asyncio
import time

from insighta_desktop.resilience.link import DatabaseLink, LinkState, LinkStatus


def test_the_words_for_each_state():
    assert LinkStatus(LinkState.CONNECTING).text == "connecting…"
    assert LinkStatus(LinkState.ONLINE, "PostgreSQL 15 · db · insighta").text == "PostgreSQL 15 · db · insighta"
    assert (LinkStatus(LinkState.OFFLINE, "PostgreSQL 15 · db · insighta", "refused", 4.0).text
            == "offline — retrying in 4 s · PostgreSQL 15 · db · insighta")
    assert LinkStatus(LinkState.OFFLINE, None, "refused").text == "offline — retrying"


def test_listeners_hear_each_change_once_and_the_server_is_remembered():
    link = DatabaseLink()
    heard: list[LinkStatus] = []
    unsubscribe = link.subscribe(heard.append)
    link.reached("PostgreSQL 15 · db · insighta")
    link.reached()  # the same: no news
    link.lost("Connection refused", 0.5)
    link.lost("Connection refused", 0.5)
    link.reached()
    assert [s.state for s in heard] == [LinkState.ONLINE, LinkState.OFFLINE, LinkState.ONLINE]
    assert heard[1].server == "PostgreSQL 15 · db · insighta" and heard[1].reason == "Connection refused"
    assert heard[2].server == "PostgreSQL 15 · db · insighta"
    unsubscribe()
    link.lost("gone")
    assert len(heard) == 3 and link.offline


def test_a_failing_listener_does_not_break_the_report():
    link = DatabaseLink()
    link.subscribe(lambda status: 1 / 0)
    link.lost("gone")
    assert link.offline


def test_a_waiting_retry_wakes_when_the_link_is_back():
    link = DatabaseLink()

    async def scenario() -> tuple[float, float]:
        started = time.monotonic()
        await link.wait(0.05, poll=0.01)  # nothing reached: the whole wait
        full = time.monotonic() - started
        waiter = asyncio.ensure_future(link.wait(30, poll=0.01))
        await asyncio.sleep(0.05)
        link.reached("PostgreSQL 15")
        started = time.monotonic()
        await waiter
        return full, time.monotonic() - started

    full, woke = asyncio.run(scenario())
    assert full >= 0.05 and woke < 1.0
