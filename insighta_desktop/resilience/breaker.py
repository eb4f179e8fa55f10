"""A circuit breaker over one remote service: after repeated transient failures, calls pause for a cool-down.

    closed ── `failure_threshold` consecutive transient failures within `window` seconds ──▶ open
    open ── `cooldown` seconds later (or `retry_now()`) ──▶ half-open: exactly one call, the probe, goes through
    half-open ── the probe succeeds ──▶ closed;  the probe fails ──▶ open again for another cool-down

An error that is not transient (a refused key, a malformed answer) means the service answered: it counts as a
success here. A call that ends without an outcome (cancelled) only gives back its probe slot.

Qt-free and thread-safe: the GUI's event loop and worker threads share one instance per remote service. Each
permit remembers the state it was granted in, so the outcome of a call admitted before a change of state (a
slow call still running when the breaker opened) does not decide the new state. Listeners receive a
`BreakerStatus` after every change, on the thread that caused it and outside the lock.
"""
from __future__ import annotations

import logging
import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from insighta_desktop.resilience.classify import is_transient

log = logging.getLogger("insighta_desktop.resilience")


class BreakerState(StrEnum):
    CLOSED = "closed"
    OPEN = "open"
    HALF_OPEN = "half-open"


def local_now() -> datetime:
    return datetime.now().astimezone()


@dataclass(frozen=True)
class BreakerStatus:
    """What a breaker is doing, for messages and the GUI."""

    service: str
    state: BreakerState
    failures: int  # consecutive transient failures counted in the current window
    retry_in: float | None  # open: seconds until the cool-down ends
    paused_until: datetime | None  # open: the end of the cool-down on the wall clock (local time)
    probing: bool  # half-open: the one probe call is in flight

    @property
    def until_text(self) -> str:
        return self.paused_until.strftime("%H:%M") if self.paused_until is not None else ""

    @property
    def message(self) -> str:
        if self.state is BreakerState.OPEN:
            return f"{self.service} paused until {self.until_text} after repeated failures"
        if self.state is BreakerState.HALF_OPEN:
            return f"{self.service} paused: one request is checking whether it is back"
        return f"{self.service} available"


class CircuitOpenError(RuntimeError):
    """The breaker refused the call without trying it: the service is paused."""

    transient = False  # trying again at once is exactly what the breaker is there to prevent

    def __init__(self, status: BreakerStatus) -> None:
        super().__init__(status.message)
        self.status = status

    @property
    def service(self) -> str:
        return self.status.service


@dataclass(frozen=True)
class Permit:
    """Leave to make one call; its outcome goes back through `record` or `release`."""

    generation: int
    probe: bool


Listener = Callable[[BreakerStatus], None]


class CircuitBreaker:
    def __init__(self, service: str, *, failure_threshold: int = 5, window: float = 120.0, cooldown: float = 60.0,
                 is_failure: Callable[[BaseException], bool] = is_transient,
                 clock: Callable[[], float] = time.monotonic, wall_clock: Callable[[], datetime] = local_now) -> None:
        if failure_threshold < 1:
            raise ValueError("failure_threshold must be at least 1")
        if window <= 0 or cooldown <= 0:
            raise ValueError("window and cooldown must be positive")
        self.service = service
        self.failure_threshold = failure_threshold
        self.window = window
        self.cooldown = cooldown
        self.is_failure = is_failure
        self._clock = clock
        self._wall_clock = wall_clock
        self._lock = threading.Lock()
        self._state = BreakerState.CLOSED
        self._failures: deque[float] = deque()
        self._retry_at = 0.0  # open: when the cool-down ends, on `clock`
        self._probing = False
        self._generation = 0  # bumped at every change of state
        self._listeners: list[Listener] = []

    # --- reading ---------------------------------------------------------------------------------
    @property
    def state(self) -> BreakerState:
        return self.status().state

    def status(self) -> BreakerStatus:
        """The current status (an open breaker whose cool-down has ended becomes half-open here)."""
        with self._lock:
            changed = self._advance()
            status = self._status()
        self._notify(changed)
        return status

    def check(self) -> None:
        """Raise `CircuitOpenError` when a call made now would be refused; takes nothing."""
        status = self.status()
        if status.state is BreakerState.OPEN or status.probing:
            raise CircuitOpenError(status)

    # --- calls -----------------------------------------------------------------------------------
    def acquire(self) -> Permit:
        """Leave for one call, or `CircuitOpenError`. In half-open, the first caller gets the probe."""
        with self._lock:
            changed = self._advance()
            if self._state is BreakerState.CLOSED:
                permit: Permit | None = Permit(self._generation, probe=False)
            elif self._state is BreakerState.HALF_OPEN and not self._probing:
                self._probing = True
                permit = Permit(self._generation, probe=True)
            else:
                permit = None
            status = self._status()
        self._notify(changed)
        if permit is None:
            raise CircuitOpenError(status)
        return permit

    def record(self, permit: Permit, error: BaseException | None) -> None:
        """The call's outcome: None for an answer, else the error it ended with."""
        if error is not None and not isinstance(error, Exception):  # cancelled, interrupted: no verdict
            self.release(permit)
        elif error is not None and self.is_failure(error):
            self._failure(permit)
        else:
            self._success(permit)

    def release(self, permit: Permit) -> None:
        """The call ended without an outcome; a probe's slot goes to the next caller."""
        with self._lock:
            if permit.probe and permit.generation == self._generation:
                self._probing = False

    def _success(self, permit: Permit) -> None:
        with self._lock:
            if permit.generation != self._generation:
                return
            if self._state is BreakerState.HALF_OPEN and permit.probe:
                changed = self._move(BreakerState.CLOSED)
            else:
                self._failures.clear()
                changed = None
        self._notify(changed)

    def _failure(self, permit: Permit) -> None:
        with self._lock:
            if permit.generation != self._generation:
                return
            now = self._clock()
            changed = None
            if self._state is BreakerState.HALF_OPEN and permit.probe:
                changed = self._open(now)
            elif self._state is BreakerState.CLOSED:
                self._failures.append(now)
                while self._failures and now - self._failures[0] > self.window:
                    self._failures.popleft()
                if len(self._failures) >= self.failure_threshold:
                    changed = self._open(now)
        self._notify(changed)

    # --- a person's say ----------------------------------------------------------------------------
    def retry_now(self) -> None:
        """End the cool-down now: the next call is the probe ("Retry now")."""
        with self._lock:
            changed = self._move(BreakerState.HALF_OPEN) if self._state is BreakerState.OPEN else None
        self._notify(changed)

    def reset(self) -> None:
        """Back to closed with nothing counted (the service's configuration changed)."""
        with self._lock:
            changed = self._move(BreakerState.CLOSED) if self._state is not BreakerState.CLOSED else None
            self._failures.clear()
        self._notify(changed)

    # --- listeners -------------------------------------------------------------------------------
    def subscribe(self, listener: Listener) -> Callable[[], None]:
        """Call `listener` after every change of state; returns the function that unsubscribes it."""
        with self._lock:
            self._listeners.append(listener)

        def unsubscribe() -> None:
            with self._lock:
                if listener in self._listeners:
                    self._listeners.remove(listener)
        return unsubscribe

    # --- inside the lock -------------------------------------------------------------------------
    def _advance(self) -> BreakerStatus | None:
        if self._state is BreakerState.OPEN and self._clock() >= self._retry_at:
            return self._move(BreakerState.HALF_OPEN)
        return None

    def _open(self, now: float) -> BreakerStatus:
        self._retry_at = now + self.cooldown
        return self._move(BreakerState.OPEN)

    def _move(self, state: BreakerState) -> BreakerStatus:
        previous, self._state = self._state, state
        self._generation += 1
        self._probing = False
        if state is not BreakerState.OPEN:
            self._failures.clear()
        status = self._status()
        log.log(logging.WARNING if state is BreakerState.OPEN else logging.INFO,
                "%s circuit %s → %s%s", self.service, previous, state,
                f" until {status.until_text} ({self.cooldown:g} s)" if state is BreakerState.OPEN else "")
        return status

    def _status(self) -> BreakerStatus:
        retry_in = paused_until = None
        if self._state is BreakerState.OPEN:
            retry_in = max(0.0, self._retry_at - self._clock())
            paused_until = self._wall_clock() + timedelta(seconds=retry_in)
        return BreakerStatus(self.service, self._state, len(self._failures), retry_in, paused_until, self._probing)

    # --- outside the lock ------------------------------------------------------------------------
    def _notify(self, status: BreakerStatus | None) -> None:
        if status is None:
            return
        with self._lock:
            listeners = list(self._listeners)
        for listener in listeners:
            try:
                listener(status)
            except Exception:  # a listener's bug must not break the call that changed the state
                log.exception("A %s circuit listener failed", self.service)
