"""Failures in words a recruiter can act on: what happened and what to do, never an exception class name.

`describe_failure` is the one-line reason stored with a failed assessment or email (and printed by the CLI);
`explain` adds what to do next and whether the way forward is a key or address in Settings.
"""
from __future__ import annotations

from dataclasses import dataclass

from insighta_desktop.resilience import (
    CircuitOpenError,
    ServerAsksToWait,
    is_daily_quota,
    is_transient,
    status_code_of,
)
from insighta_desktop.resilience.reasons import format_seconds, timeout_limit

SETTINGS = "settings"  # Problem.fix: the user should open Settings (a key is missing, refused or out of quota)
WAIT = "wait"  # Problem.fix: the service is paused or asked for a wait; asking again at once will not reach it

_AUTH_CODES = {401, 403}
_NOT_CONFIGURED = ("GeminiUnavailable", "ResendUnavailable", "GeminiNotConfigured")


@dataclass(frozen=True)
class Problem:
    text: str  # one or two sentences: what happened, then what to do
    fix: str | None = None  # SETTINGS when the way forward is in Settings, WAIT when it is time


def _network_reason(exc: BaseException) -> str | None:
    """httpx's timeouts and connection errors often carry no message at all."""
    names = {cls.__name__ for cls in type(exc).__mro__}
    if names & {"TimeoutException", "TimeoutError"}:
        seconds = timeout_limit(exc)
        return "no answer in time" if seconds is None else f"no answer in {format_seconds(seconds)}"
    if names & {"ConnectError", "ConnectionError", "NetworkError", "RemoteProtocolError"}:
        detail = str(exc).strip()
        return f"could not connect: {detail}" if detail else "could not connect"
    return None


def _message(exc: BaseException) -> str:
    orig = getattr(exc, "orig", None)  # SQLAlchemy wraps the driver's error; its first line is the reason
    text = str(orig if isinstance(orig, BaseException) else exc).strip()
    if isinstance(exc, OSError) and exc.strerror:
        text = f"{exc.strerror}: {exc.filename}" if exc.filename else exc.strerror
    return text.splitlines()[0].strip() if text else ""


def describe_failure(exc: BaseException) -> str:
    """One line, no class names: "API key not valid. Please pass a valid API key (HTTP 400)"."""
    network = _network_reason(exc)
    if network is not None:
        return network[:1].upper() + network[1:]
    code = status_code_of(exc)
    if code is not None and hasattr(exc, "message"):  # an HTTP answer from Gemini or Resend
        text = str(exc.message or "").strip().splitlines()[0] if exc.message else "The service refused the request"
        return f"{text.rstrip('.')} (HTTP {code})"
    return _message(exc) or "An unexpected error (the details are in the log file)"


def _short_reason(exc: BaseException) -> str:
    """"HTTP 503", "no answer in time": enough to tell one failure from another inside a sentence."""
    code = status_code_of(exc)
    if code is not None and hasattr(exc, "message"):
        return f"HTTP {code}"
    network = _network_reason(exc)
    if network is not None:
        return network
    text = describe_failure(exc).rstrip(".")
    if text[:2].isupper():  # an acronym ("SSL …") keeps its case
        return text
    return text[:1].lower() + text[1:]


def _refused_key(exc: BaseException) -> bool:
    if type(exc).__name__ in ("InvalidApiKeyError", "MissingApiKeyError"):
        return True
    code = status_code_of(exc)
    if code in _AUTH_CODES:
        return True
    message = str(getattr(exc, "message", "") or "").lower()
    return code == 400 and "api key" in message


def explain(exc: BaseException, service: str) -> Problem:
    """What happened with `service` ("Gemini", "Resend", "The database") and what to do about it."""
    names = {cls.__name__ for cls in type(exc).__mro__}
    if names & set(_NOT_CONFIGURED):
        return Problem(f"{service} has no API key yet. Add one in Settings.", SETTINGS)
    if _refused_key(exc):
        return Problem(f"{service} refused the API key ({_short_reason(exc)}). Check the key in Settings.", SETTINGS)
    if is_daily_quota(exc) or getattr(exc, "error_type", None) in ("daily_quota_exceeded", "monthly_quota_exceeded"):
        return Problem(f"{service}'s quota is used up ({_short_reason(exc)}). Try again later, or use another "
                       "key in Settings.", SETTINGS)
    if isinstance(exc, (ServerAsksToWait, CircuitOpenError)):  # their message says when to try again
        return Problem(f"{exc}.", WAIT)
    if is_transient(exc):
        return Problem(f"{service} is not answering right now ({_short_reason(exc)}). Try again in a minute.")
    reason = describe_failure(exc)
    return Problem(reason if reason.endswith((".", "!", "?")) else f"{reason}.")
