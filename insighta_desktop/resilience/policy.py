"""A retry configuration that services receive as a collaborator."""

from __future__ import annotations

import asyncio
import contextvars
import functools
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any, TypeVar

from insighta_desktop.resilience.breaker import CircuitBreaker
from insighta_desktop.resilience.classify import is_transient
from insighta_desktop.resilience.retry import RetryEvent, RetryPredicate, retry_async

T = TypeVar("T")


@dataclass(frozen=True)
class Retrying:
    """How a service retries: attempts, waits, and the sleep/clock it waits with."""

    max_retries: int = 3
    initial_delay: float = 1.0
    backoff_factor: float = 2.0
    max_delay: float | None = 30.0
    jitter: float = 0.0
    retry_after_cap: float = 60.0
    deadline: float | None = None
    retry_if: RetryPredicate | None = is_transient
    sleep: Callable[[float], Awaitable[Any]] = asyncio.sleep
    clock: Callable[[], float] = time.monotonic

    def _options(self) -> dict[str, Any]:
        return dict(max_retries=self.max_retries, initial_delay=self.initial_delay,
                    backoff_factor=self.backoff_factor, max_delay=self.max_delay, jitter=self.jitter,
                    retry_after_cap=self.retry_after_cap, deadline=self.deadline,
                    retry_if=self.retry_if, clock=self.clock)

    async def run(self, func: Callable[..., Awaitable[T]], *args: Any, task_name: str,
                  on_retry: Callable[[RetryEvent], Any] | None = None, breaker: CircuitBreaker | None = None,
                  service: str | None = None, **kwargs: Any) -> T:
        """`func` retried; with a `breaker`, every attempt goes through it (see resilience.retry)."""
        return await retry_async(func, *args, task_name=task_name, on_retry=on_retry, sleep=self.sleep,
                                 breaker=breaker, service=service, **self._options(), **kwargs)

    async def run_in_thread(self, func: Callable[..., T], *args: Any, task_name: str,
                            on_retry: Callable[[RetryEvent], Any] | None = None, **kwargs: Any) -> T:
        """Each attempt runs `func` on a worker thread; the waits happen on the event loop."""
        return await self.run(to_thread, func, *args, task_name=task_name, on_retry=on_retry, **kwargs)


async def to_thread(func: Callable[..., T], /, *args: Any, **kwargs: Any) -> T:
    """`asyncio.to_thread`, tolerant of qasync stepping a task while its loop is not marked running
    (which happens when Qt processes events outside `run_forever`, e.g. between test steps)."""
    try:
        loop = asyncio.get_running_loop()
    except RuntimeError:
        loop = asyncio.get_event_loop_policy().get_event_loop()
    call = functools.partial(contextvars.copy_context().run, func, *args, **kwargs)
    return await loop.run_in_executor(None, call)


async def loop_sleep(seconds: float) -> None:
    """`asyncio.sleep`, tolerant of qasync stepping a task while its loop is not marked running (as to_thread)."""
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        loop = asyncio.get_event_loop_policy().get_event_loop()
        done: asyncio.Future[None] = loop.create_future()

        def wake() -> None:
            if not done.done():
                done.set_result(None)
        handle = loop.call_later(seconds, wake)
        try:
            await done
        finally:
            handle.cancel()
        return
    await asyncio.sleep(seconds)
