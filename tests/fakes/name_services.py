"""Fake Genderize, Agify and Nationalize on one 127.0.0.1 server, under /genderize, /agify and /nationalize.

Each answers `GET /<service>/?name=…[&apikey=…]` like the real service: a known name gets its prediction, an unknown
one the real services' "no prediction" (gender null with count 0, age null, an empty country list). Faults are
scripted per route (genderize | agify | nationalize): 429 with Retry-After, 5xx, slow answers, drops.
"""
from __future__ import annotations

import threading
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qs

from .server import FakeServer, Fault, Recorded, Reply

ROUTES = ("genderize", "agify", "nationalize")
ENV = {"genderize": "INSIGHTA_GENDERIZE_URL", "agify": "INSIGHTA_AGIFY_URL", "nationalize": "INSIGHTA_NATIONALIZE_URL"}


@dataclass
class Person:
    gender: str | None = "female"
    probability: float | None = 0.97
    count: int = 1200
    age: int | None = 34
    countries: list[tuple[str, float]] = field(default_factory=lambda: [("NG", 0.41), ("GH", 0.2)])


def rate_limited(retry_after: float = 1) -> Fault:
    return Fault.error(429, {"error": "Request limit reached"}, retry_after=retry_after)


class FakeNameServices(FakeServer):
    def __init__(self) -> None:
        super().__init__()
        self.people: dict[str, Person] = {}
        self.required_key: str | None = None
        self._concurrent = 0
        self.max_concurrent = 0
        self._count_lock = threading.Lock()

    def reset(self) -> None:
        super().reset()
        self.people = {}
        self.required_key = None
        self.max_concurrent = 0

    def base_urls(self) -> dict[str, str]:
        """Environment variables pointing the app at this server."""
        return {var: f"{self.url}/{route}" for route, var in ENV.items()}

    def route(self, method: str, path: str) -> str | None:
        name = path.strip("/")
        return name if method == "GET" and name in ROUTES else None

    def error_body(self, status: int) -> Any:
        return {"error": f"HTTP {status}"}

    def handle(self, route: str, recorded: Recorded) -> Reply:
        query = parse_qs(recorded.query)
        if self.required_key is not None and query.get("apikey", [None])[0] != self.required_key:
            return Reply(401, {"error": "Invalid API key"})
        name = query.get("name", [""])[0]
        person = self.people.get(name.casefold())
        if route == "genderize":
            if person is None or person.gender is None:
                return Reply(200, {"count": 0, "name": name, "gender": None, "probability": 0.0})
            return Reply(200, {"count": person.count, "name": name, "gender": person.gender,
                               "probability": person.probability})
        if route == "agify":
            return Reply(200, {"count": 0 if person is None else 10, "name": name,
                               "age": None if person is None else person.age})
        countries = [] if person is None else [{"country_id": c, "probability": p} for c, p in person.countries]
        return Reply(200, {"count": 0 if person is None else 10, "name": name, "country": countries})

    def _serve(self, h: Any) -> None:
        with self._count_lock:
            self._concurrent += 1
            self.max_concurrent = max(self.max_concurrent, self._concurrent)
        try:
            super()._serve(h)
        finally:
            with self._count_lock:
                self._concurrent -= 1

    def names_asked(self, route: str) -> list[str]:
        return [parse_qs(r.query).get("name", [""])[0] for r in self.calls(route)]
