"""The secret parts of a database URL, and the URL without them: for logs, errors, the window and settings.json.

Secrets are the userinfo password and the `password` and `sslpassword` query parameters (libpq reads both from a
URL). A `passfile` parameter is a path, shown as is; the file it names is never read here.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import quote, quote_plus, unquote, unquote_plus, urlencode

from sqlalchemy.engine import URL

# Re-exported: masking text without a URL lives in secret_text.py, free of SQLAlchemy.
from insighta_desktop.db.secret_text import MASK as MASK
from insighta_desktop.db.secret_text import mask_secrets_in_text as mask_secrets_in_text
from insighta_desktop.db.url_hosts import parse_url

SECRET_QUERY_KEYS = ("password", "sslpassword")
UNPARSEABLE = "<unparseable database URL>"

# For text that is not a parseable URL: the userinfo password and secret query values, as typed.
_USERINFO_PASSWORD = re.compile(r"://[^/?#@]*?:(?P<secret>[^@]*)@")
_QUERY_SECRET = re.compile(r"[?&](?:password|sslpassword)=(?P<secret>[^&#]*)", re.IGNORECASE)


@dataclass(frozen=True)
class UrlSecrets:
    password: str | None = None  # userinfo password, or the `password` query parameter (which wins, as in libpq)
    sslpassword: str | None = None


def _query_value(url: URL, key: str) -> str | None:
    for name, value in url.query.items():
        if name.lower() == key:
            return value[-1] if isinstance(value, tuple) else value
    return None


def split_secrets(url: URL) -> tuple[URL, UrlSecrets]:
    """The URL without any secret, and the secrets it held."""
    secrets = UrlSecrets(password=_query_value(url, "password") or url.password or None,
                         sslpassword=_query_value(url, "sslpassword") or None)
    query = {k: v for k, v in url.query.items() if k.lower() not in SECRET_QUERY_KEYS}
    # URL.set() ignores None, so build the URL again without the password.
    bare = URL.create(url.drivername, url.username, None, url.host, url.port, url.database, query)
    return bare, secrets


def with_secrets(url: URL, secrets: UrlSecrets) -> URL:
    """`url` with the stored secrets where it has none of its own."""
    has_password = bool(url.password) or _query_value(url, "password") is not None
    if secrets.password and not has_password:
        url = url.set(password=secrets.password)
    if secrets.sslpassword and _query_value(url, "sslpassword") is None:
        url = url.update_query_dict({"sslpassword": secrets.sslpassword})
    return url


def mask_url(url: str | URL) -> str:
    """The URL with every secret part replaced by ***, for logs, errors and the window."""
    try:
        parsed = url if isinstance(url, URL) else parse_url(str(url))
    except Exception:
        return UNPARSEABLE
    query = {k: (MASK if k.lower() in SECRET_QUERY_KEYS else v) for k, v in parsed.query.items()}
    text = parsed.difference_update_query(list(parsed.query)).render_as_string(hide_password=True)
    return f"{text}?{urlencode(query, doseq=True, safe='*/:,')}" if query else text


def url_secret_values(url: str | URL) -> set[str]:
    """Every secret in the URL, as parsed and as typed (percent-encoded or not)."""
    values: set[str] = set()
    try:
        parsed = url if isinstance(url, URL) else parse_url(str(url))
        _, secrets = split_secrets(parsed)
        values.update(v for v in (secrets.password, parsed.password, secrets.sslpassword) if v)
    except Exception:
        pass
    if isinstance(url, str):
        for pattern in (_USERINFO_PASSWORD, _QUERY_SECRET):
            values.update(m.group("secret") for m in pattern.finditer(url) if m.group("secret"))
    return values


def redact_secrets(text: str, *urls: str | URL | None) -> str:
    """`text` (an error message, a log line) with every secret of `urls` replaced by ***, in every spelling."""
    forms: set[str] = set()
    for url in urls:
        if url is None:
            continue
        for value in url_secret_values(url):
            forms.update({value, quote(value, safe=""), quote_plus(value), quote(value), unquote(value),
                          unquote_plus(value)})
    for form in sorted((f for f in forms if f), key=len, reverse=True):  # longest first: no partial leftovers
        text = text.replace(form, MASK)
    return text
