"""A failure's reason in a few words for log lines, never empty: httpx's timeouts carry no message at all."""
from __future__ import annotations

from typing import Any

# httpx (and httpx2, the fork google-genai prefers) name each timeout after the phase that ran out of time
_TIMEOUT_PHASES = {
    "ConnectTimeout": ("connect", "connecting"),
    "ReadTimeout": ("read", "waiting for the answer"),
    "WriteTimeout": ("write", "sending the request"),
    "PoolTimeout": ("pool", "waiting for a free connection"),
}


def format_seconds(seconds: float) -> str:
    if seconds < 10 and abs(seconds - round(seconds)) > 0.05:
        return f"{seconds:.1f} s"
    return f"{round(seconds):.0f} s"


def is_timeout(exc: BaseException) -> bool:
    names = {cls.__name__ for cls in type(exc).__mro__}
    return bool(names & {"TimeoutError", "TimeoutException"})


def timeout_seconds(exc: BaseException, phase: str | None) -> float | None:
    """The limit that ran out, from the timeouts httpx records on the request."""
    try:
        request: Any = exc.request  # type: ignore[attr-defined]  # httpx raises when it has none
    except (AttributeError, RuntimeError):
        return None
    timeouts = getattr(request, "extensions", {}).get("timeout")
    if not isinstance(timeouts, dict):
        return None
    values = [timeouts.get(phase)] if phase else list(timeouts.values())
    numbers = [float(v) for v in values if isinstance(v, (int, float)) and not isinstance(v, bool)]
    return max(numbers) if numbers else None


def timeout_limit(exc: BaseException) -> float | None:
    """The seconds of the limit a timeout ran out of, when the exception tells."""
    phase, _doing = _TIMEOUT_PHASES.get(type(exc).__name__, (None, ""))
    return timeout_seconds(exc, phase)


def describe_timeout(exc: BaseException) -> str:
    """"timed out after 30 s waiting for the answer"; "timed out" when the limit is unknown."""
    _phase, doing = _TIMEOUT_PHASES.get(type(exc).__name__, (None, ""))
    seconds = timeout_limit(exc)
    text = "timed out" if seconds is None else f"timed out after {format_seconds(seconds)}"
    if doing:
        return f"{text} {doing}"
    detail = str(exc).strip()
    if not detail:
        return text
    return detail if "time" in detail.lower() else f"{text} ({detail})"


def describe_error(exc: BaseException) -> str:
    """The exception's own message, a named timeout, or at least the exception's class name."""
    if is_timeout(exc):
        return describe_timeout(exc)
    text = str(exc).strip()
    return text if text else f"{type(exc).__name__} (no message)"
