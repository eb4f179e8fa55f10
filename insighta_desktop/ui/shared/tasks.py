"""Coroutines started from widgets: references kept, errors shown, superseded work cancelled."""
from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Coroutine
from typing import Any, TypeVar

log = logging.getLogger(__name__)

T = TypeVar("T")


class TaskRunner:
    """Owns every task a widget starts, so none is garbage-collected mid-flight or left running on close."""

    def __init__(self, on_error: Callable[[BaseException], object] | None = None) -> None:
        self._tasks: set[asyncio.Task[Any]] = set()
        self._latest: dict[str, asyncio.Task[Any]] = {}
        self._on_error = on_error

    def spawn(self, coro: Coroutine[Any, Any, T], *, key: str | None = None) -> asyncio.Task[T]:
        """Start `coro`; a task with the same key that is still pending is cancelled (superseded)."""
        if key is not None and (previous := self._latest.get(key)) is not None and not previous.done():
            previous.cancel()
        task = asyncio.get_event_loop().create_task(coro)
        self._tasks.add(task)
        if key is not None:
            self._latest[key] = task
        task.add_done_callback(self._finished)
        return task

    def _finished(self, task: asyncio.Task[Any]) -> None:
        self._tasks.discard(task)
        if task.cancelled():
            return
        exc = task.exception()
        if exc is not None:
            log.error("Background task failed", exc_info=exc)
            if self._on_error is not None:
                self._on_error(exc)

    @property
    def pending(self) -> int:
        return len(self._tasks)

    def cancel_all(self) -> None:
        for task in list(self._tasks):
            task.cancel()


async def in_thread(func: Callable[..., Any], /, *args: Any, **kwargs: Any) -> Any:
    """Run a blocking call (database, file) off the GUI thread."""
    return await asyncio.to_thread(func, *args, **kwargs)


def start_in_thread(func: Callable[[], T]) -> asyncio.Future[T]:
    """Submit a blocking call to a worker thread now, not when a task first runs: a search's round trip then
    overlaps the repaint that follows the key press instead of waiting for it."""
    future = asyncio.get_event_loop().run_in_executor(None, func)
    future.add_done_callback(_retrieved)  # an answer nobody awaits (superseded) is not an "unretrieved" error
    return future


def started_then_retried(started: asyncio.Future[T], func: Callable[[], T]) -> Callable[[], Awaitable[T]]:
    """An attempt for Retrying.run: the call already started first, then `func` on a worker thread each retry."""
    from insighta_desktop.resilience.policy import to_thread

    first: list[asyncio.Future[T]] = [started]

    async def attempt() -> T:
        if first:
            return await first.pop()
        return await to_thread(func)
    return attempt


def _retrieved(future: asyncio.Future[Any]) -> None:
    if not future.cancelled():
        future.exception()
