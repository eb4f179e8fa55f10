"""A profile predicted from a name (Insighta's first stage): Genderize, Agify and Nationalize answer at once, the
answers become a profile under the Insighta contract (UUIDv7 id, age_group and country_name derived), which is stored
— unless the name is stored already (then that profile is the answer) or a service had no prediction (then nothing
is stored and the answer says which service had none). Many names are asked five at a time.
"""
from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Protocol

from sqlalchemy.engine import Engine

from insighta_desktop import countries
from insighta_desktop.db.profile_store import profile_store_for
from insighta_desktop.profiles.ids import uuid7
from insighta_desktop.profiles.model import MAX_AGE, Profile, age_group_for, normalise_name
from insighta_desktop.resilience.policy import to_thread
from insighta_desktop.resilience.retry import RetryEvent

CONCURRENT_NAMES = 5
MAX_NAME_LENGTH = 200
SERVICES = ("Genderize", "Agify", "Nationalize")


class Answers(Protocol):
    """What the name services said (integrations.name_prediction.NameAnswers)."""

    @property
    def gender(self) -> str | None: ...
    @property
    def gender_probability(self) -> float | None: ...
    @property
    def gender_count(self) -> int: ...
    @property
    def age(self) -> int | None: ...
    @property
    def countries(self) -> tuple[tuple[str, float], ...]: ...


class Predictor(Protocol):
    def predict(self, name: str, on_retry: Callable[[RetryEvent], Any] | None = None) -> Awaitable[Answers]: ...


@dataclass(frozen=True)
class NameResult:
    """The outcome for one name: created | exists | no_prediction | failed | invalid."""

    name: str
    outcome: str
    message: str
    profile: Profile | None = None
    missing: tuple[str, ...] = ()  # services that had no prediction

    @property
    def ok(self) -> bool:
        return self.outcome in ("created", "exists")

    def to_dict(self) -> dict[str, object]:
        from insighta_desktop.profiles.search import profile_to_dict

        return {"name": self.name, "outcome": self.outcome, "message": self.message,
                "profile": profile_to_dict(self.profile) if self.profile else None,
                "missing": list(self.missing)}


def describe(profile: Profile) -> str:
    """ "female (97%), 34 (adult), Nigeria (41%)" """
    def pct(p: float | None) -> str:
        return "" if p is None else f" ({p:.0%})"
    return (f"{profile.gender}{pct(profile.gender_probability)}, {profile.age} ({profile.age_group}), "
            f"{profile.country_name}{pct(profile.country_probability)}")


class ProfileFromName:
    def __init__(self, engine: Engine, predictor: Predictor, *, clock: Callable[[], datetime] | None = None,
                 concurrency: int = CONCURRENT_NAMES) -> None:
        self.engine = engine
        self.store = profile_store_for(engine)
        self.predictor = predictor
        self.clock = clock or (lambda: datetime.now(UTC))
        self.concurrency = concurrency

    async def add(self, name: str, on_retry: Callable[[RetryEvent], Any] | None = None) -> NameResult:
        shown = " ".join(str(name).split())
        if not shown:
            return NameResult(shown, "invalid", "A name is needed.")
        if len(shown) > MAX_NAME_LENGTH:
            return NameResult(shown[:40] + "…", "invalid", f"A name is at most {MAX_NAME_LENGTH} characters.")
        key = normalise_name(shown)
        stored = await to_thread(self.store.find_by_name_key, key)
        if stored is not None:
            return NameResult(shown, "exists", f"{stored.name} is already stored: {describe(stored)}.", stored)
        try:
            answers = await self.predictor.predict(shown, on_retry)
        except asyncio.CancelledError:
            raise
        except Exception as exc:  # the adapter's error after its retries: one line, never a traceback
            return NameResult(shown, "failed", f"No profile for {shown!r}: {_reason(exc)}")
        profile, missing = self._profile(shown, answers)
        if profile is None:
            return NameResult(shown, "no_prediction", f"No profile stored for {shown!r}: "
                              + ", ".join(f"{service} had no prediction" for service in missing) + ".",
                              missing=missing)
        saved, created = await to_thread(self.store.insert_one, profile, key)
        if not created:
            return NameResult(shown, "exists", f"{saved.name} is already stored: {describe(saved)}.", saved)
        return NameResult(shown, "created", f"Added {saved.name}: {describe(saved)}.", saved)

    async def add_many(self, names: Sequence[str], on_result: Callable[[NameResult], Any] | None = None,
                       on_retry: Callable[[RetryEvent], Any] | None = None) -> list[NameResult]:
        """Each name in turn of arrival, `concurrency` at a time (each name asks the three services at once)."""
        gate = asyncio.Semaphore(self.concurrency)

        async def one(name: str) -> NameResult:
            async with gate:
                result = await self.add(name, on_retry)
            if on_result is not None:
                on_result(result)
            return result

        return list(await asyncio.gather(*(one(n) for n in names)))

    def _profile(self, name: str, answers: Answers) -> tuple[Profile | None, tuple[str, ...]]:
        missing: list[str] = []
        if answers.gender not in ("male", "female") or answers.gender_count <= 0:
            missing.append("Genderize")
        if answers.age is None or not 0 <= answers.age <= MAX_AGE:
            missing.append("Agify")
        country = next(((found, p) for code, p in answers.countries if (found := countries.by_alpha2(code))), None)
        if country is None:
            missing.append("Nationalize")
        if missing or answers.gender is None or answers.age is None or country is None:
            return None, tuple(missing)
        place, country_p = country
        return Profile(
            id=str(uuid7()), name=name, gender=answers.gender,
            gender_probability=_probability(answers.gender_probability), age=answers.age,
            age_group=age_group_for(answers.age), country_id=place.alpha2, country_name=place.name,
            country_probability=_probability(country_p), created_at=self.clock(),
        ), ()


def _probability(value: float | None) -> float | None:
    return None if value is None else min(max(float(value), 0.0), 1.0)


def _reason(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
    for service in SERVICES:
        if service.lower() in text.lower():
            return text
    return f"the name services could not be reached ({text})"
