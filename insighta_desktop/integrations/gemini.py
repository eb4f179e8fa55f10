"""A thin adapter over google-genai's async client: structured output and streaming text.

The SDK's own retries are switched off (`HttpRetryOptions(attempts=1)`) so that the resilience layer
above is the only one retrying. Errors are the SDK's (`google.genai.errors.APIError`) or httpx's; this module
registers the rules that let `resilience.is_transient` classify them. A body that is not the JSON we asked for
raises `MalformedResponseError`.
"""
from __future__ import annotations

import json
import os
import sys
from collections.abc import AsyncIterator, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from insighta_desktop.integrations.http_errors import httpx_verdict
from insighta_desktop.resilience.classify import is_daily_quota, register_transient_rule, status_is_transient

if TYPE_CHECKING:  # google.genai takes about a second to import: it is loaded on first use, not at start-up
    from google import genai
    from google.genai import types

DEFAULT_MODEL = "gemini-2.5-flash"
MODEL_ENV = "INSIGHTA_GEMINI_MODEL"
BASE_URL_ENV = "GOOGLE_GEMINI_BASE_URL"
KEY_ENVS = ("GOOGLE_API_KEY", "GEMINI_API_KEY")  # the SDK's own order of preference


def gemini_verdict(exc: BaseException) -> bool | None:
    """Busy or failing servers are worth another try; a per-day quota is not (it clears in hours)."""
    errors = sys.modules.get("google.genai.errors")  # an APIError exists only once the SDK is loaded
    if errors is None or not isinstance(exc, errors.APIError):
        return None
    return status_is_transient(exc.code) and not is_daily_quota(exc)


register_transient_rule(httpx_verdict)
register_transient_rule(gemini_verdict)


class GeminiUnavailable(RuntimeError):
    """No API key is configured: callers fall back to local behaviour."""

    transient = False


class MalformedResponseError(ValueError):
    """The service answered, but not with what was asked for (unparseable JSON, no candidates)."""

    transient = False


@dataclass(frozen=True)
class GeminiConfig:
    api_key: str | None
    model: str = DEFAULT_MODEL
    base_url: str | None = None
    timeout_s: float = 60.0

    @classmethod
    def resolve(cls, settings: Any = None, credentials: Any = None,
                env: Mapping[str, str] | None = None, timeout_s: float = 60.0) -> GeminiConfig:
        """Keychain first, then the SDK's environment variables; model from INSIGHTA_GEMINI_MODEL or settings."""
        env = os.environ if env is None else env
        key = credentials.get("gemini_api_key") if credentials is not None else None
        key = key or next((env[name] for name in KEY_ENVS if env.get(name)), None)
        base_url = getattr(settings, "gemini_base_url", None) or env.get(BASE_URL_ENV) or None
        model = env.get(MODEL_ENV) or getattr(settings, "gemini_model", None) or DEFAULT_MODEL
        return cls(api_key=key, model=model, base_url=base_url, timeout_s=timeout_s)

    @property
    def available(self) -> bool:
        return bool(self.api_key)


class GeminiClient:
    """One per app (or per test); create the SDK client lazily so a missing key fails only when used."""

    def __init__(self, config: GeminiConfig) -> None:
        self.config = config
        self._client: genai.Client | None = None

    @property
    def model(self) -> str:
        return self.config.model

    def _sdk(self) -> genai.Client:
        if not self.config.available:
            raise GeminiUnavailable("No Gemini API key is configured (Settings, GEMINI_API_KEY or GOOGLE_API_KEY).")
        if self._client is None:
            from google import genai
            from google.genai import types

            self._client = genai.Client(
                api_key=self.config.api_key,
                http_options=types.HttpOptions(
                    base_url=self.config.base_url,
                    timeout=int(self.config.timeout_s * 1000),
                    retry_options=types.HttpRetryOptions(attempts=1),
                ),
            )
        return self._client

    async def generate_json(self, prompt: str, schema: dict[str, Any], *, system: str | None = None,
                            temperature: float = 0.2) -> dict[str, Any]:
        """Structured output: the model's answer parsed as the JSON object `schema` describes."""
        from google.genai import types

        config = types.GenerateContentConfig(
            system_instruction=system, temperature=temperature,
            response_mime_type="application/json", response_json_schema=schema)
        try:
            response = await self._sdk().aio.models.generate_content(
                model=self.config.model, contents=prompt, config=config)
        except ValueError as exc:  # the SDK could not parse the body (JSONDecodeError, pydantic)
            raise MalformedResponseError(f"Gemini sent an unreadable answer: {exc}") from exc
        text = _text_of(response)
        try:
            value = json.loads(text)
        except ValueError as exc:
            raise MalformedResponseError(f"Gemini returned invalid JSON: {exc}") from None
        if not isinstance(value, dict):
            raise MalformedResponseError("Gemini returned JSON that is not an object")
        return value

    async def stream_text(self, messages: str | Sequence[tuple[str, str]], *, system: str | None = None,
                          temperature: float = 0.3) -> AsyncIterator[str]:
        """Text as it arrives. `messages` is a prompt or (role, text) pairs with role "user" or "model"."""
        from google.genai import types

        if isinstance(messages, str):
            contents: Any = messages
        else:
            contents = [types.Content(role=role, parts=[types.Part(text=text)]) for role, text in messages]
        stream = await self._sdk().aio.models.generate_content_stream(
            model=self.config.model, contents=contents,
            config=types.GenerateContentConfig(system_instruction=system, temperature=temperature),
        )
        try:
            async for chunk in stream:
                piece = chunk.text
                if piece:
                    yield piece
        except ValueError as exc:
            raise MalformedResponseError(f"Gemini sent an unreadable chunk: {exc}") from exc

    async def aclose(self) -> None:
        if self._client is not None:
            await self._client.aio.aclose()
            self._client = None


def _text_of(response: types.GenerateContentResponse) -> str:
    if not response.candidates:
        reason = getattr(response.prompt_feedback, "block_reason", None)
        raise MalformedResponseError(f"Gemini returned no answer{f' (blocked: {reason})' if reason else ''}")
    text = response.text
    if not text:
        raise MalformedResponseError("Gemini returned an empty answer")
    return text
