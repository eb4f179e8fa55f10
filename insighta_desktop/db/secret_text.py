"""Secrets masked in any text (a log line, a driver's message) without parsing a URL.

Kept apart from url_secrets.py, which needs SQLAlchemy's URL: the log formatter uses this on every line from the
first one on, and the window paints before SQLAlchemy is imported.
"""
from __future__ import annotations

import re

MASK = "***"

_ANY_USERINFO_PASSWORD = re.compile(r"(?P<head>\b[a-z][a-z0-9+.-]*://[^\s/?#@:]*:)(?P<secret>[^@/\r\n]*)(?=@)",
                                    re.IGNORECASE)
_ANY_PASSWORD_SETTING = re.compile(r"(?P<head>\b(?:ssl)?password\s*=\s*)(?P<secret>'(?:[^'\\]|\\.)*'|[^\s&'\"]+)",
                                   re.IGNORECASE)


def mask_secrets_in_text(text: str) -> str:
    """Any text (a log line, a driver's message) with URL passwords and password=/sslpassword= values (URL query or
    libpq key=value) replaced by ***, without knowing the URL."""
    text = _ANY_USERINFO_PASSWORD.sub(lambda m: m.group("head") + MASK, text)
    return _ANY_PASSWORD_SETTING.sub(lambda m: m.group("head") + MASK, text)
