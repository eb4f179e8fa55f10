"""The link to the database as people see it: connecting, online (which server), or offline and retrying.

One `DatabaseLink` per open database (AppContext.link). Whoever talks to the database reports what happened — the
reachability check, a search that failed and is waiting to retry, a search that got through — and the window's
status bar listens. Qt-free and thread-safe; listeners run on the reporting thread, outside the lock (the GUI
reports from its event loop; the window hops threads through a signal anyway).
"""
from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum

from insighta_desktop.resilience.policy import loop_sleep
from insighta_desktop.resilience.reasons import format_seconds

log = logging.getLogger("insighta_desktop.resilience")


class LinkState(StrEnum):
    CONNECTING = "connecting"
    ONLINE = "online"
    OFFLINE = "offline"


@dataclass(frozen=True)
class LinkStatus:
    state: LinkState
    server: str | None = None  # "PostgreSQL 15 · db.example.com · insighta", once known
    reason: str | None = None  # offline: the driver's reason, in a few words
    retry_in: float | None = None  # offline: seconds until the next attempt, when one is scheduled

    @property
    def text(self) -> str:
        """The status bar's words."""
        if self.state is LinkState.CONNECTING:
            return "connecting…"
        if self.state is LinkState.ONLINE:
            return self.server or "connected"
        when = f" in {format_seconds(self.retry_in)}" if self.retry_in is not None else ""
        return f"offline — retrying{when}" + (f" · {self.server}" if self.server else "")


Listener = Callable[[LinkStatus], None]


class DatabaseLink:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._status = LinkStatus(LinkState.CONNECTING)
        self._listeners: list[Listener] = []
        self._reached = 0  # calls that got through: a waiting retry wakes when this moves

    @property
    def status(self) -> LinkStatus:
        with self._lock:
            return self._status

    @property
    def offline(self) -> bool:
        return self.status.state is LinkState.OFFLINE

    def reached(self, server: str | None = None) -> None:
        """A call got through (`server`: what answered, when it was read; else the last one known)."""
        with self._lock:
            previous = self._status
            status = LinkStatus(LinkState.ONLINE, server or previous.server)
            self._reached += 1
        if previous.state is LinkState.OFFLINE:
            log.info("Database link back (%s)", status.server or "server unknown")
        self._set(status)

    def lost(self, reason: str, retry_in: float | None = None) -> None:
        """A call failed for want of a connection; `retry_in`: when the next attempt is due."""
        with self._lock:
            previous = self._status
            status = LinkStatus(LinkState.OFFLINE, previous.server, reason, retry_in)
        if previous.state is not LinkState.OFFLINE:
            log.warning("Database link lost: %s", reason)
        self._set(status)

    def _set(self, status: LinkStatus) -> None:
        with self._lock:
            changed = status != self._status
            self._status = status
            listeners = list(self._listeners)
        if not changed:
            return
        for listener in listeners:
            try:
                listener(status)
            except Exception:  # a listener's bug must not break the call that reported
                log.exception("A database link listener failed")

    async def wait(self, seconds: float, poll: float = 0.25) -> None:
        """Sleep `seconds`, or less: until another call gets through (the reachability check, another search).
        A retry's wait: the search runs as soon as the link is known to be back."""
        with self._lock:
            reached = self._reached
        deadline = time.monotonic() + seconds
        while (left := deadline - time.monotonic()) > 0:
            await loop_sleep(min(left, poll))
            with self._lock:
                if self._reached != reached:
                    return

    def subscribe(self, listener: Listener) -> Callable[[], None]:
        """Call `listener` after every change; returns the function that unsubscribes it."""
        with self._lock:
            self._listeners.append(listener)

        def unsubscribe() -> None:
            with self._lock:
                if listener in self._listeners:
                    self._listeners.remove(listener)
        return unsubscribe
