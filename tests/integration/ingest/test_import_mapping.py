"""Column mapping on both back ends: automatic for spreadsheet headers, --map / --mapping, refusals before any row is
written, the mapping kept with the run (and reused on resume) and per header row (and offered for the next file)."""
from __future__ import annotations

import json

import pytest
import sqlalchemy as sa
from ingest_files import profile_count, write_csv

from insighta_desktop.cli import main as cli_main
from insighta_desktop.db.schema import import_mappings, import_runs, profiles
from insighta_desktop.ingest.errors import ImportRefused
from insighta_desktop.ingest.pipeline import CancelToken, Importer, ImportOptions
from insighta_desktop.ingest.run_start import saved_mapping
from insighta_desktop.ingest.runs import get_run

SHEET = ["Full Name", "Sex", "Years", "Nation", "Score"]


def sheet_rows(n, start=0):
    return [[f"Person {i}", "female" if i % 2 else "male", str(20 + i % 50), "NG" if i % 3 else "GH", str(i)]
            for i in range(start, start + n)]


def run(engine, path, tmp_path, **options):
    options.setdefault("rejects_path", tmp_path / f"{path.stem}.rejects.csv")
    return Importer(engine).run(path, ImportOptions(**options))


def test_spreadsheet_headers_import_with_the_automatic_mapping(db, tmp_path):
    path = write_csv(tmp_path / "sheet.csv", sheet_rows(20), SHEET, delimiter=";")
    summary = run(db, path, tmp_path)
    assert (summary.status, summary.inserted, summary.skipped) == ("success", 20, 0)
    assert summary.mapping["name"] == "Full Name" and summary.mapping["country_id"] == "Nation"
    assert summary.extra_columns == ["Score"]
    stored = json.loads(get_run(db, summary.run_id).mapping_json)
    assert stored == summary.mapping
    assert get_run(db, summary.run_id).on_duplicate == "skip"
    with db.connect() as conn:
        ages = dict(conn.execute(sa.select(profiles.c.name, profiles.c.age)).all())
    assert ages["Person 3"] == 23
    # The automatic mapping is not saved: nothing to offer beyond what matching finds anyway.
    with db.connect() as conn:
        assert conn.execute(sa.select(sa.func.count()).select_from(import_mappings)).scalar_one() == 0


def test_chosen_mapping_is_used_saved_and_offered_for_the_same_headers(db, tmp_path):
    headers = ["Full Name", "Sex", "Years", "Nation", "Alias"]
    rows = [[f"Person {i}", "male", "30", "GH", f"Nick {i}"] for i in range(5)]
    first = write_csv(tmp_path / "first.csv", rows, headers)
    summary = run(db, first, tmp_path, columns={"name": "alias"})
    assert summary.inserted == 5 and summary.mapping["name"] == "Alias"
    with db.connect() as conn:
        assert set(conn.execute(sa.select(profiles.c.name)).scalars()) == {f"Nick {i}" for i in range(5)}
    assert saved_mapping(db, [" full name", "SEX", "years", "nation", "alias"])["name"] == "Alias"
    second = write_csv(tmp_path / "second.csv", [[f"Other {i}", "male", "30", "GH", f"Pet {i}"] for i in range(3)],
                       headers)
    again = run(db, second, tmp_path)
    assert again.mapping["name"] == "Alias" and again.inserted == 3


def test_unmappable_required_field_refuses_before_anything_is_written(db, tmp_path):
    path = write_csv(tmp_path / "noage.csv", [["Ann", "f", "NG"]], ["Full Name", "Sex", "Nation"])
    with pytest.raises(ImportRefused) as caught:
        run(db, path, tmp_path)
    assert caught.value.code == "missing_columns"
    assert "age" in caught.value.message and "'Full Name', 'Sex', 'Nation'" in caught.value.message
    with pytest.raises(ImportRefused) as caught:
        run(db, write_csv(tmp_path / "sheet.csv", sheet_rows(3), SHEET), tmp_path, columns={"age": "Height"})
    assert caught.value.code == "bad_mapping" and "'Height'" in caught.value.message
    with db.connect() as conn:
        assert conn.execute(sa.select(sa.func.count()).select_from(import_runs)).scalar_one() == 0
    assert profile_count(db) == 0


def test_resume_reads_the_file_with_the_runs_mapping(db, tmp_path):
    headers = ["Full Name", "Sex", "Years", "Nation", "Alias"]
    rows = [[f"Person {i}", "male", "30", "GH", f"Nick {i}"] for i in range(500)]
    path = write_csv(tmp_path / "resume.csv", rows, headers)
    cancel = CancelToken()
    first = Importer(db).run(path, ImportOptions(batch_size=50, columns={"name": "Alias"}, progress_interval=0,
                                                 rejects_path=tmp_path / "r.csv"),
                             on_progress=lambda p: cancel.cancel() if p.total_rows >= 100 else None, cancel=cancel)
    assert first.status == "cancelled"
    # A resume with no --map (and a saved mapping forgotten meanwhile) still reads names from Alias.
    with db.begin() as conn:
        conn.execute(sa.delete(import_mappings))
    resumed = Importer(db).run(path, ImportOptions(batch_size=50, resume=True, rejects_path=tmp_path / "r.csv"))
    assert resumed.status == "success" and resumed.run_id == first.run_id
    assert resumed.inserted == 500 and resumed.resume_note.startswith(f"resuming run {first.run_id} at line")
    with db.connect() as conn:
        assert conn.execute(sa.select(sa.func.count()).select_from(profiles)
                            .where(profiles.c.name.like("Nick %"))).scalar_one() == 500


def test_cli_map_and_mapping_file(db_url, isolated_home, tmp_path, capsys):
    path = write_csv(tmp_path / "cli.csv", [[f"P {i}", "male", "30", "GH", f"N {i}"] for i in range(4)],
                     ["Full Name", "Sex", "Years", "Nation", "Alias"])
    assert cli_main(["--db", db_url, "db", "init"]) == 0
    capsys.readouterr()
    code = cli_main(["--db", db_url, "import", str(path), "--map", "NAME=alias", "--json"])
    out = capsys.readouterr()
    assert code == 0, out.err
    assert json.loads(out.out.splitlines()[-1])["mapping"]["name"] == "Alias"

    code = cli_main(["--db", db_url, "import", str(path), "--map", "height=Years"])
    err = capsys.readouterr().err
    assert code != 0 and len(err.strip().splitlines()) == 1 and "'height'" in err and "country_id" in err
    assert "'Full Name', 'Sex', 'Years', 'Nation', 'Alias'" in err
    code = cli_main(["--db", db_url, "import", str(path), "--map", "age=Yrs"])
    err = capsys.readouterr().err
    assert code != 0 and "'Yrs'" in err and "'Full Name', 'Sex', 'Years', 'Nation', 'Alias'" in err

    mapping = tmp_path / "mapping.json"
    mapping.write_text(json.dumps({"name": "Full Name", "age": "Years", "country": "Nation"}))
    other = write_csv(tmp_path / "other.csv", [[f"Q {i}", "female", "40", "NG", "x"] for i in range(3)],
                      ["Full Name", "Sex", "Years", "Nation", "Alias"])
    code = cli_main(["--db", db_url, "import", str(other), "--mapping", str(mapping), "--json"])
    out = capsys.readouterr()
    assert code == 0, out.err
    summary = json.loads(out.out.splitlines()[-1])
    assert summary["mapping"]["name"] == "Full Name" and summary["inserted"] == 3

    refused = write_csv(tmp_path / "refused.csv", [["A", "f", "NG"]], ["Full Name", "Sex", "Nation"])
    code = cli_main(["--db", db_url, "import", str(refused)])
    err = capsys.readouterr().err
    assert code != 0 and "age has no column" in err and "'Full Name', 'Sex', 'Nation'" in err
