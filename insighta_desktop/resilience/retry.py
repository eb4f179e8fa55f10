"""Retry with exponential backoff, for coroutines (`retry_async`) and worker threads (`retry_sync`).

`max_retries` is the total number of attempts. The wait before retry n (n = 1, 2, ...) is
`initial_delay * backoff_factor ** (n - 1)`, capped at `max_delay`, plus up to `jitter` seconds of
randomness. A server's Retry-After (or Gemini's RetryInfo) wins when it is longer, and is honoured in
full: calling before the server's time is only another refusal. When that time is more than this call
can wait (`retry_after_cap`, or what is left before the `deadline`), the call fails at once with
`ServerAsksToWait`, which carries the wait, so a person can be offered to try again then. A `deadline`
(seconds from the first attempt, measured on `clock`) stops retrying when the next attempt would start
after it. `asyncio.CancelledError` is never retried.

With a `breaker` (resilience.breaker), every attempt asks it for leave first and reports its outcome;
an open breaker fails the call at once with `CircuitOpenError`, and a breaker that opens during the
retries stops them.
"""

from __future__ import annotations

import asyncio
import inspect
import logging
import random
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any, TypeVar

from insighta_desktop.resilience.breaker import CircuitBreaker, Permit
from insighta_desktop.resilience.classify import retry_after_seconds
from insighta_desktop.resilience.reasons import describe_error, format_seconds

log = logging.getLogger("insighta_desktop.resilience")

T = TypeVar("T")
RetryPredicate = Callable[[BaseException], bool]


@dataclass(frozen=True)
class RetryEvent:
    """One scheduled retry, reported to `on_retry` before the wait starts."""

    task_name: str
    failed_attempt: int
    max_attempts: int
    delay: float
    error: BaseException
    retry_after: float | None = None

    @property
    def next_attempt(self) -> int:
        return self.failed_attempt + 1

    @property
    def message(self) -> str:
        return f"retrying ({self.next_attempt}/{self.max_attempts}) in {format_seconds(self.delay)}"


class ServerAsksToWait(RuntimeError):
    """The server asked for a longer wait than this call may take: "Gemini asks to wait 90 s"."""

    transient = True  # the same call will work later, just not within this call

    def __init__(self, service: str, wait: float) -> None:
        super().__init__(f"{service} asks to wait {format_seconds(wait)}")
        self.service = service
        self.wait = wait


@dataclass(frozen=True)
class _Policy:
    attempts: int
    initial_delay: float
    backoff_factor: float
    max_delay: float | None
    jitter: float
    retry_after_cap: float
    deadline: float | None
    exceptions: tuple[type[BaseException], ...]
    retry_if: RetryPredicate | None
    task_name: str
    rng: random.Random | None
    service: str

    def retryable(self, exc: BaseException) -> bool:
        if isinstance(exc, asyncio.CancelledError) or not isinstance(exc, Exception):
            return False
        if not isinstance(exc, self.exceptions):
            return False
        return self.retry_if is None or self.retry_if(exc)

    def delay_after(self, failed_attempt: int, exc: BaseException) -> tuple[float, float | None]:
        delay = self.initial_delay * self.backoff_factor ** (failed_attempt - 1)
        if self.max_delay is not None:
            delay = min(delay, self.max_delay)
        if self.jitter > 0:
            delay += (self.rng or random).uniform(0, self.jitter)
        hint = retry_after_seconds(exc)
        if hint is not None and hint > delay:
            delay = hint
        return delay, hint

    def past_deadline(self, started: float, now: float, delay: float) -> bool:
        return self.deadline is not None and (now - started) + delay > self.deadline

    def longest_wait(self, started: float, now: float) -> float:
        """The longest a server's Retry-After may make this call wait."""
        if self.deadline is None:
            return self.retry_after_cap
        return min(self.retry_after_cap, self.deadline - (now - started))

    def log_retry(self, attempt: int, exc: BaseException, delay: float) -> None:
        log.warning("Attempt %d/%d failed for %s: %s. Retrying in %.2fs...",
                    attempt, self.attempts, self.task_name, describe_error(exc), delay)

    def after_failure(self, attempt: int, exc: BaseException, started: float, now: float) -> RetryEvent | None:
        """The retry to make after `attempt` failed with `exc` (logged), or None when `exc` is to be re-raised.

        Raises `ServerAsksToWait` when the server asked for a wait longer than this call can make.
        """
        if not self.retryable(exc):
            log.debug("%s failed with a non-retryable error: %r", self.task_name, exc)
            return None
        if attempt >= self.attempts:
            self.log_exhausted(attempt, exc, "no attempts left")
            return None
        delay, hint = self.delay_after(attempt, exc)
        if hint is not None and hint >= delay and hint > self.longest_wait(started, now):
            log.warning("Attempt %d/%d failed for %s: %s. %s asks to wait %s, longer than this call can wait; "
                        "not retrying", attempt, self.attempts, self.task_name, describe_error(exc), self.service,
                        format_seconds(hint))
            raise ServerAsksToWait(self.service, hint) from exc
        if self.past_deadline(started, now, delay):
            self.log_exhausted(attempt, exc, "deadline reached")
            return None
        self.log_retry(attempt, exc, delay)
        return RetryEvent(self.task_name, attempt, self.attempts, delay, exc, hint)

    def log_exhausted(self, attempt: int, exc: BaseException, reason: str) -> None:
        log.error("%s failed after %d attempt%s (%s): %s", self.task_name, attempt,
                  "" if attempt == 1 else "s", reason, describe_error(exc))


def _policy(max_retries: int, initial_delay: float, backoff_factor: float,
            exceptions: tuple[type[BaseException], ...] | type[BaseException], task_name: str,
            retry_if: RetryPredicate | None, max_delay: float | None, jitter: float,
            retry_after_cap: float, deadline: float | None, rng: random.Random | None,
            service: str | None = None, breaker: CircuitBreaker | None = None) -> _Policy:
    if max_retries < 1:
        raise ValueError("max_retries is the total number of attempts and must be at least 1")
    if initial_delay < 0 or backoff_factor < 1 or jitter < 0:
        raise ValueError("delays must be non-negative and backoff_factor at least 1")
    if isinstance(exceptions, type):
        exceptions = (exceptions,)
    service = service or (breaker.service if breaker is not None else None) or "The server"
    return _Policy(max_retries, initial_delay, backoff_factor, max_delay, jitter, retry_after_cap,
                   deadline, tuple(exceptions), retry_if, task_name, rng, service)


def _stop_if_open(breaker: CircuitBreaker | None, exc: BaseException) -> None:
    """No wait before a retry the breaker would refuse: it opened on this failure (or another caller's)."""
    if breaker is not None:
        try:
            breaker.check()
        except Exception as refused:
            raise refused from exc


async def retry_async(
    func: Callable[..., Awaitable[T]],
    *args: Any,
    max_retries: int = 3,
    initial_delay: float = 1.0,
    backoff_factor: float = 2.0,
    exceptions: tuple[type[BaseException], ...] | type[BaseException] = (Exception,),
    task_name: str = "Task",
    retry_if: RetryPredicate | None = None,
    max_delay: float | None = 30.0,
    jitter: float = 0.0,
    retry_after_cap: float = 60.0,
    deadline: float | None = None,
    on_retry: Callable[[RetryEvent], Any] | None = None,
    sleep: Callable[[float], Awaitable[Any]] = asyncio.sleep,
    clock: Callable[[], float] = time.monotonic,
    rng: random.Random | None = None,
    breaker: CircuitBreaker | None = None,
    service: str | None = None,
    **kwargs: Any,
) -> T:
    """Await `func(*args, **kwargs)`, retrying failures in `exceptions` that `retry_if` accepts.

    `retry_if` narrows the retry further (pass `is_transient` to retry only transient failures).
    The last exception is re-raised unchanged once attempts or the deadline run out. `service` names
    the remote side in `ServerAsksToWait` (default: the breaker's service, else "The server").
    """
    policy = _policy(max_retries, initial_delay, backoff_factor, exceptions, task_name, retry_if,
                     max_delay, jitter, retry_after_cap, deadline, rng, service, breaker)
    started = clock()
    attempt = 0
    while True:
        attempt += 1
        permit = breaker.acquire() if breaker is not None else None
        try:
            result = await func(*args, **kwargs)
        except BaseException as exc:
            _record(breaker, permit, exc)
            if isinstance(exc, asyncio.CancelledError):
                raise
            event = policy.after_failure(attempt, exc, started, clock())
            if event is None:
                raise
            _stop_if_open(breaker, exc)
            if on_retry is not None:
                outcome = on_retry(event)
                if inspect.isawaitable(outcome):
                    await outcome
            await sleep(event.delay)
        else:
            _record(breaker, permit, None)
            return result


def retry_sync(
    func: Callable[..., T],
    *args: Any,
    max_retries: int = 3,
    initial_delay: float = 1.0,
    backoff_factor: float = 2.0,
    exceptions: tuple[type[BaseException], ...] | type[BaseException] = (Exception,),
    task_name: str = "Task",
    retry_if: RetryPredicate | None = None,
    max_delay: float | None = 30.0,
    jitter: float = 0.0,
    retry_after_cap: float = 60.0,
    deadline: float | None = None,
    on_retry: Callable[[RetryEvent], Any] | None = None,
    sleep: Callable[[float], Any] = time.sleep,
    clock: Callable[[], float] = time.monotonic,
    rng: random.Random | None = None,
    breaker: CircuitBreaker | None = None,
    service: str | None = None,
    **kwargs: Any,
) -> T:
    """The same policy as `retry_async`, for code running on a worker thread."""
    policy = _policy(max_retries, initial_delay, backoff_factor, exceptions, task_name, retry_if,
                     max_delay, jitter, retry_after_cap, deadline, rng, service, breaker)
    started = clock()
    attempt = 0
    while True:
        attempt += 1
        permit = breaker.acquire() if breaker is not None else None
        try:
            result = func(*args, **kwargs)
        except BaseException as exc:
            _record(breaker, permit, exc)
            event = policy.after_failure(attempt, exc, started, clock())
            if event is None:
                raise
            _stop_if_open(breaker, exc)
            if on_retry is not None:
                on_retry(event)
            sleep(event.delay)
        else:
            _record(breaker, permit, None)
            return result


def _record(breaker: CircuitBreaker | None, permit: Permit | None, error: BaseException | None) -> None:
    if breaker is not None and permit is not None:
        breaker.record(permit, error)
