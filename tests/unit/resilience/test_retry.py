"""retry_async / retry_sync: attempt counts, recorded waits, what is never retried, log lines."""
from __future__ import annotations

import asyncio
import logging
import random

import httpx
import pytest

from insighta_desktop.resilience import RetryEvent, is_transient, retry_async, retry_sync
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


async def test_retry_after_longer_than_the_backoff_wins_up_to_the_cap():
    clock = FakeClock()
    flaky = Flaky(http_error(429, {"Retry-After": "7"}), http_error(429, {"Retry-After": "600"}))
    await retry_async(flaky.coro, retry_if=is_transient, retry_after_cap=20.0, sleep=clock.sleep,
                      clock=clock.now)
    assert clock.waits == [7.0, 20.0]


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
