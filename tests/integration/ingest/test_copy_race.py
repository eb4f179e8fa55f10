"""A name another client inserts between an import batch's existence lookup and its COPY (PostgreSQL): the COPY
waits for that client's transaction, fails on the unique index once it commits, and the batch is loaded again
through the staging table; the name is reported as a duplicate and every other row is inserted."""
from __future__ import annotations

import threading
import time
import uuid
from datetime import UTC, datetime

import sqlalchemy as sa
from ingest_files import profile_count, rejects_of, write_csv

from insighta_desktop.db.engine import create_engine_for
from insighta_desktop.db.schema import profiles
from insighta_desktop.ingest.batches import DUPLICATE
from insighta_desktop.ingest.pipeline import Importer, ImportOptions
from insighta_desktop.ingest.writer import IN_DATABASE


def _insert_row(conn: sa.Connection, name: str) -> None:
    conn.execute(profiles.insert().values(
        id=str(uuid.uuid4()), name=name, name_key=name.casefold(), gender="male", gender_probability=0.9, age=40,
        age_group="adult", country_id="GH", country_name="Ghana", country_probability=0.7,
        created_at=datetime.now(UTC)))


def test_a_name_committed_by_another_client_during_the_copy(ready_pg_url, tmp_path):
    engine = create_engine_for(ready_pg_url)
    rows = [[f"Race Person {i}", "female", "30", "NG", "0.9", "0.8"] for i in range(50)]
    path = write_csv(tmp_path / "race.csv", rows)
    other = engine.connect()
    try:
        transaction = other.begin()
        _insert_row(other, "Race Person 7")  # not committed: the import's lookup cannot see it
        outcome: dict[str, object] = {}

        def run_import() -> None:
            options = ImportOptions(batch_size=100, rejects_path=tmp_path / "race.rejects.csv", progress_interval=0)
            outcome["summary"] = Importer(engine).run(path, options)

        worker = threading.Thread(target=run_import)
        worker.start()
        # The COPY of "Race Person 7" waits on the other transaction's row lock of the unique index.
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            with engine.connect() as probe:
                waiting = probe.execute(sa.text(
                    "SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock' "
                    "AND query LIKE '%COPY profiles%'")).scalar_one()
            if waiting:
                break
            time.sleep(0.05)
        assert waiting, "the import's COPY never waited on the other transaction"
        transaction.commit()
        worker.join(timeout=30)
        assert not worker.is_alive()
    finally:
        other.close()
    summary = outcome["summary"]
    assert summary.status == "success"
    assert (summary.total_rows, summary.inserted, summary.skipped) == (50, 49, 1)
    assert profile_count(engine) == 50
    [(line, reason, detail, _raw)] = rejects_of(engine, summary.run_id)
    assert (line, reason, detail) == (9, DUPLICATE, IN_DATABASE)
    engine.dispose()
