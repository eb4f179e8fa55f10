"""Foreground work: what the person waits for right now (a Profiles search in flight), so that background work of
the app's own (an import's child process) can step aside while it runs.

Qt-free and small: work in flight is counted; listeners hear `True` when the first piece begins and `False` when the
last one ends. Marks and listeners belong to the GUI thread (the listener runs on the thread that marks). A mark
ends once however often it is ended, so a mark may be ended both by its task's completion and by a cancel.
"""
from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

log = logging.getLogger(__name__)

Listener = Callable[[bool], None]


class Mark:
    """One piece of foreground work; `end` (or the end of the task it was tied to) releases it."""

    def __init__(self, work: ForegroundWork) -> None:
        self._work: ForegroundWork | None = work

    def end(self, *_: Any) -> None:  # *_: usable as a task's done callback
        work, self._work = self._work, None
        if work is not None:
            work._ended()

    @property
    def ended(self) -> bool:
        return self._work is None


class ForegroundWork:
    def __init__(self) -> None:
        self._in_flight = 0
        self._listeners: list[Listener] = []

    @property
    def active(self) -> bool:
        return self._in_flight > 0

    def begin(self) -> Mark:
        self._in_flight += 1
        if self._in_flight == 1:
            self._tell(True)
        return Mark(self)

    def subscribe(self, listener: Listener) -> Callable[[], None]:
        """Hear when foreground work begins and ends; returns the call that stops it."""
        self._listeners.append(listener)

        def unsubscribe() -> None:
            if listener in self._listeners:
                self._listeners.remove(listener)

        return unsubscribe

    def _ended(self) -> None:
        self._in_flight -= 1
        if self._in_flight == 0:
            self._tell(False)

    def _tell(self, active: bool) -> None:
        for listener in list(self._listeners):
            try:
                listener(active)
            except Exception:  # a listener's failure must not break the search that marked
                log.exception("A foreground-work listener failed")


FOREGROUND = ForegroundWork()  # the app's: the Profiles tab marks its searches, an import's child process listens
