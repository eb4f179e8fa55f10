"""`insighta pack export | info` against a real database on both back ends."""
from __future__ import annotations

from insighta_desktop.cli import main as cli_main
from insighta_desktop.interviews import repository
from insighta_desktop.packs import open_pack
from tests.integration.packs.packdata import fill_source


def test_cli_exports_chosen_interviews_and_info_lists_them(db, db_url, tmp_path, capsys, monkeypatch):
    monkeypatch.setenv("INSIGHTA_HOME", str(tmp_path / "home"))
    ids = fill_source(db)
    chosen = ids[1:4]
    out = tmp_path / "out" / "week-47"
    assert cli_main(["pack", "export", "--db", db_url, "--interviews", *chosen, "--out", str(out)]) == 0
    written = out.with_suffix(".insighta-pack")
    assert f"Wrote {written}" in capsys.readouterr().out
    pack = open_pack(written)
    try:
        assert pack.interview_ids == chosen
        assert pack.manifest.source_backend == db.dialect.name
    finally:
        pack.close()
    assert cli_main(["pack", "info", str(written)]) == 0
    out_text = capsys.readouterr().out
    for interview_id in chosen:
        name = repository.get_interview(db, interview_id).summary.candidate_name
        assert f"{interview_id}  {name}" in out_text


def test_cli_export_names_what_is_wrong(db, db_url, tmp_path, capsys, monkeypatch):
    monkeypatch.setenv("INSIGHTA_HOME", str(tmp_path / "home"))
    fill_source(db)
    assert cli_main(["pack", "export", "--db", db_url, "--interviews", "nope", "--out",
                     str(tmp_path / "x.insighta-pack")]) == 2
    assert "No interview with id nope" in capsys.readouterr().err
    assert cli_main(["pack", "export", "--db", db_url, "--out", str(tmp_path / "x.insighta-pack")]) == 2
    assert "name at least one interview" in capsys.readouterr().err
    assert not (tmp_path / "x.insighta-pack").exists()
