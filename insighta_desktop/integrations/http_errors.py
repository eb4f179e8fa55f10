"""The transient rule for httpx errors, the transport under both SDKs (google-genai and resend).

Registered by each integration that uses httpx; like every rule it imports nothing (see resilience.classify).
"""
from __future__ import annotations

import sys

from insighta_desktop.resilience.classify import status_is_transient

# google-genai prefers the drop-in fork httpx2 when it is installed; errors of either may reach the classifier.
HTTPX_MODULES = ("httpx", "httpx2")


def httpx_verdict(exc: BaseException) -> bool | None:
    for name in HTTPX_MODULES:
        mod = sys.modules.get(name)
        if mod is None:
            continue
        if isinstance(exc, mod.HTTPStatusError):
            return status_is_transient(exc.response.status_code)
        if isinstance(exc, (mod.TimeoutException, mod.NetworkError, mod.RemoteProtocolError)):
            return True
        if isinstance(exc, mod.HTTPError):
            return False
    return None
