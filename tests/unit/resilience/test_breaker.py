"""CircuitBreaker: closed → open → half-open (one probe) → closed or open again, on a fake clock."""
from __future__ import annotations

import threading
from datetime import datetime, timedelta

import pytest
from hypothesis import settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, precondition, rule

from insighta_desktop.resilience import BreakerState, CircuitBreaker, CircuitOpenError

WALL = datetime(2025, 3, 14, 14, 31, 0).astimezone()


class Clock:
    def __init__(self) -> None:
        self.t = 1000.0

    def now(self) -> float:
        return self.t

    def wall(self) -> datetime:
        return WALL + timedelta(seconds=self.t - 1000.0)

    def advance(self, seconds: float) -> None:
        self.t += seconds


class Transient(Exception):
    transient = True


class Permanent(Exception):
    transient = False


def make(clock: Clock, **options) -> CircuitBreaker:
    options = {"failure_threshold": 3, "window": 60.0, "cooldown": 30.0, **options}
    return CircuitBreaker("Gemini", clock=clock.now, wall_clock=clock.wall, **options)


def fail(breaker: CircuitBreaker, times: int = 1, error: BaseException | None = None) -> None:
    for _ in range(times):
        breaker.record(breaker.acquire(), error or Transient("503"))


def test_opens_after_the_threshold_of_consecutive_transient_failures():
    clock = Clock()
    breaker = make(clock)
    fail(breaker, 2)
    assert breaker.state is BreakerState.CLOSED and breaker.status().failures == 2
    fail(breaker)
    status = breaker.status()
    assert status.state is BreakerState.OPEN and status.retry_in == 30.0
    assert status.paused_until == WALL + timedelta(seconds=30) and status.until_text == "14:31"
    with pytest.raises(CircuitOpenError) as refused:
        breaker.acquire()
    assert str(refused.value) == "Gemini paused until 14:31 after repeated failures"
    assert refused.value.service == "Gemini" and refused.value.status.retry_in == 30.0


def test_a_success_or_a_permanent_error_breaks_the_streak():
    clock = Clock()
    breaker = make(clock)
    fail(breaker, 2)
    breaker.record(breaker.acquire(), None)
    fail(breaker, 2)
    breaker.record(breaker.acquire(), Permanent("400 bad key"))  # the service answered
    fail(breaker, 2)
    assert breaker.state is BreakerState.CLOSED


def test_failures_older_than_the_window_do_not_count():
    clock = Clock()
    breaker = make(clock)
    fail(breaker, 2)
    clock.advance(61)
    fail(breaker, 2)
    assert breaker.state is BreakerState.CLOSED and breaker.status().failures == 2
    fail(breaker)
    assert breaker.state is BreakerState.OPEN


def test_after_the_cool_down_exactly_one_probe_goes_through():
    clock = Clock()
    breaker = make(clock)
    fail(breaker, 3)
    clock.advance(29.9)
    with pytest.raises(CircuitOpenError):
        breaker.acquire()
    clock.advance(0.1)
    assert breaker.state is BreakerState.HALF_OPEN
    probe = breaker.acquire()
    assert probe.probe
    with pytest.raises(CircuitOpenError) as refused:
        breaker.acquire()
    assert "checking whether it is back" in str(refused.value)
    with pytest.raises(CircuitOpenError):
        breaker.check()
    breaker.record(probe, None)
    assert breaker.state is BreakerState.CLOSED
    assert not breaker.acquire().probe


def test_a_failed_probe_opens_it_again_for_a_full_cool_down():
    clock = Clock()
    breaker = make(clock)
    fail(breaker, 3)
    clock.advance(30)
    breaker.record(breaker.acquire(), Transient("503"))
    status = breaker.status()
    assert status.state is BreakerState.OPEN and status.retry_in == 30.0


def test_a_cancelled_probe_hands_the_probe_to_the_next_caller():
    clock = Clock()
    breaker = make(clock)
    fail(breaker, 3)
    clock.advance(30)
    probe = breaker.acquire()
    breaker.record(probe, KeyboardInterrupt())  # not an Exception: no verdict on the service
    assert breaker.state is BreakerState.HALF_OPEN
    assert breaker.acquire().probe


def test_the_outcome_of_a_call_admitted_before_a_change_of_state_is_ignored():
    clock = Clock()
    breaker = make(clock)
    slow, slower = breaker.acquire(), breaker.acquire()  # admitted while closed, still running when it opens
    fail(breaker, 3)
    breaker.record(slow, None)
    assert breaker.state is BreakerState.OPEN
    clock.advance(30)
    probe = breaker.acquire()
    assert breaker.status().state is BreakerState.HALF_OPEN and breaker.status().probing
    breaker.record(probe, None)
    assert breaker.state is BreakerState.CLOSED
    breaker.record(slower, Transient("late"))  # from the closed state before the pause: not counted now
    assert breaker.status().failures == 0


def test_retry_now_ends_the_cool_down_and_reset_closes():
    clock = Clock()
    breaker = make(clock)
    fail(breaker, 3)
    breaker.retry_now()
    assert breaker.state is BreakerState.HALF_OPEN
    breaker.check()  # the probe is free: a call now would go through
    fail(breaker)
    assert breaker.state is BreakerState.OPEN
    breaker.reset()
    assert breaker.state is BreakerState.CLOSED and breaker.status().failures == 0


def test_listeners_hear_every_change_once_and_can_unsubscribe():
    clock = Clock()
    breaker = make(clock)
    heard: list[str] = []
    unsubscribe = breaker.subscribe(lambda status: heard.append(status.state.value))
    breaker.subscribe(lambda status: 1 / 0)  # a broken listener does not break the calls
    fail(breaker, 3)
    clock.advance(30)
    probe = breaker.acquire()
    breaker.record(probe, None)
    assert heard == ["open", "half-open", "closed"]
    unsubscribe()
    fail(breaker, 3)
    assert heard == ["open", "half-open", "closed"]


def test_invalid_settings_are_refused():
    with pytest.raises(ValueError):
        CircuitBreaker("x", failure_threshold=0)
    with pytest.raises(ValueError):
        CircuitBreaker("x", cooldown=0)


def test_threads_racing_for_the_probe_get_exactly_one():
    clock = Clock()
    breaker = make(clock)
    fail(breaker, 3)
    clock.advance(30)
    granted: list[bool] = []
    refused: list[str] = []
    start = threading.Barrier(16)

    def caller() -> None:
        start.wait()
        try:
            granted.append(breaker.acquire().probe)
        except CircuitOpenError as exc:
            refused.append(str(exc))

    threads = [threading.Thread(target=caller) for _ in range(16)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert granted == [True] and len(refused) == 15


def test_threads_recording_failures_open_it_exactly_once():
    clock = Clock()
    breaker = make(clock, failure_threshold=50)
    opened: list[str] = []
    breaker.subscribe(lambda status: opened.append(status.state.value))

    def caller() -> None:
        for _ in range(20):
            try:
                breaker.record(breaker.acquire(), Transient("503"))
            except CircuitOpenError:
                pass

    threads = [threading.Thread(target=caller) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert opened == ["open"]


class BreakerMachine(RuleBasedStateMachine):
    """Random calls, outcomes and waits, checked against a plain model of the rules."""

    THRESHOLD, WINDOW, COOLDOWN = 3, 60.0, 30.0

    def __init__(self) -> None:
        super().__init__()
        self.clock = Clock()
        self.breaker = make(self.clock, failure_threshold=self.THRESHOLD, window=self.WINDOW, cooldown=self.COOLDOWN)
        self.state = "closed"
        self.failures: list[float] = []
        self.opened_at = 0.0
        self.probe_out = False
        self.generation = 0
        self.permits: list[tuple[object, int, bool]] = []  # permit, generation granted in, is the probe

    def _move(self, state: str) -> None:
        self.state, self.probe_out = state, False
        self.generation += 1  # calls admitted before this no longer decide anything
        if state != "open":
            self.failures = []

    def _model_advance(self) -> None:
        if self.state == "open" and self.clock.t >= self.opened_at + self.COOLDOWN:
            self._move("half-open")

    @rule(seconds=st.sampled_from([0.0, 1.0, 10.0, 29.9, 30.0, 61.0]) | st.floats(min_value=0, max_value=90))
    def wait(self, seconds: float) -> None:
        self.clock.advance(seconds)

    @rule()
    def call(self) -> None:
        self._model_advance()
        allowed = self.state == "closed" or (self.state == "half-open" and not self.probe_out)
        try:
            permit = self.breaker.acquire()
        except CircuitOpenError:
            assert not allowed
            return
        assert allowed
        probe = self.state == "half-open"
        self.probe_out = self.probe_out or probe
        assert permit.probe == probe
        self.permits.append((permit, self.generation, probe))

    @precondition(lambda self: self.permits)
    @rule(index=st.integers(min_value=0), outcome=st.sampled_from(["ok", "transient", "permanent", "cancelled"]))
    def finish(self, index: int, outcome: str) -> None:
        permit, generation, probe = self.permits.pop(index % len(self.permits))
        error = {"ok": None, "transient": Transient("503"), "permanent": Permanent("400"),
                 "cancelled": KeyboardInterrupt()}[outcome]
        self.breaker.record(permit, error)  # type: ignore[arg-type]
        if generation != self.generation:
            return
        if outcome == "cancelled":
            self.probe_out = self.probe_out and not probe
        elif outcome == "transient" and self.state == "half-open":
            self._open()
        elif outcome == "transient":
            self.failures = [t for t in self.failures + [self.clock.t] if self.clock.t - t <= self.WINDOW]
            if len(self.failures) >= self.THRESHOLD:
                self._open()
        elif self.state == "half-open":
            self._move("closed")
        else:
            self.failures = []

    def _open(self) -> None:
        self.opened_at = self.clock.t
        self._move("open")

    @invariant()
    def same_state(self) -> None:
        status = self.breaker.status()
        self._model_advance()
        assert status.state.value == self.state
        if self.state == "open":
            assert status.retry_in == pytest.approx(self.opened_at + self.COOLDOWN - self.clock.t)
        assert status.probing == (self.state == "half-open" and self.probe_out)
        if self.state == "closed":
            assert status.failures == len(self.failures)


BreakerMachine.TestCase.settings = settings(max_examples=200, stateful_step_count=50, deadline=None)
test_breaker_follows_the_rules = BreakerMachine.TestCase
