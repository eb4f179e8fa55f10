"""Multi-host PostgreSQL URLs: parse the spellings libpq accepts, list the hosts, derive the read and write URLs.

libpq takes `postgresql://u@db1:5432,db2:5433/insighta` (and `host=db1,db2 port=5432,5433`): it tries each host in
turn, and `target_session_attrs` picks which kind of server it settles for (`read-write`, `prefer-standby`, ...).
SQLAlchemy's URL parser refuses a port list in the netloc, so such a netloc is rewritten into its documented form,
`postgresql+psycopg://u@/insighta?host=db1:5432&host=db2:5433`, which its psycopg dialect hands to libpq as
`host=db1,db2 port=5432,5433`. `db1,db2` without ports parses as one host string that libpq splits itself.
"""
from __future__ import annotations

import re

from sqlalchemy.engine import URL, make_url

TARGET_SESSION_ATTRS = "target_session_attrs"
READ_WRITE = "read-write"
# Values under which libpq may settle for a server that refuses writes: writes then need a session of their own.
_MAY_READ_FROM_STANDBY = ("any", "read-only", "standby", "prefer-standby")

# scheme://[userinfo@]host:port,host:port[/database][?query]: a netloc with a comma and at least one port.
_MULTI_HOST_NETLOC = re.compile(r"^(?P<scheme>[^:/]+://)(?:(?P<userinfo>[^@/]*)@)?(?P<hosts>[^/?#@]*,[^/?#@]*)"
                                r"(?P<rest>[/?#].*)?$", re.DOTALL)


def parse_url(text: str) -> URL:
    """`make_url`, also for a netloc listing several `host:port` pairs."""
    match = _MULTI_HOST_NETLOC.match(text.strip())
    if match is None or ":" not in match.group("hosts"):
        return make_url(text.strip())
    rest = match.group("rest") or "/"
    path, _, query = rest.partition("?")
    hosts = "&".join(f"host={host}" for host in match.group("hosts").split(","))
    userinfo = f"{match.group('userinfo')}@" if match.group("userinfo") is not None else ""
    query = f"{hosts}&{query}" if query else hosts
    return make_url(f"{match.group('scheme')}{userinfo}{path if path.startswith('/') else '/' + path}?{query}")


def hosts(url: URL) -> list[str]:
    """The hosts a PostgreSQL URL names, in the order libpq tries them (`host` or `host:port` each)."""
    listed = url.query.get("host")
    if listed is not None:
        values = listed if isinstance(listed, tuple) else (listed,)
        return [h for value in values for h in value.split(",") if h]
    if not url.host:
        return []
    names = url.host.split(",")
    return [f"{name}:{url.port}" if url.port else name for name in names]


def _query_value(url: URL, key: str) -> str | None:
    value = url.query.get(key)
    if isinstance(value, tuple):
        return value[-1] if value else None
    return value


def target_session_attrs(url: URL) -> str | None:
    return _query_value(url, TARGET_SESSION_ATTRS)


def needs_write_session(url: URL) -> bool:
    """True when libpq may connect this URL to a server that refuses writes: several hosts, or a
    `target_session_attrs` that allows a standby. Writes then go through a URL of their own (see write_url)."""
    attrs = target_session_attrs(url)
    if attrs is not None:
        return attrs.lower() in _MAY_READ_FROM_STANDBY
    return len(hosts(url)) > 1


def write_url(url: URL) -> URL:
    """The URL for imports and writes: the same hosts, settling only for a read-write session."""
    return url.update_query_dict({TARGET_SESSION_ATTRS: READ_WRITE})


def hosts_label(url: URL) -> str:
    """The hosts for a person: `db.example.com`, or `db1, db2` (ports left out)."""
    names = [re.sub(r":\d*$", "", h) for h in hosts(url)]
    return ", ".join(names) if names else "localhost"
