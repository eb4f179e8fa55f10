"""Gemini's pauses in the Interviews tab: the circuit breaker's banner ("Gemini paused until 14:32 — Retry now")
and a retry at the time Gemini asked for ("Retry in 90 s")."""
from __future__ import annotations

import functools
import logging
import time
from collections.abc import Callable

from PySide6.QtCore import QObject, Qt, QTimer, Signal
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QPushButton, QSizePolicy, QWidget

from insighta_desktop.resilience import BreakerState, BreakerStatus, CircuitBreaker

log = logging.getLogger(__name__)

STYLE = ("#geminiPause { background: #fff4e5; border: 1px solid #f3c98b; border-radius: 4px; }"
         " #geminiPauseText { color: #7a4100; }")


class GeminiPauseBanner(QFrame):
    """Shown while the Gemini breaker is open; "Retry now" ends the cool-down (and re-runs what the pause stopped).

    The breaker may change state on any thread: its listener only emits `_changed`, which Qt delivers on the GUI
    thread. A timer parented to the banner looks at the breaker again when the cool-down ends.
    """

    retry_requested = Signal()
    _changed = Signal(object)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("geminiPause")
        self.setStyleSheet(STYLE)
        self.text = QLabel()
        self.text.setObjectName("geminiPauseText")
        self.text.setWordWrap(True)
        self.text.setTextFormat(Qt.TextFormat.PlainText)
        self.text.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        self.retry_button = QPushButton("Retry now")
        self.retry_button.setToolTip("End the pause: the next request to Gemini checks whether it is back")
        self.retry_button.clicked.connect(self.retry_now)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(8, 4, 4, 4)
        layout.addWidget(self.text, 1)
        layout.addWidget(self.retry_button)
        self.cooldown_timer = QTimer(self)
        self.cooldown_timer.setSingleShot(True)
        self.cooldown_timer.timeout.connect(self.refresh)
        self._changed.connect(self.show_status)
        self.breaker: CircuitBreaker | None = None
        self.status: BreakerStatus | None = None
        self._subscription: list[Callable[[], None]] = []  # the breaker outlives the banner: left when destroyed
        self._waiting: tuple[str, Callable[[], object]] | None = None  # what the pause stopped, to re-run
        self.destroyed.connect(functools.partial(_leave, self._subscription))
        self.setVisible(False)

    @property
    def showing(self) -> bool:
        return self.status is not None and self.status.state is BreakerState.OPEN

    def bind(self, breaker: CircuitBreaker) -> None:
        """Follow `breaker` (the services' Gemini breaker); binding the same one again does nothing."""
        if breaker is self.breaker:
            return
        _leave(self._subscription)
        self.breaker = breaker
        self._subscription.append(breaker.subscribe(self._changed.emit))
        self._waiting = None
        self.refresh()

    def refresh(self) -> None:
        if self.breaker is not None:
            self.show_status(self.breaker.status())  # an ended cool-down turns half-open here

    def show_status(self, status: BreakerStatus) -> None:
        self.status = status
        if status.state is not BreakerState.OPEN:
            self._waiting = None
            self.cooldown_timer.stop()
            self.setVisible(False)
            return
        self._show_text()
        self.cooldown_timer.start(int((status.retry_in or 0) * 1000) + 50)
        self.setVisible(True)

    def offer(self, what: str, rerun: Callable[[], object]) -> bool:
        """While paused: say `what` the pause stopped, and re-run it on "Retry now". False when not paused."""
        if not self.showing:
            return False
        self._waiting = (what, rerun)
        self._show_text()
        return True

    def retry_now(self) -> None:
        waiting, self._waiting = self._waiting, None
        if self.breaker is not None:
            self.breaker.retry_now()
        self.retry_requested.emit()
        if waiting is not None:
            waiting[1]()

    def _show_text(self) -> None:
        assert self.status is not None
        text = (f"{self.status.service} paused until {self.status.until_text} after repeated failures — the chat "
                "answers from the transcript meanwhile.")
        if self._waiting is not None:
            text += f" {self._waiting[0]}"
        self.text.setText(text)


def _leave(subscription: list[Callable[[], None]]) -> None:
    while subscription:
        subscription.pop()()


class RetryLater(QObject):
    """Run a callback once, at the time a server asked for ("Retry in 90 s"); one timer, parented to its widget."""

    def __init__(self, parent: QObject) -> None:
        super().__init__(parent)
        self.timer = QTimer(self)
        self.timer.setSingleShot(True)
        self.timer.timeout.connect(self._fire)
        self._callback: Callable[[], object] | None = None
        self._due = 0.0

    @property
    def active(self) -> bool:
        return self.timer.isActive()

    def remaining(self) -> float:
        return max(0.0, self._due - time.monotonic()) if self.active else 0.0

    def schedule(self, seconds: float, callback: Callable[[], object]) -> None:
        self._callback = callback
        self._due = time.monotonic() + max(0.0, seconds)
        self.timer.start(int(max(0.0, seconds) * 1000))

    def cancel(self) -> None:
        self.timer.stop()
        self._callback = None

    def _fire(self) -> None:
        self.timer.stop()
        callback, self._callback = self._callback, None
        if callback is not None:
            callback()
