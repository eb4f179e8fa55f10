"""Triggers that keep `profile_counts` (gender x age x country) and `profile_data_version` in step with `profiles`.

PostgreSQL: statement-level triggers with transition tables, so one COPY or INSERT … SELECT of 500,000 rows costs one
grouped upsert, not 500,000 row updates; they also fire for writes that bypass the app (psql, another client).
SQLite has only row-level triggers; an upsert per row is cheap there (no network, no WAL contention).
Every statement here is idempotent: install_profile_triggers runs after each create and upgrade.
"""
from __future__ import annotations

from collections import Counter

from sqlalchemy.engine import Connection

from insighta_desktop.db.engine import psycopg_connection

_PG_FUNCTIONS = [
    """
    CREATE OR REPLACE FUNCTION insighta_profile_counts_insert() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        IF current_setting('insighta.counts_by_caller', true) = 'on' THEN
            RETURN NULL;  -- the importer adds this transaction's counts itself (add_profile_counts)
        END IF;
        INSERT INTO profile_counts AS c (country_id, gender, age, n)
        SELECT country_id, gender, age, count(*) FROM new_rows GROUP BY 1, 2, 3 ORDER BY 1, 2, 3
        ON CONFLICT (country_id, gender, age) DO UPDATE SET n = c.n + EXCLUDED.n;
        IF FOUND THEN
            INSERT INTO profile_data_version AS v (id, version) VALUES (1, 1)
            ON CONFLICT (id) DO UPDATE SET version = v.version + 1;
        END IF;
        RETURN NULL;
    END $$
    """,
    """
    CREATE OR REPLACE FUNCTION insighta_profile_counts_delete() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        WITH gone AS (SELECT country_id, gender, age, count(*) AS n FROM old_rows GROUP BY 1, 2, 3)
        UPDATE profile_counts c SET n = c.n - gone.n FROM gone
        WHERE c.country_id = gone.country_id AND c.gender = gone.gender AND c.age = gone.age;
        IF FOUND THEN
            DELETE FROM profile_counts c USING (SELECT DISTINCT country_id, gender, age FROM old_rows) k
            WHERE c.country_id = k.country_id AND c.gender = k.gender AND c.age = k.age AND c.n <= 0;
            INSERT INTO profile_data_version AS v (id, version) VALUES (1, 1)
            ON CONFLICT (id) DO UPDATE SET version = v.version + 1;
        END IF;
        RETURN NULL;
    END $$
    """,
    """
    CREATE OR REPLACE FUNCTION insighta_profile_counts_update() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        IF NOT EXISTS (SELECT 1 FROM new_rows) THEN
            RETURN NULL;
        END IF;
        INSERT INTO profile_counts AS c (country_id, gender, age, n)
        SELECT country_id, gender, age, sum(d) FROM (
            SELECT country_id, gender, age, 1 AS d FROM new_rows
            UNION ALL SELECT country_id, gender, age, -1 FROM old_rows
        ) delta GROUP BY 1, 2, 3 HAVING sum(d) <> 0 ORDER BY 1, 2, 3
        ON CONFLICT (country_id, gender, age) DO UPDATE SET n = c.n + EXCLUDED.n;
        DELETE FROM profile_counts WHERE n <= 0;
        INSERT INTO profile_data_version AS v (id, version) VALUES (1, 1)
            ON CONFLICT (id) DO UPDATE SET version = v.version + 1;
        RETURN NULL;
    END $$
    """,
    # Every bump of the data version, by whichever writer (the triggers above, the importer's add_profile_counts, an
    # older app), tells listeners the new version: db/data_version_watch.py keeps the search cache current with it.
    # The payload names the schema, as NOTIFY reaches every session of the database.
    """
    CREATE OR REPLACE FUNCTION insighta_data_version_notify() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        PERFORM pg_notify('insighta_profiles', TG_TABLE_SCHEMA || ':' || NEW.version);
        RETURN NULL;
    END $$
    """,
    """
    CREATE OR REPLACE FUNCTION insighta_profile_counts_truncate() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        DELETE FROM profile_counts;
        INSERT INTO profile_data_version AS v (id, version) VALUES (1, 1)
            ON CONFLICT (id) DO UPDATE SET version = v.version + 1;
        RETURN NULL;
    END $$
    """,
]

_PG_TRIGGERS = {
    "insighta_profile_counts_insert": "AFTER INSERT ON profiles REFERENCING NEW TABLE AS new_rows "
                                      "FOR EACH STATEMENT EXECUTE FUNCTION insighta_profile_counts_insert()",
    "insighta_profile_counts_delete": "AFTER DELETE ON profiles REFERENCING OLD TABLE AS old_rows "
                                      "FOR EACH STATEMENT EXECUTE FUNCTION insighta_profile_counts_delete()",
    "insighta_profile_counts_update": "AFTER UPDATE ON profiles REFERENCING OLD TABLE AS old_rows "
                                      "NEW TABLE AS new_rows FOR EACH STATEMENT "
                                      "EXECUTE FUNCTION insighta_profile_counts_update()",
    "insighta_profile_counts_truncate": "AFTER TRUNCATE ON profiles "
                                        "FOR EACH STATEMENT EXECUTE FUNCTION insighta_profile_counts_truncate()",
}
_PG_VERSION_TRIGGERS = {
    "insighta_data_version_notify": "AFTER INSERT OR UPDATE ON profile_data_version "
                                    "FOR EACH ROW EXECUTE FUNCTION insighta_data_version_notify()",
}

_SQLITE_BUMP = ("INSERT INTO profile_data_version (id, version) VALUES (1, 1) "
                "ON CONFLICT (id) DO UPDATE SET version = version + 1;")
_SQLITE_ADD = ("INSERT INTO profile_counts (country_id, gender, age, n) "
               "VALUES (NEW.country_id, NEW.gender, NEW.age, 1) "
               "ON CONFLICT (country_id, gender, age) DO UPDATE SET n = n + 1;")
_SQLITE_REMOVE = ("UPDATE profile_counts SET n = n - 1 "
                  "WHERE country_id = OLD.country_id AND gender = OLD.gender AND age = OLD.age; "
                  "DELETE FROM profile_counts "
                  "WHERE country_id = OLD.country_id AND gender = OLD.gender AND age = OLD.age AND n <= 0;")
_SQLITE_TRIGGERS = {
    "insighta_profile_counts_insert": f"AFTER INSERT ON profiles BEGIN {_SQLITE_ADD} {_SQLITE_BUMP} END",
    "insighta_profile_counts_delete": f"AFTER DELETE ON profiles BEGIN {_SQLITE_REMOVE} {_SQLITE_BUMP} END",
    "insighta_profile_counts_update":
        f"AFTER UPDATE ON profiles BEGIN {_SQLITE_REMOVE} {_SQLITE_ADD} {_SQLITE_BUMP} END",
}


# PostgreSQL: this transaction's inserts leave profile_counts to the caller, who calls add_profile_counts. The importer
# (db/profile_store_postgresql.py) sends it in the round trip of its transaction's first statements.
#
# The importer loads two batches at once and commits them in order. Were the trigger to update the counts at the end
# of each COPY, the later batch could lock a count row first and then wait for the earlier batch to commit, while
# that batch waits for the count row: a deadlock the server cannot see. Adding the counts just before committing, in
# commit order, avoids it. Every other writer still goes through the trigger.
COUNTS_BY_CALLER_SQL = "SELECT set_config('insighta.counts_by_caller', 'on', true)"


def add_profile_counts(conn: Connection, counts: Counter[tuple[str, str, int]]) -> None:
    """Add inserted rows' (country, gender, age) counts and bump the data version, as the insert trigger does."""
    if not counts:
        return
    keys = sorted(counts)  # one lock order for every writer
    countries, genders = [k[0] for k in keys], [k[1] for k in keys]
    params: tuple[object, ...]
    if any("," in text for text in (*countries, *genders)):
        rows_sql = "SELECT * FROM unnest(%s::text[], %s::text[], %s::int[], %s::bigint[])"
        params = (countries, genders, [k[2] for k in keys], [counts[k] for k in keys])
    else:
        # Each column as one comma-separated text, split by the server: psycopg dumps lists element by element
        # in Python, thousands of groups a batch.
        rows_sql = ("SELECT * FROM unnest(string_to_array(%s, ','), string_to_array(%s, ','), "
                    "string_to_array(%s, ',')::int[], string_to_array(%s, ',')::bigint[])")
        params = (",".join(countries), ",".join(genders), ",".join(str(k[2]) for k in keys),
                  ",".join(str(counts[k]) for k in keys))
    with psycopg_connection(conn).cursor() as cur:  # the counts and the version bump: one statement, one round trip
        cur.execute(f"WITH added AS (INSERT INTO profile_counts AS c (country_id, gender, age, n) {rows_sql} "
                    "ON CONFLICT (country_id, gender, age) DO UPDATE SET n = c.n + EXCLUDED.n RETURNING 1) "
                    "INSERT INTO profile_data_version AS v (id, version) SELECT 1, 1 "
                    "WHERE EXISTS (SELECT 1 FROM added) ON CONFLICT (id) DO UPDATE SET version = v.version + 1",
                    params)


def install_profile_triggers(conn: Connection) -> None:
    """Create or replace the triggers, and rebuild the counts if they disagree with profiles."""
    if conn.dialect.name == "postgresql":
        for ddl in _PG_FUNCTIONS:
            conn.exec_driver_sql(ddl)
        for name, body in _PG_TRIGGERS.items():
            conn.exec_driver_sql(f"DROP TRIGGER IF EXISTS {name} ON profiles")
            conn.exec_driver_sql(f"CREATE TRIGGER {name} {body}")
        for name, body in _PG_VERSION_TRIGGERS.items():
            conn.exec_driver_sql(f"DROP TRIGGER IF EXISTS {name} ON profile_data_version")
            conn.exec_driver_sql(f"CREATE TRIGGER {name} {body}")
    else:
        for name, body in _SQLITE_TRIGGERS.items():
            conn.exec_driver_sql(f"DROP TRIGGER IF EXISTS {name}")
            conn.exec_driver_sql(f"CREATE TRIGGER {name} {body}")
    counted = conn.exec_driver_sql("SELECT coalesce(sum(n), 0) FROM profile_counts").scalar_one()
    stored = conn.exec_driver_sql("SELECT count(*) FROM profiles").scalar_one()
    if counted != stored:
        rebuild_profile_counts(conn)


def rebuild_profile_counts(conn: Connection) -> None:
    """Recount from scratch (after the triggers were missing, or to repair a database)."""
    conn.exec_driver_sql("DELETE FROM profile_counts")
    conn.exec_driver_sql("INSERT INTO profile_counts (country_id, gender, age, n) "
                         "SELECT country_id, gender, age, count(*) FROM profiles GROUP BY country_id, gender, age")
    conn.exec_driver_sql("INSERT INTO profile_data_version (id, version) VALUES (1, 1) "
                         "ON CONFLICT (id) DO UPDATE SET version = profile_data_version.version + 1")
