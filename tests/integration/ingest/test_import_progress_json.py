"""`insighta import --progress-json`, as the desktop app runs it: JSON lines at a steady rate with the run's id from
the first line, the summary last, 'cancel' on stdin stopping it, and the GUI's options (a dry run, a mapping) arriving
through --options-json. SQLite and PostgreSQL."""
from __future__ import annotations

import subprocess
import sys
import time

from insighta_desktop.ingest.child_command import child_environment, import_command
from insighta_desktop.ingest.pipeline import ImportOptions
from insighta_desktop.ingest.progress import parse_line
from insighta_desktop.ingest.runs import get_run, list_runs
from insighta_desktop.ingest.summary import ImportProgress, ImportSummary


def write_people(path, rows: int, header: str = "name,gender,age,country_id") -> None:
    lines = [header] + [f"Person {i},{'female' if i % 2 else 'male'},{20 + i % 50},NG" if i % 10 else
                        f"Person {i},male,old,NG" for i in range(rows)]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def start(path, options, db_url, home):
    return subprocess.Popen(import_command(path, options), stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, env=child_environment(db_url, home))


def read_all(proc) -> tuple[list[tuple[float, object]], str]:
    items = []
    for line in iter(proc.stdout.readline, b""):
        items.append((time.monotonic(), parse_line(line)))
    proc.wait(30)
    return items, proc.stderr.read().decode()


def test_the_end_of_stdin_stops_it(db, db_url, tmp_path):
    """The app closed or died: the import stops at the next batch, its run cancelled (resumable)."""
    path = tmp_path / "people.csv"
    write_people(path, 30_000)
    proc = start(path, ImportOptions(batch_size=100), db_url, tmp_path / "home")
    proc.stdin.close()
    items, stderr = read_all(proc)
    first = items[0][1]
    assert isinstance(first, ImportProgress) and first.phase == "starting" and first.run_id is not None
    summary = items[-1][1]
    assert isinstance(summary, ImportSummary), stderr
    assert summary.run_id == first.run_id and summary.run_status == "cancelled"
    assert get_run(db, summary.run_id).status == "cancelled"


def test_a_full_run_and_a_cancel_on_stdin(db, db_url, tmp_path):
    path = tmp_path / "people.csv"
    write_people(path, 3_000)
    proc = start(path, ImportOptions(batch_size=100), db_url, tmp_path / "home")
    items, stderr = read_all(proc)
    assert proc.returncode == 0, stderr
    progress = [item for _t, item in items if isinstance(item, ImportProgress)]
    summary = items[-1][1]
    assert isinstance(summary, ImportSummary) and summary.status == "success"
    assert (summary.total_rows, summary.inserted, summary.skipped) == (3_000, 2_700, 300)
    assert all(p.run_id == summary.run_id for p in progress)
    assert progress[-1].phase == "finished" and progress[-1].bytes_done == progress[-1].bytes_total

    big = tmp_path / "big.csv"
    write_people(big, 200_000)
    proc = start(big, ImportOptions(batch_size=2_000), db_url, tmp_path / "home")
    line = proc.stdout.readline()
    while (p := parse_line(line)) is not None and isinstance(p, ImportProgress) and p.total_rows == 0:
        line = proc.stdout.readline()
    proc.stdin.write(b"cancel\n")
    proc.stdin.flush()
    items, stderr = read_all(proc)
    summary = items[-1][1]
    assert isinstance(summary, ImportSummary) and summary.status == "cancelled", stderr
    assert 0 < summary.total_rows < 200_000
    assert get_run(db, summary.run_id).status == "cancelled"


def test_options_json_carries_a_dry_run_and_a_mapping(db, db_url, tmp_path):
    path = tmp_path / "sheet.csv"
    write_people(path, 50, header="Full Name,Sex,Years,Nation")
    options = ImportOptions(dry_run=True, columns={"name": "Full Name", "gender": "Sex", "age": "Years",
                                                   "country_id": "Nation"})
    proc = start(path, options, db_url, tmp_path / "home")
    items, stderr = read_all(proc)
    summary = items[-1][1]
    assert isinstance(summary, ImportSummary), stderr
    assert (summary.total_rows, summary.inserted, summary.skipped) == (50, 45, 5)
    assert list_runs(db) == []  # a dry run writes no run


def test_bad_options_json_is_one_line(db_url, tmp_path):
    path = tmp_path / "people.csv"
    write_people(path, 5)
    cmd = [*import_command(path, ImportOptions())[:-1], '{"colour": "red"}']
    done = subprocess.run(cmd, capture_output=True, env=child_environment(db_url, tmp_path / "home"), timeout=60)
    assert done.returncode == 2
    assert done.stderr.decode().strip() == "insighta: --options-json: unknown import options: colour"
    assert sys.executable  # the child ran under this interpreter (import_command's default)
