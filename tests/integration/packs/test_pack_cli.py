"""`insighta pack export | info` against a real database on both back ends."""
from __future__ import annotations

from insighta_desktop.cli import main as cli_main
from insighta_desktop.interviews import repository
from insighta_desktop.packs import open_pack
from tests.integration.packs.packdata import PASSPHRASE, fill_source


def passphrase_file(tmp_path, text=PASSPHRASE):
    path = tmp_path / "passphrase.txt"
    path.write_text(text + "\n", encoding="utf-8")
    return str(path)


def test_cli_exports_chosen_interviews_and_info_lists_them(db, db_url, tmp_path, capsys, monkeypatch):
    monkeypatch.setenv("INSIGHTA_HOME", str(tmp_path / "home"))
    ids = fill_source(db)
    chosen = ids[1:4]
    out = tmp_path / "out" / "week-47"
    assert cli_main(["pack", "export", "--db", db_url, "--interviews", *chosen, "--out", str(out),
                     "--passphrase-file", passphrase_file(tmp_path)]) == 0
    written = out.with_suffix(".insighta-pack")
    assert f"Wrote {written}" in capsys.readouterr().out
    pack = open_pack(written, PASSPHRASE)
    try:
        assert pack.interview_ids == chosen
        assert pack.manifest.source_backend == db.dialect.name
    finally:
        pack.close()
    assert cli_main(["pack", "info", str(written)]) == 0  # without the passphrase: no names, no transcripts
    out_text = capsys.readouterr().out
    assert "Contents: 3 interviews" in out_text and "add --passphrase-file F to list the interviews" in out_text
    names = [repository.get_interview(db, i).summary.candidate_name for i in chosen]
    assert not [name for name in names if name in out_text]
    assert cli_main(["pack", "info", str(written), "--passphrase-file", passphrase_file(tmp_path)]) == 0
    out_text = capsys.readouterr().out
    for interview_id, name in zip(chosen, names):
        assert f"{interview_id}  {name}" in out_text


def test_cli_export_names_what_is_wrong(db, db_url, tmp_path, capsys, monkeypatch):
    monkeypatch.setenv("INSIGHTA_HOME", str(tmp_path / "home"))
    fill_source(db)
    secret = passphrase_file(tmp_path)
    out = str(tmp_path / "x.insighta-pack")
    assert cli_main(["pack", "export", "--db", db_url, "--interviews", "nope", "--out", out,
                     "--passphrase-file", secret]) == 2
    assert "No interview with id nope" in capsys.readouterr().err
    assert cli_main(["pack", "export", "--db", db_url, "--out", out, "--passphrase-file", secret]) == 2
    assert "name at least one interview" in capsys.readouterr().err
    assert not (tmp_path / "x.insighta-pack").exists()


def test_cli_packs_a_search_result_as_the_search_service_returns_it(db, db_url, tmp_path, capsys, monkeypatch):
    from insighta_desktop.profiles.filters import PageRequest
    from insighta_desktop.profiles.search import ProfileSearch

    monkeypatch.setenv("INSIGHTA_HOME", str(tmp_path / "home"))
    ids = fill_source(db)
    query = "women"
    expected = ProfileSearch(db).search_text(query, PageRequest(limit=1000))
    assert expected.rows  # the demo set has women, so the comparison below is not empty against empty
    out = tmp_path / "search.insighta-pack"
    secret = passphrase_file(tmp_path)
    assert cli_main(["pack", "export", "--db", db_url, "--interviews", ids[0], "--search", query,
                     "--out", str(out), "--passphrase-file", secret]) == 0
    assert f'{len(expected.rows)} profiles for "women"' in capsys.readouterr().out
    pack = open_pack(out, PASSPHRASE)
    try:
        from insighta_desktop.profiles.browse import browse_profiles

        packed = browse_profiles(pack.engine, limit=5000).rows
        assert sorted(p.id for p in packed) == sorted(p.id for p in expected.rows)
        assert {p.gender for p in packed} == {"female"}
        assert pack.manifest.search.query == query and pack.manifest.search.total_matches == expected.total
        assert pack.manifest.search.filters["gender"] == "female"
    finally:
        pack.close()
    assert cli_main(["pack", "export", "--db", db_url, "--search", "zzz qqq", "--out", str(out),
                     "--passphrase-file", secret]) == 2
    assert "cannot be packed" in capsys.readouterr().err


def test_snapshot_keeps_at_most_the_limit_in_search_order(db, tmp_path):
    from insighta_desktop.packs import snapshot_search
    from insighta_desktop.profiles.filters import PageRequest
    from insighta_desktop.profiles.search import ProfileSearch

    fill_source(db)
    full = ProfileSearch(db).search_text("adults", PageRequest(limit=1000))
    assert len(full.rows) > 7
    snapshot = snapshot_search(db, "adults", limit=7)
    assert [p.id for p in snapshot.profiles] == [p.id for p in full.rows[:7]]
    assert snapshot.total_matches == full.total
