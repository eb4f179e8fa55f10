"""A thin adapter over Genderize, Agify and Nationalize (one GET each: `?name=…[&apikey=…]`), with httpx.AsyncClient.

The three services answer the same shape of question, so one client asks all three for a name at once; each call
goes through the shared retry layer (resilience.Retrying): 429 and 5xx are transient, their Retry-After (or the
services' X-Rate-Limit-Reset) is honoured. This module registers the httpx rule with resilience.classify, like the
other integrations. The HTTP client is made on first use, on the event loop that uses it.
"""
from __future__ import annotations

import asyncio
import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

import httpx

from insighta_desktop.integrations.http_errors import httpx_verdict
from insighta_desktop.resilience import Retrying, parse_retry_after
from insighta_desktop.resilience.classify import register_transient_rule, status_is_transient
from insighta_desktop.resilience.retry import RetryEvent

register_transient_rule(httpx_verdict)

GENDERIZE, AGIFY, NATIONALIZE = "Genderize", "Agify", "Nationalize"
URL_ENVS = {GENDERIZE: "INSIGHTA_GENDERIZE_URL", AGIFY: "INSIGHTA_AGIFY_URL", NATIONALIZE: "INSIGHTA_NATIONALIZE_URL"}
DEFAULT_URLS = {GENDERIZE: "https://api.genderize.io", AGIFY: "https://api.agify.io",
                NATIONALIZE: "https://api.nationalize.io"}


LONGEST_WAIT_S = 120.0


class ServiceError(RuntimeError):
    """A service's error answer; `transient` and `retry_after` steer the retry layer."""

    def __init__(self, service: str, status_code: int, detail: str, retry_after: float | None = None) -> None:
        super().__init__(f"{service} answered HTTP {status_code}" + (f": {detail}" if detail else ""))
        self.service = service
        self.status_code = status_code
        self.retry_after = retry_after
        # A daily limit that resets hours from now is not worth waiting for: say so at once.
        self.transient = status_is_transient(status_code) and (retry_after is None or retry_after <= LONGEST_WAIT_S)


class MalformedAnswer(RuntimeError):
    transient = False


@dataclass(frozen=True)
class NameServicesConfig:
    urls: Mapping[str, str]
    api_key: Callable[[], str | None] = lambda: None  # read at each call: a key saved in Settings applies at once
    timeout_s: float = 10.0

    @classmethod
    def resolve(cls, api_key: Callable[[], str | None] = lambda: None, env: Mapping[str, str] | None = None,
                timeout_s: float = 10.0) -> NameServicesConfig:
        env = os.environ if env is None else env
        urls = {service: (env.get(var) or DEFAULT_URLS[service]).rstrip("/") for service, var in URL_ENVS.items()}
        return cls(urls, api_key, timeout_s)


@dataclass(frozen=True)
class NameAnswers:
    """What the three services said about one name (None / () where a service had no prediction)."""

    name: str
    gender: str | None
    gender_probability: float | None
    gender_count: int
    age: int | None
    countries: tuple[tuple[str, float], ...]  # (ISO alpha-2, probability), most likely first


class NameServices:
    def __init__(self, config: NameServicesConfig, retrying: Retrying | None = None,
                 transport: httpx.AsyncBaseTransport | None = None) -> None:
        self.config = config
        self.retrying = retrying or Retrying(jitter=0.5)
        self._transport = transport
        self._http: httpx.AsyncClient | None = None

    async def predict(self, name: str, on_retry: Callable[[RetryEvent], Any] | None = None) -> NameAnswers:
        """Ask the three services at once. Raises the first service's error when one still fails after retries."""
        answers: tuple[dict[str, Any] | BaseException, ...] = await asyncio.gather(
            self._ask(GENDERIZE, name, on_retry), self._ask(AGIFY, name, on_retry),
            self._ask(NATIONALIZE, name, on_retry), return_exceptions=True)
        bodies: list[dict[str, Any]] = []
        for answer in answers:
            if isinstance(answer, BaseException):
                raise answer
            bodies.append(answer)
        return _answers(name, *bodies)

    async def aclose(self) -> None:
        if self._http is not None:
            await self._http.aclose()
            self._http = None

    async def _ask(self, service: str, name: str, on_retry: Callable[[RetryEvent], Any] | None) -> dict[str, Any]:
        return await self.retrying.run(self._get, service, name, task_name=f"{service} for {name!r}",
                                       on_retry=on_retry)

    async def _get(self, service: str, name: str) -> dict[str, Any]:
        if self._http is None:
            self._http = httpx.AsyncClient(timeout=self.config.timeout_s, transport=self._transport)
        params = {"name": name}
        key = self.config.api_key()
        if key:
            params["apikey"] = key
        response = await self._http.get(self.config.urls[service] + "/", params=params)
        if response.status_code != 200:
            raise ServiceError(service, response.status_code, _error_text(response), _wait_hint(response))
        try:
            body = response.json()
        except ValueError:
            raise MalformedAnswer(f"{service} answered something that is not JSON") from None
        if not isinstance(body, dict):
            raise MalformedAnswer(f"{service} answered an unexpected shape")
        return body


def _error_text(response: httpx.Response) -> str:
    try:
        body = response.json()
    except ValueError:
        return ""
    error = body.get("error") if isinstance(body, dict) else None
    return str(error.get("message", "") if isinstance(error, dict) else error or "")


def _wait_hint(response: httpx.Response) -> float | None:
    """Retry-After, or the seconds until the services' daily limit resets (X-Rate-Limit-Reset) on a 429."""
    hint = parse_retry_after(response.headers.get("retry-after"))
    if hint is None and response.status_code == 429:
        hint = parse_retry_after(response.headers.get("x-rate-limit-reset"))
    return hint


def _number(value: object) -> float | None:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return None
    return float(value)


def _answers(name: str, gender: dict[str, Any], age: dict[str, Any], nation: dict[str, Any]) -> NameAnswers:
    g = gender.get("gender")
    age_value = _number(age.get("age"))
    countries: list[tuple[str, float]] = []
    for entry in nation.get("country") or []:
        if isinstance(entry, dict) and isinstance(entry.get("country_id"), str):
            countries.append((entry["country_id"].upper(), _number(entry.get("probability")) or 0.0))
    countries.sort(key=lambda item: -item[1])
    return NameAnswers(
        name=name,
        gender=g if g in ("male", "female") else None,
        gender_probability=_number(gender.get("probability")),
        gender_count=int(_number(gender.get("count")) or 0),
        age=int(age_value) if age_value is not None and age_value >= 0 else None,
        countries=tuple(countries),
    )
