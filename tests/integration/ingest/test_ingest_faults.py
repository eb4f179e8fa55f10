"""Interrupted imports: cancel, a killed database connection, a crash; resume finishes with exact counts."""
from __future__ import annotations

import json
import threading
import time
from datetime import UTC, datetime, timedelta

import psycopg
import pytest
import sqlalchemy as sa
from ingest_files import distinct_name_keys, planned_file, profile_count, rejects_of, write_csv

from insighta_desktop.cli import main as cli_main
from insighta_desktop.db.engine import create_engine_for
from insighta_desktop.db.migrations import ensure_schema
from insighta_desktop.db.schema import import_runs
from insighta_desktop.ingest.pipeline import CancelToken, Importer, ImportOptions
from insighta_desktop.ingest.runs import get_run


def nonzero(reasons):
    return {k: v for k, v in reasons.items() if v}


def test_cancel_then_resume_gives_the_uninterrupted_counts(db, tmp_path):
    plan = planned_file(2000)
    path = write_csv(tmp_path / "cancel.csv", plan.rows)
    cancel = CancelToken()
    options = ImportOptions(batch_size=100, rejects_path=tmp_path / "cancel.rejects.csv", progress_interval=0)
    seen = []

    def on_progress(p):
        seen.append(p.total_rows)
        if p.total_rows >= 300:
            cancel.cancel()

    first = Importer(db).run(path, options, on_progress=on_progress, cancel=cancel)
    assert first.status == "cancelled"
    assert 300 <= first.total_rows < plan.total
    assert first.total_rows == first.inserted + first.skipped
    assert profile_count(db) == first.inserted
    stopped = get_run(db, first.run_id)
    assert stopped.status == "cancelled" and stopped.total_rows == first.total_rows

    resumed = Importer(db).run(path, ImportOptions(batch_size=100, resume=True,
                                                   rejects_path=tmp_path / "cancel.rejects.csv"))
    assert resumed.run_id == first.run_id
    assert resumed.status == "success"
    assert resumed.resumed_from_line == stopped.last_line + 1
    assert (resumed.total_rows, resumed.inserted) == (plan.total, plan.inserted)
    assert nonzero(resumed.reasons) == plan.reasons
    assert profile_count(db) == plan.inserted == distinct_name_keys(db)
    rejects = rejects_of(db, first.run_id)
    assert len(rejects) == plan.total - plan.inserted
    assert len({line for line, *_ in rejects}) == len(rejects), "no reject recorded twice"
    with open(tmp_path / "cancel.rejects.csv", encoding="utf-8") as fh:
        assert sum(1 for _ in fh) == len(rejects) + 1


def test_crashed_run_is_resumed_from_its_last_committed_batch(db, tmp_path):
    plan = planned_file(600)
    path = write_csv(tmp_path / "crash.csv", plan.rows)
    cancel = CancelToken()
    options = ImportOptions(batch_size=50, rejects_path=tmp_path / "crash.rejects.csv", progress_interval=0)
    first = Importer(db).run(path, options, on_progress=lambda p: cancel.cancel(), cancel=cancel)
    # What a crash leaves behind: still "running", and no batch committed for a while.
    with db.begin() as conn:
        conn.execute(sa.update(import_runs).where(import_runs.c.id == first.run_id).values(
            status="running", updated_at=datetime.now(UTC) - timedelta(minutes=10)))
    resumed = Importer(db).run(path, ImportOptions(batch_size=50, resume=True,
                                                   rejects_path=tmp_path / "crash.rejects.csv"))
    assert resumed.run_id == first.run_id
    assert (resumed.total_rows, resumed.inserted, nonzero(resumed.reasons)) == (plan.total, plan.inserted,
                                                                               plan.reasons)


class BackendKiller(threading.Thread):
    """Terminates one of the importer's connections while it is inside a batch (active or in a transaction)."""

    def __init__(self, dsn: str, pids: set[int]) -> None:
        super().__init__(daemon=True)
        self.dsn = dsn
        self.pids = pids
        self.killed: list[int] = []
        self.stop = threading.Event()

    def run(self) -> None:
        with psycopg.connect(self.dsn, autocommit=True) as conn:
            while not self.stop.is_set() and not self.killed:
                rows = conn.execute("SELECT pid FROM pg_stat_activity WHERE pid = ANY(%s) AND state IN "
                                    "('active', 'idle in transaction')", (list(self.pids),)).fetchall()
                for (pid,) in rows:
                    if conn.execute("SELECT pg_terminate_backend(%s)", (pid,)).fetchone()[0]:
                        self.killed.append(pid)
                time.sleep(0.002)


def _libpq(url: str) -> str:
    return sa.engine.make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)


@pytest.mark.parametrize("attempts", [5, 1], ids=["retries", "fails-then-resumes"])
def test_killed_connection_mid_import(pg_url, tmp_path, attempts):
    engine = create_engine_for(pg_url)
    pids: set[int] = set()
    sa.event.listen(engine, "connect", lambda dbapi_conn, _rec: pids.add(dbapi_conn.info.backend_pid))
    ensure_schema(engine)
    plan = planned_file(30_000)
    path = write_csv(tmp_path / "kill.csv", plan.rows)
    killer = BackendKiller(_libpq(pg_url).split("?")[0], pids)
    phases = []

    def on_progress(p):
        phases.append(p.phase)
        if killer.ident is None:
            killer.start()

    options = ImportOptions(batch_size=1000, rejects_path=tmp_path / "kill.rejects.csv", max_attempts=attempts,
                            retry_initial_delay=0.05, progress_interval=0)
    try:
        first = Importer(engine).run(path, options, on_progress=on_progress)
    finally:
        killer.stop.set()
        killer.join(5)
    assert killer.killed, "the test must kill a connection in the middle of a batch"
    assert first.total_rows == first.inserted + first.skipped
    if attempts > 1:
        assert "retrying" in phases
        assert first.status == "success"
    else:
        assert first.status == "failed" and first.error
        assert get_run(engine, first.run_id).status == "failed"
        assert profile_count(engine) == first.inserted < plan.inserted
        first = Importer(engine).run(path, ImportOptions(batch_size=1000, resume=True,
                                                         rejects_path=tmp_path / "kill.rejects.csv"))
        assert first.status == "success"
    assert (first.total_rows, first.inserted, nonzero(first.reasons)) == (plan.total, plan.inserted, plan.reasons)
    assert profile_count(engine) == plan.inserted == distinct_name_keys(engine)
    engine.dispose()


def test_cli_import_json_and_refusal(sqlite_url, tmp_path, capsys, sample_data_dir):
    sample = sample_data_dir / "csv_samples" / "mixed-import.csv"
    code = cli_main(["import", str(sample), "--db", sqlite_url, "--json", "--batch-size", "4",
                     "--rejects", str(tmp_path / "mixed.rejects.csv")])
    out = capsys.readouterr()
    assert code == 0
    summary = json.loads(out.out.strip().splitlines()[-1])
    assert {k: summary[k] for k in ("status", "total_rows", "inserted", "skipped")} == {
        "status": "success", "total_rows": 9, "inserted": 5, "skipped": 4}
    assert nonzero(summary["reasons"]) == {"missing_fields": 1, "invalid_age": 2, "duplicate_name": 1}

    png = tmp_path / "photo.csv"
    png.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(32))
    code = cli_main(["import", str(png), "--db", sqlite_url])
    err = capsys.readouterr().err
    assert code != 0 and "PNG image" in err
