"""retry_async / retry_sync: attempt counts, recorded waits, what is never retried, log lines."""
from __future__ import annotations

import asyncio
import logging
import random

import httpx
import pytest

from insighta_desktop.resilience import (
    BreakerState,
    CircuitBreaker,
    CircuitOpenError,
    RetryEvent,
    ServerAsksToWait,
    describe_error,
    is_transient,
    retry_async,
    retry_sync,
)
from tests.fakes.clock import FakeClock


class Flaky:
    """Fails with the given exceptions in order, then returns `result`."""

    def __init__(self, *failures: BaseException, result: str = "ok") -> None:
        self.failures = list(failures)
        self.calls = 0
        self.result = result

    def __call__(self, *args, **kwargs) -> str:
        self.calls += 1
        self.args, self.kwargs = args, kwargs
        if self.failures:
            raise self.failures.pop(0)
        return self.result

    async def coro(self, *args, **kwargs) -> str:
        await asyncio.sleep(0)
        return self(*args, **kwargs)


def http_error(status: int, headers: dict[str, str] | None = None) -> httpx.HTTPStatusError:
    request = httpx.Request("POST", "http://127.0.0.1/x")
    response = httpx.Response(status, headers=headers or {}, request=request)
    return httpx.HTTPStatusError(f"HTTP {status}", request=request, response=response)


async def test_success_after_failures_records_waits_one_then_two():
    clock = FakeClock()
    flaky = Flaky(ValueError("a"), ValueError("b"))
    result = await retry_async(flaky.coro, 7, key="v", exceptions=(ValueError,), sleep=clock.sleep,
                               clock=clock.now)
    assert result == "ok"
    assert flaky.calls == 3
    assert clock.waits == [1.0, 2.0]
    assert flaky.args == (7,) and flaky.kwargs == {"key": "v"}


async def test_exhaustion_reraises_the_last_exception_unchanged():
    clock = FakeClock()
    last = ValueError("third")
    flaky = Flaky(ValueError("first"), ValueError("second"), last)
    with pytest.raises(ValueError) as caught:
        await retry_async(flaky.coro, exceptions=(ValueError,), sleep=clock.sleep, clock=clock.now)
    assert caught.value is last
    assert flaky.calls == 3
    assert clock.waits == [1.0, 2.0]


async def test_waits_grow_by_the_backoff_factor_and_respect_max_retries():
    clock = FakeClock()
    flaky = Flaky(*[OSError(str(i)) for i in range(4)])
    await retry_async(flaky.coro, max_retries=5, initial_delay=0.5, backoff_factor=3.0,
                      max_delay=None, sleep=clock.sleep, clock=clock.now)
    assert flaky.calls == 5
    assert clock.waits == [0.5, 1.5, 4.5, 13.5]


async def test_exception_outside_the_listed_ones_is_not_retried():
    clock = FakeClock()
    flaky = Flaky(TypeError("bad"))
    with pytest.raises(TypeError):
        await retry_async(flaky.coro, exceptions=(ValueError,), sleep=clock.sleep, clock=clock.now)
    assert flaky.calls == 1
    assert clock.waits == []


async def test_non_transient_http_errors_are_not_retried_with_is_transient():
    for status in (400, 401, 403, 404):
        clock = FakeClock()
        flaky = Flaky(http_error(status))
        with pytest.raises(httpx.HTTPStatusError):
            await retry_async(flaky.coro, retry_if=is_transient, sleep=clock.sleep, clock=clock.now)
        assert flaky.calls == 1, status
        assert clock.waits == []


async def test_transient_http_errors_are_retried_with_is_transient():
    clock = FakeClock()
    flaky = Flaky(http_error(503), httpx.ConnectError("refused"))
    assert await retry_async(flaky.coro, retry_if=is_transient, sleep=clock.sleep, clock=clock.now) == "ok"
    assert flaky.calls == 3


async def test_retry_after_longer_than_the_backoff_is_honoured_in_full():
    clock = FakeClock()
    flaky = Flaky(http_error(429, {"Retry-After": "7"}), http_error(429, {"Retry-After": "60"}))
    await retry_async(flaky.coro, retry_if=is_transient, retry_after_cap=60.0, sleep=clock.sleep,
                      clock=clock.now)
    assert clock.waits == [7.0, 60.0]  # never cut short: an early call is only refused again


async def test_retry_after_beyond_the_cap_fails_at_once_with_the_wait(caplog):
    clock = FakeClock()
    caplog.set_level(logging.WARNING, logger="insighta_desktop.resilience")
    first = http_error(429, {"Retry-After": "90"})
    flaky = Flaky(first)
    with pytest.raises(ServerAsksToWait) as caught:
        await retry_async(flaky.coro, retry_if=is_transient, retry_after_cap=60.0, sleep=clock.sleep,
                          clock=clock.now, service="Gemini", task_name="Generate assessment")
    assert str(caught.value) == "Gemini asks to wait 90 s"
    assert caught.value.wait == 90.0 and caught.value.service == "Gemini"
    assert caught.value.__cause__ is first and is_transient(caught.value)
    assert flaky.calls == 1 and clock.waits == []
    assert caplog.records[-1].getMessage() == (
        "Attempt 1/3 failed for Generate assessment: HTTP 429. Gemini asks to wait 90 s, longer than this call "
        "can wait; not retrying")


async def test_retry_after_that_would_pass_the_deadline_fails_at_once():
    clock = FakeClock()
    flaky = Flaky(http_error(503), http_error(429, {"Retry-After": "20"}))
    with pytest.raises(ServerAsksToWait, match="The server asks to wait 20 s"):
        await retry_async(flaky.coro, retry_if=is_transient, deadline=15.0, sleep=clock.sleep, clock=clock.now)
    assert clock.waits == [1.0] and flaky.calls == 2


def test_retry_sync_refuses_a_retry_after_beyond_the_cap_too():
    clock = FakeClock()
    flaky = Flaky(http_error(429, {"Retry-After": "120"}))
    with pytest.raises(ServerAsksToWait, match="asks to wait 120 s"):
        retry_sync(flaky, retry_if=is_transient, sleep=clock.sleep_sync, clock=clock.now)
    assert clock.waits == []


async def test_retry_after_shorter_than_the_backoff_does_not_shorten_it():
    clock = FakeClock()
    flaky = Flaky(http_error(429, {"Retry-After": "0"}))
    await retry_async(flaky.coro, initial_delay=1.5, sleep=clock.sleep, clock=clock.now)
    assert clock.waits == [1.5]


async def test_cancelled_error_is_never_retried_even_if_listed():
    clock = FakeClock()
    flaky = Flaky(asyncio.CancelledError())
    with pytest.raises(asyncio.CancelledError):
        await retry_async(flaky.coro, exceptions=(BaseException,), sleep=clock.sleep, clock=clock.now)
    assert flaky.calls == 1
    assert clock.waits == []


async def test_cancelling_the_task_during_a_wait_stops_retrying():
    flaky = Flaky(ValueError("a"), ValueError("b"))
    task = asyncio.ensure_future(retry_async(flaky.coro, initial_delay=30.0))
    while flaky.calls == 0:
        await asyncio.sleep(0)
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    assert flaky.calls == 1


async def test_deadline_stops_retrying_before_a_wait_that_would_pass_it():
    clock = FakeClock()
    flaky = Flaky(*[ValueError(str(i)) for i in range(5)])
    with pytest.raises(ValueError):
        await retry_async(flaky.coro, max_retries=6, deadline=5.0, sleep=clock.sleep, clock=clock.now)
    assert clock.waits == [1.0, 2.0]  # a third wait of 4 s would end at 7 s, past the 5 s deadline
    assert flaky.calls == 3


async def test_jitter_adds_at_most_the_given_seconds():
    clock = FakeClock()
    flaky = Flaky(*[ValueError(str(i)) for i in range(3)])
    await retry_async(flaky.coro, max_retries=4, jitter=0.5, rng=random.Random(3), sleep=clock.sleep,
                      clock=clock.now)
    for wait, base in zip(clock.waits, [1.0, 2.0, 4.0], strict=True):
        assert base <= wait <= base + 0.5
    assert clock.waits != [1.0, 2.0, 4.0]


async def test_on_retry_reports_next_attempt_and_delay():
    clock = FakeClock()
    events: list[RetryEvent] = []
    flaky = Flaky(ValueError("a"), ValueError("b"))
    await retry_async(flaky.coro, on_retry=events.append, sleep=clock.sleep, clock=clock.now,
                      task_name="Generate assessment")
    assert [(e.next_attempt, e.max_attempts, e.delay) for e in events] == [(2, 3, 1.0), (3, 3, 2.0)]
    assert events[1].message == "retrying (3/3) in 2 s"
    assert events[0].task_name == "Generate assessment"


async def test_log_lines_for_each_failure_and_for_exhaustion(caplog):
    clock = FakeClock()
    flaky = Flaky(ValueError("quota"), ValueError("quota"), ValueError("quota"))
    caplog.set_level(logging.WARNING, logger="insighta_desktop.resilience")
    with pytest.raises(ValueError):
        await retry_async(flaky.coro, task_name="Generate assessment", sleep=clock.sleep, clock=clock.now)
    warnings = [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]
    errors = [r.getMessage() for r in caplog.records if r.levelno == logging.ERROR]
    assert warnings == [
        "Attempt 1/3 failed for Generate assessment: quota. Retrying in 1.00s...",
        "Attempt 2/3 failed for Generate assessment: quota. Retrying in 2.00s...",
    ]
    assert len(errors) == 1 and "Generate assessment" in errors[0] and "3 attempts" in errors[0]


async def test_single_attempt_and_invalid_settings():
    flaky = Flaky(ValueError("x"))
    with pytest.raises(ValueError, match="x"):
        await retry_async(flaky.coro, max_retries=1)
    assert flaky.calls == 1
    with pytest.raises(ValueError, match="at least 1"):
        await retry_async(flaky.coro, max_retries=0)


def test_retry_sync_has_the_same_policy(caplog):
    clock = FakeClock()
    flaky = Flaky(http_error(502), http_error(429, {"Retry-After": "5"}))
    caplog.set_level(logging.WARNING, logger="insighta_desktop.resilience")
    assert retry_sync(flaky, "a", retry_if=is_transient, task_name="Import batch",
                      sleep=clock.sleep_sync, clock=clock.now) == "ok"
    assert clock.waits == [1.0, 5.0]
    assert flaky.args == ("a",)
    assert caplog.records[0].getMessage().startswith("Attempt 1/3 failed for Import batch: HTTP 502.")


def test_retry_sync_does_not_retry_listed_but_non_transient():
    clock = FakeClock()
    flaky = Flaky(http_error(400))
    with pytest.raises(httpx.HTTPStatusError):
        retry_sync(flaky, retry_if=is_transient, sleep=clock.sleep_sync, clock=clock.now)
    assert flaky.calls == 1


async def test_retrying_runs_blocking_calls_off_the_loop_with_recorded_waits():
    import threading

    clock = FakeClock()
    threads: list[str] = []
    flaky = Flaky(ConnectionResetError("reset"))

    def blocking() -> str:
        threads.append(threading.current_thread().name)
        return flaky()

    assert await clock.retrying().run_in_thread(blocking, task_name="Load transcript") == "ok"
    assert clock.waits == [1.0]
    assert threading.main_thread().name not in threads


def timeout(kind: type[httpx.TimeoutException], seconds: float) -> httpx.TimeoutException:
    request = httpx.Request("POST", "http://127.0.0.1/x", extensions={
        "timeout": {"connect": seconds, "read": seconds, "write": seconds, "pool": seconds}})
    return kind("", request=request)


async def test_a_timeout_is_named_in_the_log_line(caplog):
    clock = FakeClock()
    caplog.set_level(logging.WARNING, logger="insighta_desktop.resilience")
    flaky = Flaky(timeout(httpx.ReadTimeout, 30), timeout(httpx.ConnectTimeout, 5), timeout(httpx.ReadTimeout, 30))
    with pytest.raises(httpx.ReadTimeout):
        await retry_async(flaky.coro, retry_if=is_transient, task_name="Generate assessment", sleep=clock.sleep,
                          clock=clock.now)
    lines = [r.getMessage() for r in caplog.records]
    assert lines[0] == ("Attempt 1/3 failed for Generate assessment: timed out after 30 s waiting for the answer. "
                        "Retrying in 1.00s...")
    assert lines[1].startswith("Attempt 2/3 failed for Generate assessment: timed out after 5 s connecting.")
    assert lines[2].endswith("(no attempts left): timed out after 30 s waiting for the answer")


def test_describe_error_is_never_empty():
    assert describe_error(TimeoutError()) == "timed out"
    assert describe_error(httpx.ReadTimeout("")) == "timed out waiting for the answer"  # no request: no limit
    assert describe_error(httpx.RemoteProtocolError("")) == "RemoteProtocolError (no message)"
    assert describe_error(ValueError("bad")) == "bad"


async def test_an_open_breaker_fails_the_call_without_trying_it():
    clock = FakeClock()
    breaker = CircuitBreaker("Gemini", failure_threshold=2, cooldown=30, clock=clock.now)
    flaky = Flaky(*[http_error(503) for _ in range(5)])
    with pytest.raises(CircuitOpenError, match="Gemini paused until") as caught:
        await retry_async(flaky.coro, retry_if=is_transient, breaker=breaker, sleep=clock.sleep, clock=clock.now)
    assert flaky.calls == 2 and clock.waits == [1.0]  # opened on the 2nd failure: no wait for a refused 3rd
    assert isinstance(caught.value.__cause__, httpx.HTTPStatusError)
    with pytest.raises(CircuitOpenError):
        await retry_async(flaky.coro, breaker=breaker, sleep=clock.sleep, clock=clock.now)
    assert flaky.calls == 2
    clock.advance(30)
    assert await retry_async(Flaky().coro, breaker=breaker, sleep=clock.sleep, clock=clock.now) == "ok"  # the probe
    assert breaker.state is BreakerState.CLOSED


async def test_a_cancelled_attempt_gives_the_probe_back():
    clock = FakeClock()
    breaker = CircuitBreaker("Gemini", failure_threshold=1, cooldown=30, clock=clock.now)
    breaker.record(breaker.acquire(), ConnectionError("down"))
    clock.advance(30)
    started = asyncio.Event()

    async def hang() -> None:
        started.set()
        await asyncio.sleep(60)

    task = asyncio.ensure_future(retry_async(hang, breaker=breaker))
    await started.wait()
    assert breaker.status().probing
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    assert breaker.state is BreakerState.HALF_OPEN and not breaker.status().probing
