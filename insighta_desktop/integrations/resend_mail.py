"""A thin adapter over resend's async API: one email, with an Idempotency-Key.

resend keeps its key, endpoint and HTTP client as module attributes (`resend.api_key`,
`resend.api_url`, `resend.default_async_http_client`); they are set right before each call, and the
SDK reads them before its first await, so concurrent sends with one configuration are safe. This module registers
the rules that let `resilience.is_transient` classify the SDK's errors.
"""
from __future__ import annotations

import os
import sys
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from insighta_desktop.integrations.http_errors import httpx_verdict
from insighta_desktop.resilience.classify import register_transient_rule, status_is_transient

DEFAULT_API_URL = "https://api.resend.com"
KEY_ENV = "RESEND_API_KEY"
URL_ENV = "RESEND_API_URL"
DEFAULT_SENDER = "Insighta <onboarding@resend.dev>"


_QUOTA_KINDS = frozenset({"daily_quota_exceeded", "monthly_quota_exceeded"})


def resend_verdict(exc: BaseException) -> bool | None:
    """Rate limits and server errors are worth another try; a used-up daily or monthly quota and bad input are not."""
    exceptions = sys.modules.get("resend.exceptions")  # a ResendError exists only once the SDK is loaded
    if exceptions is None or not isinstance(exc, exceptions.ResendError):
        return None
    if isinstance(exc, exceptions.RateLimitError):
        return exc.error_type not in _QUOTA_KINDS
    if exc.error_type == "HttpClientError":  # the SDK's wrapper around a network failure
        return True
    if isinstance(exc, (exceptions.ValidationError, exceptions.MissingRequiredFieldsError,
                        exceptions.MissingApiKeyError, exceptions.InvalidApiKeyError)):
        return False
    return status_is_transient(exc.code)


register_transient_rule(httpx_verdict)
register_transient_rule(resend_verdict)


class ResendUnavailable(RuntimeError):
    """No Resend API key is configured."""

    transient = False


@dataclass(frozen=True)
class ResendConfig:
    api_key: str | None
    api_url: str = DEFAULT_API_URL
    sender: str = DEFAULT_SENDER
    timeout_s: float = 30.0

    @classmethod
    def resolve(cls, settings: Any = None, credentials: Any = None,
                env: Mapping[str, str] | None = None, timeout_s: float = 30.0) -> ResendConfig:
        env = os.environ if env is None else env
        key = credentials.get("resend_api_key") if credentials is not None else None
        key = key or env.get(KEY_ENV) or None
        url = getattr(settings, "resend_api_url", None) or env.get(URL_ENV) or DEFAULT_API_URL
        sender = getattr(settings, "resend_sender", None) or DEFAULT_SENDER
        return cls(api_key=key, api_url=url.rstrip("/"), sender=sender, timeout_s=timeout_s)

    @property
    def available(self) -> bool:
        return bool(self.api_key)


class ResendMailer:
    def __init__(self, config: ResendConfig) -> None:
        self.config = config
        self._http: Any = None  # the SDK is imported on first send, not at start-up

    async def send(self, *, to: str, subject: str, text: str, html: str | None,
                   idempotency_key: str) -> str:
        """Send one email; returns Resend's message id. The same key never delivers twice."""
        if not self.config.available:
            raise ResendUnavailable("No Resend API key is configured (Settings or RESEND_API_KEY).")
        import resend

        if self._http is None:
            # resend annotates timeout as int, but hands it to httpx, which takes float seconds (0.5 s in the tests).
            self._http = resend.HTTPXClient(timeout=self.config.timeout_s)  # type: ignore[arg-type]
        params: resend.Emails.SendParams = {"from": self.config.sender, "to": [to], "subject": subject, "text": text}
        if html:
            params["html"] = html
        resend.api_key = self.config.api_key
        resend.api_url = self.config.api_url
        resend.default_async_http_client = self._http
        response = await resend.Emails.send_async(params, {"idempotency_key": idempotency_key})
        return str(response["id"])
