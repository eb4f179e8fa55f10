"""Retries with backoff, a circuit breaker and one classification of transient failures (pure asyncio, no Qt)."""

from insighta_desktop.resilience.breaker import BreakerState, BreakerStatus, CircuitBreaker, CircuitOpenError
from insighta_desktop.resilience.classify import (
    TRANSIENT_STATUS_CODES,
    is_daily_quota,
    is_transient,
    parse_retry_after,
    retry_after_seconds,
    status_code_of,
)
from insighta_desktop.resilience.policy import Retrying
from insighta_desktop.resilience.reasons import describe_error, format_seconds
from insighta_desktop.resilience.retry import RetryEvent, ServerAsksToWait, retry_async, retry_sync

__all__ = [
    "TRANSIENT_STATUS_CODES", "BreakerState", "BreakerStatus", "CircuitBreaker", "CircuitOpenError", "RetryEvent",
    "Retrying", "ServerAsksToWait", "describe_error", "format_seconds",
    "is_daily_quota", "is_transient", "parse_retry_after", "retry_after_seconds", "retry_async",
    "retry_sync", "status_code_of",
]
