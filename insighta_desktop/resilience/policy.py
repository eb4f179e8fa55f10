"""A retry configuration that services receive as a collaborator, plus a fake clock for tests."""

from __future__ import annotations

import asyncio
import contextvars
import functools
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any, TypeVar

from insighta_desktop.resilience.classify import is_transient
from insighta_desktop.resilience.retry import RetryEvent, RetryPredicate, retry_async, retry_sync

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
    sleep_sync: Callable[[float], Any] = time.sleep
    clock: Callable[[], float] = time.monotonic

    def _options(self) -> dict[str, Any]:
        return dict(max_retries=self.max_retries, initial_delay=self.initial_delay,
                    backoff_factor=self.backoff_factor, max_delay=self.max_delay, jitter=self.jitter,
                    retry_after_cap=self.retry_after_cap, deadline=self.deadline,
                    retry_if=self.retry_if, clock=self.clock)

    async def run(self, func: Callable[..., Awaitable[T]], *args: Any, task_name: str,
                  on_retry: Callable[[RetryEvent], Any] | None = None, **kwargs: Any) -> T:
        return await retry_async(func, *args, task_name=task_name, on_retry=on_retry,
                                 sleep=self.sleep, **self._options(), **kwargs)

    def run_sync(self, func: Callable[..., T], *args: Any, task_name: str,
                 on_retry: Callable[[RetryEvent], Any] | None = None, **kwargs: Any) -> T:
        return retry_sync(func, *args, task_name=task_name, on_retry=on_retry,
                          sleep=self.sleep_sync, **self._options(), **kwargs)

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


@dataclass
class FakeClock:
    """Records waits instead of waiting; `now()` advances by each recorded wait."""

    start: float = 1000.0
    waits: list[float] = field(default_factory=list)

    def __post_init__(self) -> None:
        self._now = self.start

    def now(self) -> float:
        return self._now

    def advance(self, seconds: float) -> None:
        self._now += seconds

    async def sleep(self, seconds: float) -> None:
        self.waits.append(seconds)
        self._now += seconds
        await asyncio.sleep(0)

    def sleep_sync(self, seconds: float) -> None:
        self.waits.append(seconds)
        self._now += seconds

    def retrying(self, **overrides: Any) -> Retrying:
        return Retrying(sleep=self.sleep, sleep_sync=self.sleep_sync, clock=self.now, **overrides)
