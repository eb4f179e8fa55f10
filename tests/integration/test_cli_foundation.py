"""`insighta db …` and `insighta demo-data …` on both back ends."""
from __future__ import annotations

import csv
import json

import pytest

from insighta_desktop.cli import main
from insighta_desktop.db.engine import create_engine_for
from insighta_desktop.db.migrations import table_counts
from insighta_desktop.db.schema import SCHEMA_VERSION

pytestmark = pytest.mark.usefixtures("isolated_home")  # tests/integration/conftest.py


def test_db_init_status_and_demo_load(db_url, capsys):
    assert main(["--db", db_url, "db", "init"]) == 0
    assert main(["--db", db_url, "demo-data", "load", "--profiles", "300", "--interviews", "6"]) == 0
    assert "Loaded 300 profiles and 6 interviews" in capsys.readouterr().out
    assert main(["db", "status", "--json", "--db", db_url]) == 0
    status = json.loads(capsys.readouterr().out)
    assert status["schema_version"] == SCHEMA_VERSION
    assert status["rows"]["profiles"] == 300 and status["rows"]["interviews"] == 6
    # Loading again adds nothing: names are unique and interviews keep their ids.
    assert main(["--db", db_url, "demo-data", "load", "--profiles", "300", "--interviews", "6"]) == 0
    engine = create_engine_for(db_url)
    assert table_counts(engine)["profiles"] == 300
    engine.dispose()


def test_env_var_chooses_the_database(db_url, monkeypatch, capsys):
    monkeypatch.setenv("INSIGHTA_DATABASE_URL", db_url)
    assert main(["db", "status", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["backend"] in ("sqlite", "postgresql")


def test_default_is_the_embedded_database(tmp_path, capsys):
    assert main(["db", "status", "--json"]) == 0
    status = json.loads(capsys.readouterr().out)
    assert status["backend"] == "sqlite"
    assert str(tmp_path / "home" / "data") in status["database"]


def test_unreachable_database_is_a_clear_error_without_the_password(capsys):
    assert main(["--db", "postgresql://bob:topsecret@127.0.0.1:1/x", "db", "status"]) == 2
    err = capsys.readouterr().err
    assert "topsecret" not in err
    assert "cannot open postgresql://bob:***@127.0.0.1:1/x" in err


def test_demo_profiles_csv_is_deterministic_and_dirty_on_request(tmp_path):
    clean_a, clean_b, dirty = tmp_path / "a.csv", tmp_path / "b.csv", tmp_path / "d.csv"
    assert main(["demo-data", "profiles", "--rows", "2000", "--out", str(clean_a), "--seed", "7"]) == 0
    assert main(["demo-data", "profiles", "--rows", "2000", "--out", str(clean_b), "--seed", "7"]) == 0
    assert clean_a.read_bytes() == clean_b.read_bytes()
    rows = list(csv.reader(clean_a.open(encoding="utf-8")))
    assert rows[0] == ["name", "gender", "age", "country_id", "gender_probability", "country_probability"]
    assert len(rows) == 2001
    assert len({r[0].casefold() for r in rows[1:]}) == 2000
    assert main(["demo-data", "profiles", "--rows", "2000", "--out", str(dirty), "--seed", "7", "--dirty"]) == 0
    dirty_rows = list(csv.reader(dirty.open(encoding="utf-8")))[1:]
    ragged = sum(len(r) != 6 for r in dirty_rows)
    repeated = len(dirty_rows) - len({" ".join(r[0].split()).casefold() for r in dirty_rows})
    assert 0 < ragged < 100 and 10 < repeated < 150


def test_a_command_group_that_cannot_load_fails_alone_in_one_line(sqlite_url, monkeypatch, capsys):
    import sys

    monkeypatch.setitem(sys.modules, "insighta_desktop.cli.packs", None)  # its import now fails
    assert main(["pack", "info", "some.insighta-pack", "--json"]) == 1
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "Traceback" not in err
    assert err.startswith("insighta: the 'pack' commands are unavailable in this installation (ModuleNotFoundError")
    assert main(["--db", sqlite_url, "db", "status", "--json"]) == 0  # every other command still works
    assert json.loads(capsys.readouterr().out)["backend"] == "sqlite"
    with pytest.raises(SystemExit):
        main(["--help"])
    assert "unavailable: ModuleNotFoundError" in capsys.readouterr().out


def test_import_batch_size_comes_from_the_settings_unless_given(sqlite_url, tmp_path, capsys):
    from insighta_desktop.ingest.runs import list_runs

    config = tmp_path / "home" / "config"
    config.mkdir(parents=True)
    (config / "settings.json").write_text(json.dumps({"import_batch_size": 40}), encoding="utf-8")
    for name, extra in (("a.csv", []), ("b.csv", ["--batch-size", "25"])):
        path = tmp_path / name
        rows = [f"{name} person {i},female,30,NG" for i in range(100)]
        path.write_text("name,gender,age,country_id\n" + "\n".join(rows) + "\n", encoding="utf-8")
        assert main(["--db", sqlite_url, "import", str(path), *extra]) == 0
    engine = create_engine_for(sqlite_url)
    try:
        sizes = {run.file_name.rsplit("/", 1)[-1]: run.batch_size for run in list_runs(engine)}
    finally:
        engine.dispose()
    assert sizes == {"a.csv": 40, "b.csv": 25}
