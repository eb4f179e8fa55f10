"""--on-duplicate update (values replaced, id and created_at kept, profile_counts exact) and --dry-run (exactly the
summary an import gives, writing nothing), on both back ends."""
from __future__ import annotations

import json

import pytest
import sqlalchemy as sa
from ingest_files import planned_file, profile_count, rejects_of, write_csv

from insighta_desktop.cli import main as cli_main
from insighta_desktop.db.schema import import_runs, profile_counts, profiles
from insighta_desktop.ingest.pipeline import CancelToken, Importer, ImportOptions

HEADER = ["name", "gender", "age", "country_id", "gender_probability", "country_probability"]
# Fields that say nothing about the run or the session; everything else must be the same.
SESSION_FIELDS = {"run_id", "rejects_path", "duration_s", "rows_per_s", "dry_run", "run_status", "session_rows",
                  "session_inserted", "resume_note"}


def run(engine, path, tmp_path, **options):
    options.setdefault("rejects_path", tmp_path / f"{path.stem}.rejects.csv")
    return Importer(engine).run(path, ImportOptions(**options))


def stored(engine):
    with engine.connect() as conn:
        return {row.name_key: row for row in conn.execute(sa.select(profiles))}


def counts_are_exact(engine):
    with engine.connect() as conn:
        kept = set(conn.execute(sa.select(profile_counts.c.country_id, profile_counts.c.gender, profile_counts.c.age,
                                          profile_counts.c.n)).all())
        recount = set(conn.execute(sa.select(profiles.c.country_id, profiles.c.gender, profiles.c.age,
                                             sa.func.count()).group_by(profiles.c.country_id, profiles.c.gender,
                                                                        profiles.c.age)).all())
    return kept == recount


def seed(engine, tmp_path):
    rows = [[f"Person {i}", "female", "30", "NG", "0.9", ""] for i in range(40)]
    summary = run(engine, write_csv(tmp_path / "seed.csv", rows), tmp_path)
    assert summary.inserted == 40
    return stored(engine)


def update_file(tmp_path):
    rows = []
    for i in range(0, 20):  # stored names: 0-9 changed (age, country, gender), 10-19 as stored
        rows.append([f"person {i}", "male", "41", "GH", "0.5", "0.7"] if i < 10 else
                    [f"Person {i}", "female", "30", "NG", "0.9", ""])
    rows.append(["Person 3", "female", "50", "KE", "", ""])  # repeats line 5 of this file: a duplicate
    rows += [[f"New {i}", "female", "22", "KE", "", ""] for i in range(5)]
    rows.append(["New 0", "male", "60", "GH", "", ""])  # repeats a new name of this file
    rows.append(["Bad", "robot", "3", "GH", "", ""])
    rows.append(["Person 15", "male", "70", "GH", "", ""])  # repeats line 17, a name found unchanged there
    return write_csv(tmp_path / "update.csv", rows)


def test_update_replaces_values_keeps_id_and_created_at_and_counts(db, tmp_path):
    before = seed(db, tmp_path)
    summary = run(db, update_file(tmp_path), tmp_path, on_duplicate="update", batch_size=7)
    assert summary.status == "success"
    assert (summary.total_rows, summary.inserted, summary.updated, summary.unchanged, summary.skipped) == (
        29, 5, 10, 10, 4)
    assert {k: v for k, v in summary.reasons.items() if v} == {"duplicate_name": 3, "invalid_gender": 1}
    assert ("repeats line 17" in [detail for _line, reason, detail, _raw in rejects_of(db, summary.run_id)
                                  if reason == "duplicate_name"])
    after = stored(db)
    changed = after["person 3"]
    assert (changed.name, changed.gender, changed.age, changed.age_group, changed.country_id,
            changed.country_probability) == ("person 3", "male", 41, "adult", "GH", 0.7)
    assert changed.id == before["person 3"].id and changed.created_at == before["person 3"].created_at
    assert after["person 15"].id == before["person 15"].id and after["person 15"].age == 30
    assert len(after) == 45
    assert counts_are_exact(db)
    run_row = get_run_row(db, summary.run_id)
    assert (run_row.updated, run_row.unchanged, run_row.on_duplicate) == (10, 10, "update")
    # Again: everything is now as stored.
    again = run(db, update_file(tmp_path), tmp_path, on_duplicate="update")
    assert (again.inserted, again.updated, again.unchanged) == (0, 0, 25)
    assert counts_are_exact(db)


def test_update_resumed_after_a_stop_gives_the_same_counts(db, tmp_path):
    seed(db, tmp_path)
    path = update_file(tmp_path)
    cancel = CancelToken()
    first = Importer(db).run(path, ImportOptions(on_duplicate="update", batch_size=7, progress_interval=0,
                                                 rejects_path=tmp_path / "u.rejects.csv"),
                             on_progress=lambda p: cancel.cancel() if p.total_rows >= 21 else None, cancel=cancel)
    assert first.status == "cancelled" and 21 <= first.total_rows < 29  # the repeat of an unchanged name after it
    resumed = run(db, path, tmp_path, resume=True, batch_size=7, rejects_path=tmp_path / "u.rejects.csv")
    assert resumed.on_duplicate == "update" and resumed.run_id == first.run_id
    assert (resumed.total_rows, resumed.inserted, resumed.updated, resumed.unchanged, resumed.skipped) == (
        29, 5, 10, 10, 4)
    assert counts_are_exact(db)


def get_run_row(engine, run_id):
    with engine.connect() as conn:
        return conn.execute(sa.select(import_runs).where(import_runs.c.id == run_id)).one()


def test_skip_mode_reports_no_updates(db, tmp_path):
    seed(db, tmp_path)
    summary = run(db, update_file(tmp_path), tmp_path)
    assert (summary.inserted, summary.updated, summary.unchanged) == (5, 0, 0)
    assert summary.reasons["duplicate_name"] == 23
    assert stored(db)["person 3"].age == 30


@pytest.mark.parametrize("on_duplicate", ["skip", "update"])
def test_dry_run_gives_the_import_summary_and_writes_nothing(db, tmp_path, on_duplicate):
    seed(db, tmp_path)
    plan = planned_file(700)
    plan.rows += [["Person 7", "male", "44", "GH", "", ""], ["Person 8", "female", "30", "NG", "0.9", ""]]
    path = write_csv(tmp_path / "check.csv", plan.rows)
    rejects = tmp_path / "check.rejects.csv"
    with db.connect() as conn:
        runs_before = conn.execute(sa.select(sa.func.count()).select_from(import_runs)).scalar_one()
    version_before = stored(db)
    checked = run(db, path, tmp_path, dry_run=True, on_duplicate=on_duplicate, batch_size=64, rejects_path=rejects)
    assert checked.dry_run and checked.run_id is None
    assert stored(db) == version_before and not rejects.exists()
    with db.connect() as conn:
        assert conn.execute(sa.select(sa.func.count()).select_from(import_runs)).scalar_one() == runs_before
    real = run(db, path, tmp_path, on_duplicate=on_duplicate, batch_size=64, rejects_path=rejects)
    assert checked.reasons["duplicate_name"] > 0
    drop = SESSION_FIELDS
    assert ({k: v for k, v in checked.to_dict().items() if k not in drop}
            == {k: v for k, v in real.to_dict().items() if k not in drop})
    assert profile_count(db) == 40 + real.inserted


def test_cli_dry_run_and_update(db_url, isolated_home, tmp_path, capsys):
    assert cli_main(["--db", db_url, "db", "init"]) == 0
    path = write_csv(tmp_path / "cli.csv", [["Ann Lee", "female", "30", "NG", "", ""]])
    assert cli_main(["--db", db_url, "import", str(path)]) == 0
    changed = write_csv(tmp_path / "cli2.csv", [["Ann Lee", "female", "31", "NG", "", ""],
                                                 ["Bo Ray", "male", "20", "GH", "", ""]])
    capsys.readouterr()
    assert cli_main(["--db", db_url, "import", str(changed), "--on-duplicate", "update", "--dry-run",
                     "--json"]) == 0
    out = capsys.readouterr()
    checked = json.loads(out.out.splitlines()[-1])
    assert (checked["inserted"], checked["updated"], checked["unchanged"], checked["dry_run"]) == (1, 1, 0, True)
    assert "dry run: nothing was written" in out.err
    assert cli_main(["--db", db_url, "import", str(changed), "--on-duplicate", "update", "--json"]) == 0
    done = json.loads(capsys.readouterr().out.splitlines()[-1])
    assert (done["inserted"], done["updated"], done["unchanged"]) == (1, 1, 0)
    assert cli_main(["--db", db_url, "import", str(changed), "--dry-run", "--resume"]) != 0
    assert "--dry-run" in capsys.readouterr().err
