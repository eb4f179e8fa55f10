"""A fake Gemini API (generativelanguage.googleapis.com) on 127.0.0.1.

Routes, as google-genai calls them with `HttpOptions(base_url=fake.url)`:
  POST /{api_version}/models/{model}:generateContent
  POST /{api_version}/models/{model}:streamGenerateContent?alt=sse
Structured output: when the request asks for JSON with a schema, the default answer is an instance of
that schema; tests replace it with `answer(...)`. Errors use Google's error envelope.
"""
from __future__ import annotations

import hashlib
import json
import math
import re
from collections.abc import Callable
from typing import Any

from .server import FakeServer, Fault, Recorded, Reply

_PATH = re.compile(r"^/(?P<version>[^/]+)/models/(?P<model>[^/:]+):(?P<method>[A-Za-z]+)$")
_STATUS_NAMES = {400: "INVALID_ARGUMENT", 401: "UNAUTHENTICATED", 403: "PERMISSION_DENIED", 404: "NOT_FOUND",
                 408: "DEADLINE_EXCEEDED", 429: "RESOURCE_EXHAUSTED", 500: "INTERNAL", 502: "UNAVAILABLE",
                 503: "UNAVAILABLE", 504: "DEADLINE_EXCEEDED"}


def gemini_error(status: int, message: str | None = None, details: list | None = None) -> dict:
    return {"error": {"code": status, "message": message or f"The service returned {status}.",
                      "status": _STATUS_NAMES.get(status, "UNKNOWN"), "details": details or []}}


def rate_limited(retry_delay_s: float | None = None, per_day: bool = False) -> Fault:
    """A 429 as Gemini sends it: QuotaFailure details, and RetryInfo when a delay is given."""
    quota_id = ("GenerateRequestsPerDayPerProjectPerModel-FreeTier" if per_day
                else "GenerateRequestsPerMinutePerProjectPerModel-FreeTier")
    details: list[dict[str, Any]] = [{
        "@type": "type.googleapis.com/google.rpc.QuotaFailure",
        "violations": [{"quotaMetric": "generativelanguage.googleapis.com/generate_content_free_tier_requests",
                        "quotaId": quota_id, "quotaValue": "10"}]}]
    if retry_delay_s is not None:
        details.append({"@type": "type.googleapis.com/google.rpc.RetryInfo", "retryDelay": f"{retry_delay_s:g}s"})
    return Fault.error(429, gemini_error(429, "You exceeded your current quota, please check your plan.", details))


class FakeGemini(FakeServer):
    def __init__(self, api_key: str | None = "test-gemini-key") -> None:
        super().__init__()
        self.api_key = api_key
        self._initial_api_key = api_key
        self._answers: list[str | Callable[[dict], str]] = []
        self.default_answer: str | Callable[[dict], str] | None = None

    def reset(self) -> None:
        super().reset()
        self._answers.clear()
        self.default_answer = None
        self.api_key = self._initial_api_key

    def answer(self, *texts: str | Callable[[dict], str]) -> None:
        """Queue the model's next answers (text, or a function of the request body)."""
        self._answers.extend(texts)

    def route(self, method: str, path: str) -> str | None:
        match = _PATH.match(path)
        if method != "POST" or not match:
            return None
        name = match.group("method")
        return name if name in ("generateContent", "streamGenerateContent") else None

    def error_body(self, status: int) -> Any:
        return gemini_error(status)

    def handle(self, route: str, recorded: Recorded) -> Reply:
        if self.api_key is not None and recorded.headers.get("x-goog-api-key") != self.api_key:
            return Reply(400, gemini_error(400, "API key not valid. Please pass a valid API key.", [
                {"@type": "type.googleapis.com/google.rpc.ErrorInfo", "reason": "API_KEY_INVALID",
                 "domain": "googleapis.com"}]))
        body = recorded.body if isinstance(recorded.body, dict) else {}
        model = _PATH.match(recorded.path).group("model")  # type: ignore[union-attr]
        text = self._next_text(body)
        if route == "generateContent":
            return Reply(200, _response(text, model, finished=True))
        pieces = _split(text)
        events = [f"data: {json.dumps(_response(p, model, finished=i == len(pieces) - 1))}\r\n\r\n".encode()
                  for i, p in enumerate(pieces)]
        return Reply(200, stream=events)

    def _next_text(self, body: dict) -> str:
        source = self._answers.pop(0) if self._answers else self.default_answer
        if callable(source):
            return source(body)
        if source is not None:
            return source
        config = body.get("generationConfig") or {}
        schema = config.get("responseJsonSchema") or config.get("responseSchema")
        if config.get("responseMimeType") == "application/json" and schema:
            return json.dumps(example_for(schema))
        return "The fake model has nothing specific to say."


def _response(text: str, model: str, finished: bool) -> dict:
    candidate: dict[str, Any] = {"content": {"parts": [{"text": text}], "role": "model"}, "index": 0}
    if finished:
        candidate["finishReason"] = "STOP"
    return {"candidates": [candidate],
            "usageMetadata": {"promptTokenCount": 10, "candidatesTokenCount": max(1, len(text) // 4),
                              "totalTokenCount": 10 + max(1, len(text) // 4)},
            "modelVersion": model, "responseId": hashlib.sha1(text.encode()).hexdigest()[:16]}


def _split(text: str, parts: int = 3) -> list[str]:
    if len(text) < parts:
        return [text]
    size = math.ceil(len(text) / parts)
    return [text[i:i + size] for i in range(0, len(text), size)]


def example_for(schema: dict) -> Any:
    """A small instance of a JSON schema (object, array, string with enum, number, integer, boolean)."""
    kind = schema.get("type")
    if isinstance(kind, list):
        kind = next((k for k in kind if k != "null"), "string")
    kind = str(kind or "object").lower()
    if "enum" in schema:
        return schema["enum"][0]
    if kind == "object":
        return {name: example_for(sub) for name, sub in (schema.get("properties") or {}).items()}
    if kind == "array":
        return [example_for(schema.get("items") or {"type": "string"})]
    if kind == "integer":
        return int(schema.get("minimum", 3))
    if kind == "number":
        return float(schema.get("minimum", 0.5))
    if kind == "boolean":
        return True
    return "Example text"
