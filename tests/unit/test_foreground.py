"""Foreground work: listeners hear the first piece begin and the last one end, once each; a mark ends once however
often it is ended; a failing listener does not stop the others (nor the work that marked)."""
from __future__ import annotations

from insighta_desktop.ui.shared.foreground import ForegroundWork


def test_listeners_hear_the_first_begin_and_the_last_end_once():
    work = ForegroundWork()
    heard: list[bool] = []
    unsubscribe = work.subscribe(heard.append)
    first, second = work.begin(), work.begin()
    assert work.active and heard == [True]
    first.end()
    first.end()  # a task's done callback and a cancel may both end it
    assert work.active and heard == [True] and first.ended
    second.end()
    assert not work.active and heard == [True, False]
    unsubscribe()
    work.begin().end()
    assert heard == [True, False]


def test_a_failing_listener_does_not_stop_the_others():
    work = ForegroundWork()
    heard: list[bool] = []

    def broken(_active: bool) -> None:
        raise RuntimeError("gone")

    work.subscribe(broken)
    work.subscribe(heard.append)
    work.begin().end()
    assert heard == [True, False] and not work.active
