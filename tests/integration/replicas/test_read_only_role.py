"""A role without write privileges opens the database read-only (issue 11 §4): the reason is read once at open,
writes are refused with a clear message, and `insighta import` says so in one line."""
from __future__ import annotations

import psycopg
import pytest

from insighta_desktop.cli import main
from insighta_desktop.context import open_context
from insighta_desktop.db.server_info import ReadOnlyDatabase, write_refused
from insighta_desktop.demo.loader import load_demo_data
from insighta_desktop.profiles.filters import PageRequest, build_filters
from tests.pg_roles import schema_of
from tests.pg_schemas import libpq_dsn


def test_a_reader_role_searches_and_is_told_why_it_cannot_write(reader_role, pg_url, app_paths, credentials):
    owner = open_context(pg_url, paths=app_paths, credentials=credentials)
    load_demo_data(owner.engine, profiles=200, interviews=0)
    assert owner.read_server().read_only is False
    owner.close()
    ctx = open_context(reader_role.url, paths=app_paths, credentials=credentials)
    try:
        assert ctx.read_only_reason is None  # not read until asked: one statement, once
        server = ctx.read_server()
        assert server.read_only and reader_role.name in (server.read_only_reason or "")
        assert ctx.profile_search.search(build_filters(), PageRequest(limit=5)).total == 200  # reads work
        with pytest.raises(ReadOnlyDatabase, match="read-only for you") as refused:
            ctx.refuse_writes()
        assert "Nothing was changed" in str(refused.value)
        with pytest.raises(Exception) as caught:  # a write that gets through anyway is recognised as refused
            ctx.saved_searches.record("women", build_filters(gender="female"))
        assert write_refused(caught.value)
    finally:
        ctx.close()


def test_a_read_only_session_setting_is_a_reason_too(reader_role, pg_url, app_paths, credentials):
    with psycopg.connect(libpq_dsn(pg_url), autocommit=True) as conn:
        conn.execute(f'GRANT INSERT ON ALL TABLES IN SCHEMA "{schema_of(pg_url)}" TO "{reader_role.name}"')
        conn.execute(f'ALTER ROLE "{reader_role.name}" SET default_transaction_read_only = on')
    ctx = open_context(reader_role.url, paths=app_paths, credentials=credentials)
    try:
        assert "read-only sessions" in (ctx.read_server().read_only_reason or "")
    finally:
        ctx.close()


def test_cli_import_on_a_reader_role_is_one_line(reader_role, isolated_home, tmp_path, capsys):
    csv = tmp_path / "people.csv"
    csv.write_text("name,gender,age,country_id\nAda Obi,female,31,NG\n", encoding="utf-8")
    code = main(["import", str(csv), "--db", reader_role.url])
    err = capsys.readouterr().err
    assert code == 2
    assert err.count("\n") == 1 and err.startswith("insighta: This database is read-only for you")
    assert reader_role.name in err and "Traceback" not in err
