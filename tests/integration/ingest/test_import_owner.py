"""Owner liveness: a run whose importer is alive is never taken over, and --resume right after a crash (the importing
process killed with SIGKILL) continues the run at once with exact counts, on both back ends."""
from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import textwrap
import time

import pytest
import sqlalchemy as sa
from ingest_files import distinct_name_keys, planned_file, profile_count, write_csv

from insighta_desktop.cli import main as cli_main
from insighta_desktop.db.schema import import_runs
from insighta_desktop.ingest.errors import ImportRefused
from insighta_desktop.ingest.pipeline import Importer, ImportOptions
from insighta_desktop.ingest.runs import get_run

# A slow importer in a process of its own: each committed batch reports progress, which sleeps.
CHILD = textwrap.dedent("""
    import sys, time
    from insighta_desktop.db.engine import create_engine_for
    from insighta_desktop.ingest.pipeline import Importer, ImportOptions

    url, path, rejects = sys.argv[1:4]
    engine = create_engine_for(url)
    options = ImportOptions(batch_size=100, rejects_path=rejects, progress_interval=0)
    Importer(engine).run(path, options, on_progress=lambda p: time.sleep(0.3))
""")


def nonzero(reasons):
    return {k: v for k, v in reasons.items() if v}


def wait_for_rows(engine, at_least, timeout=60.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with engine.connect() as conn:
            row = conn.execute(sa.select(import_runs.c.id, import_runs.c.total_rows, import_runs.c.owner_pid)
                               .order_by(import_runs.c.id.desc())).first()
        if row is not None and row.total_rows >= at_least:
            return row
        time.sleep(0.05)
    raise AssertionError(f"the child import did not commit {at_least} rows in {timeout} s")


def test_live_owner_refused_then_resume_at_once_after_sigkill(db, db_url, tmp_path):
    plan = planned_file(3000)
    path = write_csv(tmp_path / "owned.csv", plan.rows)
    rejects = tmp_path / "owned.rejects.csv"
    child = subprocess.Popen([sys.executable, "-c", CHILD, db_url, str(path), str(rejects)],
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    try:
        row = wait_for_rows(db, 300)
        assert row.owner_pid == child.pid
        # The owner is alive: a resume is refused, naming it, and changes nothing.
        with pytest.raises(ImportRefused) as caught:
            Importer(db).run(path, ImportOptions(batch_size=100, resume=True, rejects_path=rejects))
        assert caught.value.code == "run_in_progress"
        assert f"run {row.id}" in caught.value.message and f"process {child.pid}" in caught.value.message
        assert get_run(db, row.id).status == "running"
        os.kill(child.pid, signal.SIGKILL)
        child.wait(10)
    finally:
        if child.poll() is None:
            child.kill()
            child.wait(10)
        child.stdout.close()
        child.stderr.close()
    crashed = get_run(db, row.id)
    assert crashed.status == "running" and crashed.total_rows < plan.total
    began = time.monotonic()
    resumed = Importer(db).run(path, ImportOptions(batch_size=100, resume=True, rejects_path=rejects))
    assert time.monotonic() - began < 30  # at once: no waiting for a 2-minute staleness
    assert resumed.run_id == row.id
    assert resumed.resume_note == f"resuming run {row.id} at line {crashed.last_line + 1:,} (it was interrupted)"
    assert resumed.status == "success"
    assert (resumed.total_rows, resumed.inserted, nonzero(resumed.reasons)) == (plan.total, plan.inserted,
                                                                               plan.reasons)
    assert profile_count(db) == plan.inserted == distinct_name_keys(db)
    with db.connect() as conn:
        assert conn.execute(sa.select(sa.func.count()).select_from(import_runs)).scalar_one() == 1


def test_resume_says_which_it_did(db_url, isolated_home, tmp_path, capsys):
    plan = planned_file(50)
    path = write_csv(tmp_path / "fresh.csv", plan.rows)
    assert cli_main(["--db", db_url, "db", "init"]) == 0
    capsys.readouterr()
    assert cli_main(["--db", db_url, "import", str(path), "--resume", "--json"]) == 0
    out = capsys.readouterr()
    summary = json.loads(out.out.splitlines()[-1])
    assert summary["resume_note"] == "starting a new run: no unfinished run of this file"
    assert "starting a new run: no unfinished run of this file" in out.err
    assert cli_main(["--db", db_url, "import", str(path), "--resume", "--json"]) == 0
    out = capsys.readouterr()
    assert json.loads(out.out.splitlines()[-1])["resume_note"] == (
        f"starting a new run: its last run ({summary['run_id']}) finished")
    # Without --resume: the file is announced as imported before.
    assert cli_main(["--db", db_url, "import", str(path)]) == 0
    assert "this file was imported on" in capsys.readouterr().err


def test_cli_names_an_unfinished_run_of_the_same_file(db, db_url, isolated_home, tmp_path, capsys):
    from insighta_desktop.cli.import_options import same_file_note
    from insighta_desktop.ingest.pipeline import CancelToken

    plan = planned_file(500)
    path = write_csv(tmp_path / "half.csv", plan.rows)
    cancel = CancelToken()
    first = Importer(db).run(path, ImportOptions(batch_size=50, progress_interval=0,
                                                 rejects_path=tmp_path / "half.rejects.csv"),
                             on_progress=lambda p: cancel.cancel(), cancel=cancel)
    assert first.status == "cancelled"
    note = same_file_note(db, path)  # what `insighta import` prints before importing the file anew
    assert f"an unfinished import of this file exists (run {first.run_id}, cancelled" in note
    assert note.endswith("run the same command with --resume to continue it")
    assert cli_main(["--db", db_url, "import", str(path), "--dry-run"]) == 0  # a check says nothing of runs
    assert "unfinished" not in capsys.readouterr().err
    assert cli_main(["--db", db_url, "import", str(path), "--resume", "--json"]) == 0
    out = capsys.readouterr()
    assert f"resuming run {first.run_id} at line" in out.err
    assert json.loads(out.out.splitlines()[-1])["inserted"] == plan.inserted
