"""Multi-host URLs (issue 11 §4): libpq tries each host in turn; searches may read from a standby while imports and
writes ask for a read-write session."""
from __future__ import annotations

import psycopg
import pytest
from sqlalchemy.engine import make_url

from insighta_desktop.context import open_context
from insighta_desktop.db.engine import psycopg_connection
from insighta_desktop.db.server_info import ReadOnlyDatabase
from insighta_desktop.demo.loader import load_demo_data
from insighta_desktop.profiles.filters import PageRequest, build_filters
from tests.pg_schemas import libpq_dsn


def multi_host(url: str, *hosts: str, **query: str) -> str:
    """`url` (one host) rewritten to list `hosts` in its netloc, as a person would type it."""
    parsed = make_url(url).set(drivername="postgresql")
    text = parsed.set(host="HOSTS", port=None).update_query_dict(query).render_as_string(hide_password=False)
    return text.replace("HOSTS", ",".join(hosts))


def server_address(url: str) -> str:
    parsed = make_url(url)
    return f"{parsed.host or '127.0.0.1'}:{parsed.port or 5432}"


@pytest.mark.parametrize("attrs", [None, "prefer-standby"])
def test_the_first_host_down_the_second_answers_searches_and_writes(pg_url, closed_port, app_paths, credentials,
                                                                      attrs):
    query = {"target_session_attrs": attrs} if attrs else {}
    url = multi_host(pg_url, f"127.0.0.1:{closed_port}", server_address(pg_url), **query)
    ctx = open_context(url, paths=app_paths, credentials=credentials)
    try:
        assert ctx.engines.split  # searches may use a standby; writes ask for read-write
        assert make_url(ctx.engine.url).query["target_session_attrs"] == "read-write"
        load_demo_data(ctx.engine, profiles=300, interviews=0)  # a write: through the read-write engine
        result = ctx.profile_search.search(build_filters(gender="female"), PageRequest(limit=10))
        assert result.total > 0 and all(p.gender == "female" for p in result.rows)
        with ctx.read_engine.connect() as conn:  # the search's connection went to the host that is up
            assert psycopg_connection(conn).info.port == (make_url(pg_url).port or 5432)
        server = ctx.read_server()
        assert not server.read_only and server.backend.startswith("PostgreSQL ")
        assert server.host == (make_url(pg_url).host or "127.0.0.1")
    finally:
        ctx.close()


def test_no_read_write_server_reachable_opens_read_only_on_the_standby(reader_role, pg_url, closed_port, app_paths,
                                                                       credentials):
    """A role whose sessions are read-only looks to libpq like a standby: `read-write` finds no server, while
    `prefer-standby` settles for it. The app opens through the read engine, searches, and says why it is read-only."""
    owner = open_context(pg_url, paths=app_paths, credentials=credentials)
    load_demo_data(owner.engine, profiles=150, interviews=0)
    owner.close()
    with psycopg.connect(libpq_dsn(pg_url), autocommit=True) as conn:
        conn.execute(f'ALTER ROLE "{reader_role.name}" SET default_transaction_read_only = on')
    url = multi_host(reader_role.url, f"127.0.0.1:{closed_port}", server_address(pg_url),
                     target_session_attrs="prefer-standby")
    ctx = open_context(url, paths=app_paths, credentials=credentials)
    try:
        assert ctx.profile_search.search(build_filters(), PageRequest(limit=5)).total == 150
        reason = ctx.read_server().read_only_reason or ""
        assert reason.startswith("no read-write server is reachable") and "read-only" in reason
        with pytest.raises(ReadOnlyDatabase):
            ctx.refuse_writes()
    finally:
        ctx.close()
