"""A fake Resend API (`POST /emails`) on 127.0.0.1, honouring Idempotency-Key like the real one.

A request whose Idempotency-Key was seen before gets the first answer again and delivers nothing;
`delivered` lists what was actually "sent".
"""
from __future__ import annotations

import threading
import uuid
from typing import Any

from .server import FakeServer, Fault, Recorded, Reply

_ERROR_NAMES = {400: "validation_error", 401: "missing_api_key", 403: "invalid_api_key",
                422: "validation_error", 429: "rate_limit_exceeded", 500: "application_error"}


def resend_error(status: int, name: str | None = None, message: str | None = None) -> dict:
    return {"statusCode": status, "name": name or _ERROR_NAMES.get(status, "internal_server_error"),
            "message": message or f"The service returned {status}."}


def rate_limited(retry_after: float | None = 1, kind: str = "rate_limit_exceeded") -> Fault:
    return Fault.error(429, resend_error(429, kind, "Too many requests."), retry_after=retry_after)


class FakeResend(FakeServer):
    def __init__(self, api_key: str | None = "re_test_key") -> None:
        super().__init__()
        self.api_key = api_key
        self._initial_api_key = api_key
        self.delivered: list[dict[str, Any]] = []
        self._by_key: dict[str, dict[str, Any]] = {}
        self._deliver_lock = threading.Lock()

    def reset(self) -> None:
        super().reset()
        with self._deliver_lock:
            self.delivered.clear()
            self._by_key.clear()
        self.api_key = self._initial_api_key

    def route(self, method: str, path: str) -> str | None:
        return "emails" if (method, path.rstrip("/")) == ("POST", "/emails") else None

    def error_body(self, status: int) -> Any:
        return resend_error(status)

    def handle(self, route: str, recorded: Recorded) -> Reply:
        if self.api_key is not None and recorded.headers.get("authorization") != f"Bearer {self.api_key}":
            return Reply(403, resend_error(403, "invalid_api_key", "API key is invalid"))
        body = recorded.body if isinstance(recorded.body, dict) else {}
        missing = [f for f in ("from", "to", "subject") if not body.get(f)]
        if missing:
            return Reply(422, resend_error(422, "missing_required_field", f"Missing `{missing[0]}` field."))
        key = recorded.headers.get("idempotency-key")
        with self._deliver_lock:
            if key and key in self._by_key:
                return Reply(200, {"id": self._by_key[key]["id"]})
            email = {"id": str(uuid.uuid4()), "idempotency_key": key, **body}
            self.delivered.append(email)
            if key:
                self._by_key[key] = email
        return Reply(200, {"id": email["id"]})
