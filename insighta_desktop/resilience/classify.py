"""One classification of failures: transient (worth retrying) or permanent.

Used by every retry in the app: Gemini and Resend calls, database reads and the importer's writes. The database
rules live here (the drivers' own error classes are read in db/driver_errors.py); each integration
(insighta_desktop/integrations/) registers the rules for its own SDK's errors when it is imported. No rule imports
a library: an exception of a library nobody has imported cannot exist, so a rule looks the library up in
`sys.modules` (classifying a database error once cost the import's writer thread 2 s of loading google-genai and
resend).
"""

from __future__ import annotations

import asyncio
import email.utils
import re
import sys
import time
from collections.abc import Callable, Mapping
from typing import Any

TRANSIENT_STATUS_CODES = frozenset({408, 429, 500, 502, 503, 504})

# A rule says True (transient), False (permanent) or None (not an error it knows).
TransientRule = Callable[[BaseException], bool | None]
_registered_rules: list[TransientRule] = []



def status_is_transient(code: Any) -> bool:
    try:
        return int(code) in TRANSIENT_STATUS_CODES
    except (TypeError, ValueError):
        return False


def is_transient(exc: BaseException) -> bool:
    """True when trying the same call again later may succeed."""
    if isinstance(exc, asyncio.CancelledError) or not isinstance(exc, Exception):
        return False
    flag = getattr(exc, "transient", None)
    if isinstance(flag, bool):
        return flag
    for rule in (*_registered_rules, _sqlalchemy_verdict, _dbapi_verdict):
        verdict = rule(exc)
        if verdict is not None:
            return verdict
    return isinstance(exc, (ConnectionError, TimeoutError))


def register_transient_rule(rule: TransientRule) -> None:
    """Add an integration's rule (once). It must not import its library: see the module's docstring."""
    if rule not in _registered_rules:
        _registered_rules.append(rule)


def status_code_of(exc: BaseException) -> int | None:
    """The HTTP status an error carries, if any (for messages such as "Gemini busy")."""
    for attr in ("status_code", "code"):
        value = getattr(exc, attr, None)
        try:
            if value is not None:
                return int(value)
        except (TypeError, ValueError):
            continue
    response = getattr(exc, "response", None)
    code = getattr(response, "status_code", None)
    return code if isinstance(code, int) else None


def _sqlalchemy_verdict(exc: BaseException) -> bool | None:
    sa_exc = sys.modules.get("sqlalchemy.exc")
    if sa_exc is None:
        return None
    if isinstance(exc, sa_exc.DBAPIError):
        if exc.connection_invalidated:
            return True
        if isinstance(exc, (sa_exc.ProgrammingError, sa_exc.IntegrityError, sa_exc.DataError,
                            sa_exc.NotSupportedError)):
            return False
        orig = exc.orig
        return _dbapi_verdict(orig) if isinstance(orig, BaseException) else False
    if isinstance(exc, (sa_exc.DisconnectionError, sa_exc.TimeoutError)):
        return True
    if isinstance(exc, sa_exc.SQLAlchemyError):
        return False
    return None


def _dbapi_verdict(exc: BaseException) -> bool | None:
    from insighta_desktop.db.driver_errors import driver_error_verdict

    return driver_error_verdict(exc)


# --- quota and Retry-After -----------------------------------------------------------------------

def _error_details(exc: BaseException) -> list[Mapping[str, Any]]:
    body = getattr(exc, "details", None)
    if isinstance(body, list) and len(body) == 1:
        body = body[0]
    if not isinstance(body, Mapping):
        return []
    error = body.get("error", body)
    details = error.get("details") if isinstance(error, Mapping) else None
    return [d for d in details if isinstance(d, Mapping)] if isinstance(details, list) else []


def is_daily_quota(exc: BaseException) -> bool:
    """A Gemini 429 that will not clear for hours: a per-day quota violation."""
    for detail in _error_details(exc):
        for violation in detail.get("violations") or []:
            if not isinstance(violation, Mapping):
                continue
            words = f"{violation.get('quotaId', '')} {violation.get('quotaMetric', '')}".lower()
            if "perday" in words or "per_day" in words or "daily" in words:
                return True
    message = str(getattr(exc, "message", "") or "").lower()
    return "per day" in message or "daily quota" in message


_DURATION = re.compile(r"^\s*(\d+(?:\.\d+)?)s\s*$")


def parse_retry_after(value: Any, now: float | None = None) -> float | None:
    """Seconds from a Retry-After header: delta-seconds or an HTTP date."""
    if value is None:
        return None
    text = str(value).strip()
    try:
        seconds = float(text)
    except ValueError:
        try:
            when = email.utils.parsedate_to_datetime(text)
        except (TypeError, ValueError):
            return None
        seconds = when.timestamp() - (time.time() if now is None else now)
    return max(seconds, 0.0)


def _header(headers: Any, name: str) -> Any:
    if headers is None:
        return None
    getter = getattr(headers, "get", None)
    if getter is None:
        return None
    value = getter(name)
    if value is None and isinstance(headers, Mapping):
        lowered = {str(k).lower(): v for k, v in headers.items()}
        value = lowered.get(name.lower())
    return value


def retry_after_seconds(exc: BaseException) -> float | None:
    """How long the server asked us to wait, from Retry-After or Gemini's RetryInfo."""
    explicit = getattr(exc, "retry_after", None)
    if isinstance(explicit, (int, float)) and not isinstance(explicit, bool):
        return max(float(explicit), 0.0)
    for detail in _error_details(exc):
        if str(detail.get("@type", "")).endswith("google.rpc.RetryInfo"):
            match = _DURATION.match(str(detail.get("retryDelay", "")))
            if match:
                return float(match.group(1))
    response = getattr(exc, "response", None)
    for headers in (getattr(response, "headers", None), getattr(exc, "headers", None)):
        seconds = parse_retry_after(_header(headers, "retry-after"))
        if seconds is not None:
            return seconds
    return None
