"""PostgreSQL schemas for tests: an empty one per test, or a ready one (current tables, no rows) reused across tests.

Creating a schema with the app's tables (CREATE SCHEMA, then ensure_schema: 46 statements) took about 0.3 s per
test on the shared server, and each create and drop adds hundreds of dead rows to catalogs that nothing vacuums there;
emptying a used one with TRUNCATE takes a few milliseconds. A ready schema goes back to
the pool only when the test left its structure as it found it and nothing else holds a lock in it; otherwise it is
dropped, as every schema used to be.
"""
from __future__ import annotations

import time
import uuid

import psycopg
from sqlalchemy.engine import make_url

from insighta_desktop.db.engine import create_engine_for
from insighta_desktop.db.migrations import ensure_schema

# What a test could change in the schema's relations (tables, their indexes and sequences, found by name through the
# catalogs' indexes: the shared server runs without autovacuum, and a scan of its bloated catalogs took 40 ms each)
# and functions, as comparable text.
STRUCTURE_SQL = """
WITH ns AS (SELECT oid FROM pg_namespace WHERE nspname = %(schema)s),
rels AS (SELECT c.oid, c.relname, c.relkind FROM pg_class c
          WHERE c.relname = ANY(%(relations)s) AND c.relnamespace = (SELECT oid FROM ns))
SELECT 'relation ' || relkind::text || ' ' || relname FROM rels
UNION ALL
SELECT 'column ' || r.relname || '.' || a.attname || ' ' || format_type(a.atttypid, a.atttypmod) || ' '
       || a.attnotnull || ' ' || coalesce(pg_get_expr(d.adbin, d.adrelid), '')
  FROM rels r JOIN pg_attribute a ON a.attrelid = r.oid AND a.attnum > 0 AND NOT a.attisdropped
  LEFT JOIN pg_attrdef d ON d.adrelid = r.oid AND d.adnum = a.attnum
UNION ALL
SELECT 'index ' || pg_get_indexdef(i.indexrelid) FROM rels r JOIN pg_index i ON i.indrelid = r.oid
UNION ALL
SELECT 'constraint ' || con.conname || ' ' || pg_get_constraintdef(con.oid)
  FROM rels r JOIN pg_constraint con ON con.conrelid = r.oid
UNION ALL
SELECT 'trigger ' || pg_get_triggerdef(t.oid) FROM rels r JOIN pg_trigger t ON t.tgrelid = r.oid AND NOT t.tgisinternal
UNION ALL
SELECT 'function ' || p.proname || ' ' || md5(replace(pg_get_functiondef(p.oid), %(schema)s || '.', ''))
  FROM pg_proc p WHERE p.proname = ANY(%(functions)s) AND p.pronamespace = (SELECT oid FROM ns)
"""
NAMES_SQL = """
SELECT 'relation', relname FROM pg_class WHERE relnamespace = (SELECT oid FROM pg_namespace WHERE nspname = %(schema)s)
UNION ALL
SELECT 'function', proname FROM pg_proc WHERE pronamespace = (SELECT oid FROM pg_namespace WHERE nspname = %(schema)s)
"""
LOCKS_HELD_BY_OTHERS_SQL = """
SELECT count(*) FROM pg_locks l JOIN pg_class c ON c.oid = l.relation JOIN pg_namespace n ON n.oid = c.relnamespace
 WHERE n.nspname = %s AND l.pid <> pg_backend_pid()
"""


def libpq_dsn(url: str) -> str:
    return make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)


def schema_url(server_url: str, schema_name: str) -> str:
    """The server URL with connections that work in the schema."""
    url = make_url(server_url).update_query_dict({"options": f"-csearch_path={schema_name}"})
    return url.render_as_string(hide_password=False)


def create_schema(dsn: str) -> str:
    schema_name = f"t_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(dsn, autocommit=True) as conn:
        conn.execute(f'CREATE SCHEMA "{schema_name}"')
    return schema_name


def drop_schema(dsn: str, schema_name: str, attempts: int = 20) -> None:
    """Drop a test's schema; a query a test left running in a worker thread may hold a lock for a moment."""
    for attempt in range(attempts):
        try:
            with psycopg.connect(dsn, autocommit=True) as conn:
                conn.execute("SET lock_timeout = '2s'")
                conn.execute(f'SET search_path = "{schema_name}"')  # the TRUNCATE trigger names its tables unqualified
                conn.execute(f'DROP SCHEMA "{schema_name}" CASCADE')
            return
        except (psycopg.errors.DeadlockDetected, psycopg.errors.LockNotAvailable):
            if attempt == attempts - 1:
                raise
            time.sleep(0.25)


class ReadySchemas:
    """Schemas holding the current tables and no rows, lent to one test at a time."""

    def __init__(self, server_url: str) -> None:
        self.server_url = server_url
        self.dsn = libpq_dsn(server_url)
        self._free: list[str] = []
        self._lent: set[str] = set()
        self._pristine: list[str] | None = None
        self._names: dict[str, list[str]] = {"relations": [], "functions": []}

    def acquire(self) -> str:
        schema_name = self._free.pop() if self._free else self._create()
        self._lent.add(schema_name)
        return schema_name

    def release(self, schema_name: str) -> None:
        self._lent.discard(schema_name)
        if self._emptied(schema_name):
            self._free.append(schema_name)
        else:
            drop_schema(self.dsn, schema_name)

    def close(self) -> None:
        for schema_name in [*self._free, *self._lent]:
            drop_schema(self.dsn, schema_name)
        self._free.clear()
        self._lent.clear()

    def _create(self) -> str:
        schema_name = create_schema(self.dsn)
        engine = create_engine_for(schema_url(self.server_url, schema_name))
        try:
            ensure_schema(engine)
        finally:
            engine.dispose()
        if self._pristine is None:
            with psycopg.connect(self.dsn, autocommit=True) as conn:
                for kind, name in conn.execute(NAMES_SQL, {"schema": schema_name}):
                    self._names[f"{kind}s"].append(name)
                self._pristine = self._structure(conn, schema_name)
        return schema_name

    def _emptied(self, schema_name: str) -> bool:
        """TRUNCATE every table but schema_version; False when the schema should not be lent again."""
        try:
            with psycopg.connect(self.dsn, autocommit=True) as conn:
                if conn.execute(LOCKS_HELD_BY_OTHERS_SQL, (schema_name,)).fetchone() != (0,):
                    return False  # a connection the test left behind is still working in it
                if self._structure(conn, schema_name) != self._pristine:
                    return False
                conn.execute("SET lock_timeout = '2s'")
                conn.execute(f'SET search_path = "{schema_name}"')  # the TRUNCATE trigger names its tables unqualified
                tables = [row[0] for row in conn.execute(
                    "SELECT tablename FROM pg_tables WHERE schemaname = %s AND tablename <> 'schema_version'",
                    (schema_name,))]
                conn.execute("TRUNCATE " + ", ".join(f'"{schema_name}"."{t}"' for t in tables) + " RESTART IDENTITY")
                if refilled := self._non_empty(conn, schema_name, tables):
                    # The TRUNCATE trigger on profiles bumps the data version as its last act: empty that too.
                    conn.execute("TRUNCATE " + ", ".join(f'"{schema_name}"."{t}"' for t in refilled))
                return not self._non_empty(conn, schema_name, tables)
        except psycopg.Error:
            return False

    @staticmethod
    def _non_empty(conn: psycopg.Connection, schema_name: str, tables: list[str]) -> list[str]:
        sql = " UNION ALL ".join(f"SELECT '{t}' WHERE EXISTS (SELECT 1 FROM \"{schema_name}\".\"{t}\")" for t in tables)
        return [row[0] for row in conn.execute(sql)]

    def _structure(self, conn: psycopg.Connection, schema_name: str) -> list[str]:
        rows = conn.execute(STRUCTURE_SQL, {"schema": schema_name, **self._names}).fetchall()
        versions = conn.execute(f'SELECT version FROM "{schema_name}".schema_version ORDER BY version').fetchall()
        described = [row[0].replace(f"{schema_name}.", "").replace(f'"{schema_name}".', "") for row in rows]
        return sorted(described) + [f"schema_version {v[0]}" for v in versions]
