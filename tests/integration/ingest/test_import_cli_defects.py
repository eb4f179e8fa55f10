"""`insighta import` as a new user meets it: a bad --rejects path, a failure mid-import, a resumed run's summary."""
from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
import sqlalchemy as sa
from ingest_files import planned_file, profile_count, write_csv

from insighta_desktop.cli import main
from insighta_desktop.ingest.pipeline import CancelToken, Importer, ImportOptions
from insighta_desktop.ingest.runs import list_runs

pytestmark = pytest.mark.usefixtures("isolated_home")  # tests/integration/conftest.py


CLI = "import sys; from insighta_desktop.cli import main; sys.exit(main())"


def run_cli(*args: str) -> subprocess.CompletedProcess[str]:
    """The CLI in its own process, as a terminal user runs it (its logging set up afresh)."""
    return subprocess.run([sys.executable, "-c", CLI, *args], capture_output=True, text=True,
                          timeout=120, env=os.environ.copy(), check=False)


def small_file(tmp_path, name="people.csv", n=50):
    plan = planned_file(n)
    return write_csv(tmp_path / name, plan.rows), plan


@pytest.mark.parametrize("how", ["same path", "symlink", "hard link", "relative path"])
def test_rejects_path_that_is_the_input_is_refused_and_the_input_kept(db_url, db, tmp_path, monkeypatch, capsys,
                                                                      how):
    path, _plan = small_file(tmp_path)
    before = path.read_bytes()
    rejects = {"same path": path, "symlink": tmp_path / "link.csv", "hard link": tmp_path / "hard.csv",
               "relative path": "./people.csv"}[how]
    if how == "symlink":
        os.symlink(path, rejects)
    elif how == "hard link":
        os.link(path, rejects)
    monkeypatch.chdir(tmp_path)
    assert main(["--db", db_url, "import", str(path), "--rejects", str(rejects)]) == 2
    err = capsys.readouterr().err.strip()
    assert err.count("\n") == 0, err
    assert "is the file being imported" in err and str(Path(rejects)) in err
    assert path.read_bytes() == before
    assert list_runs(db) == [] and profile_count(db) == 0


@pytest.mark.parametrize("where", ["a folder", "under a file", "a folder nobody can write"])
def test_rejects_path_that_cannot_be_written_is_one_line_and_no_run(db_url, db, tmp_path, where):
    path, _plan = small_file(tmp_path)
    # /proc takes no new files, not even from root (the tests may run as root, who writes into any 0o500 folder).
    rejects = {"a folder": tmp_path, "under a file": path / "rejects.csv",
               "a folder nobody can write": Path("/proc/insighta-rejects.csv")}[where]
    result = run_cli("--db", db_url, "import", str(path), "--rejects", str(rejects))
    assert result.returncode == 2
    assert result.stderr.strip().splitlines() == [result.stderr.strip()], result.stderr
    assert f"cannot write the rejects file {rejects}" in result.stderr
    assert "Traceback" not in result.stderr and "join thread" not in result.stderr
    assert list_runs(db) == [] and profile_count(db) == 0


def _fail_on_insert_of(engine, name: str) -> None:
    """A trigger that refuses one name: a data error the import cannot retry (COPY fires it too)."""
    with engine.begin() as conn:
        if engine.dialect.name == "sqlite":
            conn.execute(sa.text(f"CREATE TRIGGER refuse_one BEFORE INSERT ON profiles WHEN NEW.name = '{name}' "
                                 "BEGIN SELECT RAISE(ABORT, 'refused by the test trigger'); END"))
        else:
            conn.execute(sa.text(f"CREATE FUNCTION refuse_one() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
                                 f"IF NEW.name = '{name}' THEN RAISE EXCEPTION 'refused by the test trigger'; "
                                 "END IF; RETURN NEW; END $$"))
            conn.execute(sa.text("CREATE TRIGGER refuse_one BEFORE INSERT ON profiles FOR EACH ROW "
                                 "EXECUTE FUNCTION refuse_one()"))


def test_a_failed_import_prints_no_traceback_unless_verbose(db_url, db, tmp_path):
    path, _plan = small_file(tmp_path, n=400)
    _fail_on_insert_of(db, "Person 250")
    quiet = run_cli("--db", db_url, "import", str(path), "--batch-size", "100")
    assert quiet.returncode == 1
    assert "Traceback" not in quiet.stderr + quiet.stdout
    assert re.search(r"^insighta: import failed: \w+: refused by the test trigger$", quiet.stderr, re.M)
    assert not [line for line in quiet.stderr.splitlines() if line.lstrip().startswith(("File \"", "raise "))]
    logs = list((tmp_path / "home").rglob("insighta.log"))
    assert logs and "Traceback" in logs[0].read_text(encoding="utf-8"), "the log file keeps the details"
    assert {run.status for run in list_runs(db)} == {"failed"}, "no run is left running"

    verbose = run_cli("--db", db_url, "--verbose", "import", str(path), "--batch-size", "100")
    assert verbose.returncode == 1
    assert "Traceback" in verbose.stderr
    assert "running" not in {run.status for run in list_runs(db)}


def test_resumed_summary_shows_this_session_and_the_whole_file(db_url, db, tmp_path, capsys):
    plan = planned_file(1000)
    path = write_csv(tmp_path / "resume.csv", plan.rows)
    cancel = CancelToken()

    def stop_after_some(p):
        if p.total_rows >= 300:
            cancel.cancel()

    first = Importer(db).run(path, ImportOptions(batch_size=100, progress_interval=0), on_progress=stop_after_some,
                             cancel=cancel)
    assert first.status == "cancelled" and 0 < first.total_rows < plan.total
    assert main(["--db", db_url, "import", str(path), "--batch-size", "100", "--resume", "--json"]) == 0
    out, err = capsys.readouterr()
    summary = json.loads(out.strip().splitlines()[-1])
    session = plan.total - first.total_rows
    assert (summary["total_rows"], summary["inserted"]) == (plan.total, plan.inserted)
    assert summary["session_rows"] == session
    assert summary["session_inserted"] == plan.inserted - first.inserted
    assert summary["rows_per_s"] == pytest.approx(session / summary["duration_s"], rel=0.02)
    line = next(text for text in err.splitlines() if "this session" in text)
    assert f"this session: {session:,} rows from line {summary['resumed_from_line']:,} in " in line
    assert f"{summary['session_inserted']:,} inserted; whole file: {plan.total:,} rows, {plan.inserted:,} inserted" \
        in line
    first_line = err.splitlines()[0]
    assert "rows/s" not in first_line, "the whole file's counts are not shown beside this session's rate"


def test_a_fresh_import_summary_keeps_its_one_line(db_url, tmp_path, capsys):
    path, plan = small_file(tmp_path)
    assert main(["--db", db_url, "import", str(path), "--json"]) == 0
    out, err = capsys.readouterr()
    summary = json.loads(out.strip().splitlines()[-1])
    assert summary["session_rows"] == summary["total_rows"] == plan.total
    assert summary["session_inserted"] == summary["inserted"] == plan.inserted
    assert "rows/s" in err.splitlines()[0] and "this session" not in err
