"""A clock for retry tests: records the waits instead of waiting; `now()` advances by each recorded wait."""
from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from typing import Any

from insighta_desktop.resilience import Retrying


@dataclass
class FakeClock:
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
        return Retrying(sleep=self.sleep, clock=self.now, **overrides)
