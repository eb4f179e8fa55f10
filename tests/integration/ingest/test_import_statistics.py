"""An import takes the planner's statistics again on PostgreSQL (ingest/statistics.py), so a search right after it is
planned for the table as it is, and vacuums profile_counts, whose rows each batch rewrote."""
from __future__ import annotations

import sqlalchemy as sa
from ingest_files import write_csv

from insighta_desktop.db.engine import create_engine_for
from insighta_desktop.ingest.pipeline import Importer, ImportOptions
from insighta_desktop.ingest.statistics import MIN_FINAL, MIN_GROWTH


def _planned_rows(engine) -> float:
    with engine.connect() as conn:
        return conn.execute(sa.text("SELECT reltuples FROM pg_class WHERE oid = 'profiles'::regclass")).scalar_one()


def test_an_import_that_grows_the_table_leaves_fresh_statistics(ready_pg_url, tmp_path):
    engine = create_engine_for(ready_pg_url)
    try:
        assert _planned_rows(engine) <= 0  # never analysed
        n = MIN_GROWTH + MIN_FINAL  # taken while it runs (at MIN_GROWTH rows) and at its end
        rows = [[f"Stats Person {i}", "female" if i % 2 else "male", str(20 + i % 50), "NG", "0.9", "0.8"]
                for i in range(n)]
        path = write_csv(tmp_path / "stats.csv", rows)
        summary = Importer(engine).run(path, ImportOptions(batch_size=5_000, rejects_path=tmp_path / "r.csv",
                                                           progress_interval=0))
        assert summary.inserted == n
        assert _planned_rows(engine) == n  # ANALYZE counts every row of a table this small
        with engine.connect() as conn:
            vacuums = conn.execute(sa.text(
                "SELECT vacuum_count FROM pg_stat_user_tables WHERE relid = 'profile_counts'::regclass")).scalar_one()
        assert vacuums == 2  # with each of the two refreshes
    finally:
        engine.dispose()
