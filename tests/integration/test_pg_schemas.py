"""The pool of ready PostgreSQL schemas behind the `db` fixture: a test's rows never reach the next test, and a schema
whose structure or versions a test changed is dropped rather than lent again."""
from __future__ import annotations

import psycopg
import pytest

from tests.pg_schemas import ReadySchemas

RUN = ("INSERT INTO import_runs (file_name, file_size, sha256, status, started_at, updated_at) "
       "VALUES ('{name}', 1, 'x', 'completed', now(), now())")


@pytest.fixture
def pool(pg_server_url):
    schemas = ReadySchemas(pg_server_url)
    yield schemas
    schemas.close()


def run(pool: ReadySchemas, schema_name: str, *statements: str) -> None:
    with psycopg.connect(pool.dsn, autocommit=True) as conn:
        conn.execute(f'SET search_path = "{schema_name}"')
        for statement in statements:
            conn.execute(statement)


def query(pool: ReadySchemas, schema_name: str, sql: str) -> list[tuple]:
    with psycopg.connect(pool.dsn, autocommit=True) as conn:
        conn.execute(f'SET search_path = "{schema_name}"')
        return conn.execute(sql).fetchall()


def schema_exists(pool: ReadySchemas, schema_name: str) -> bool:
    with psycopg.connect(pool.dsn, autocommit=True) as conn:
        return conn.execute("SELECT count(*) FROM pg_namespace WHERE nspname = %s", (schema_name,)).fetchone() == (1,)


def test_a_schema_comes_back_empty_with_its_identities_restarted(pool):
    first = pool.acquire()
    run(pool, first,
        "INSERT INTO profiles (id, name, name_key, gender, gender_probability, age, age_group, country_id, "
        "country_name, country_probability, created_at) VALUES ('0190b2a4-0000-7000-8000-000000000001', 'Ada', "
        "'ada', 'female', 0.9, 30, 'adult', 'NG', 'Nigeria', 0.8, now())",
        RUN.format(name="a.csv"))
    assert query(pool, first, "SELECT count(*) FROM profile_counts") != [(0,)]  # the counts trigger ran
    pool.release(first)
    again = pool.acquire()
    assert again == first
    tables = [t for (t,) in query(pool, again, "SELECT tablename FROM pg_tables WHERE schemaname = current_schema() "
                                              "AND tablename <> 'schema_version'")]
    assert {t: query(pool, again, f"SELECT count(*) FROM {t}")[0][0] for t in tables} == dict.fromkeys(tables, 0)
    assert query(pool, again, "SELECT version FROM schema_version") != []
    run(pool, again, RUN.format(name="b.csv"))
    assert query(pool, again, "SELECT id FROM import_runs") == [(1,)]
    pool.release(again)


@pytest.mark.parametrize("change", [
    "ALTER TABLE interviews ADD COLUMN note text",
    "DROP INDEX ix_profiles_country_gender_age",
    "DROP TABLE email_outbox",
    "INSERT INTO schema_version (version, applied_at, app_version) VALUES (99, now(), '9.9')",
])
def test_a_schema_a_test_changed_is_dropped(pool, change):
    schema_name = pool.acquire()
    run(pool, schema_name, change)
    pool.release(schema_name)
    assert not schema_exists(pool, schema_name)
    assert pool.acquire() != schema_name
