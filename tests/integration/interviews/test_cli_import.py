"""`insighta interviews import FILE...` end to end, on a database file and on PostgreSQL."""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from insighta_desktop.cli import main

DATA = Path(__file__).resolve().parents[2] / "data" / "interviews"


@pytest.fixture
def cli_home(tmp_path, monkeypatch):
    monkeypatch.setenv("INSIGHTA_HOME", str(tmp_path / "home"))
    for name in ("INSIGHTA_DATABASE_URL", "GEMINI_API_KEY", "GOOGLE_API_KEY"):
        monkeypatch.delenv(name, raising=False)


def run(capsys, *argv):
    code = main([str(a) for a in argv])
    out, err = capsys.readouterr()
    return code, out, err


def test_json_report_then_reimport_is_skipped(cli_home, db_url, capsys):
    code, out, err = run(capsys, "interviews", "import", DATA / "zoom.vtt", DATA / "meetmind-session.json",
                         "--candidate", "Ngozi Okafor", "--role", "Backend Engineer", "--json", "--db", db_url)
    assert code == 0, err
    report = json.loads(out)
    assert report["skipped"] == []
    zoom, session = report["imported"]
    assert {k: zoom[k] for k in ("candidate_name", "turns", "source_format", "duration_s")} == {
        "candidate_name": "Ngozi Okafor", "turns": 10, "source_format": "webvtt", "duration_s": 97.46}
    assert zoom["speakers"] == [{"name": "Ngozi Okafor", "role": "candidate"},
                                {"name": "Daniel Reyes", "role": "interviewer"}]
    assert len(zoom["id"]) == 36 and zoom["role"] == "Backend Engineer"
    # --candidate names the candidate of every file: the session's own candidate speaker takes that name
    assert session["candidate_name"] == "Ngozi Okafor" and session["source_format"] == "meetmind-json"
    assert session["speakers"] == [{"name": "Ngozi Okafor", "role": "candidate"},
                                   {"name": "Meet Mind", "role": "interviewer"}]

    code, out, err = run(capsys, "interviews", "import", DATA / "zoom.vtt", "--json", "--db", db_url)
    assert code == 0
    again = json.loads(out)
    assert again["imported"] == [] and again["skipped"][0]["reason"] == "already_imported"
    assert again["skipped"][0]["id"] == zoom["id"] and "nothing changed" in again["skipped"][0]["message"]

    code, out, _ = run(capsys, "interviews", "transcript", zoom["id"][:8], "--db", db_url)
    assert code == 0 and "[00:00:00] Daniel Reyes: Hi Ngozi" in out and "[00:00:09] Ngozi Okafor: Sure." in out
    code, out, _ = run(capsys, "interviews", "list", "--json", "--db", db_url)
    assert {i["candidate_name"] for i in json.loads(out)} == {"Ngozi Okafor"}  # two interviews, both "Ngozi"


def test_text_output_refusals_and_exit_status(cli_home, sqlite_url, capsys):
    code, out, err = run(capsys, "interviews", "import", DATA / "otter.txt", DATA / "screenshot.png",
                         DATA / "interview.srt", "--candidate-speaker", "Amara Diallo", "--date", "2026-02-20",
                         "--db", sqlite_url)
    assert code == 1
    assert out.startswith("Imported otter.txt: Amara Diallo — Unspecified, 5 turns, 2 speakers, 00:01:02 (id ")
    lines = err.strip().splitlines()
    assert lines[0] == "insighta: screenshot.png cannot be imported: it is a binary file, not text"
    assert lines[1].startswith("insighta: interview.srt cannot be imported: no speaker is called “Amara Diallo”")
    code, out, _ = run(capsys, "interviews", "list", "--db", sqlite_url)
    assert "2026-02-20  Amara Diallo" in out

    code, out, err = run(capsys, "interviews", "import", DATA / "otter.txt", "--db", sqlite_url)
    assert code == 0 and out.startswith("Skipped otter.txt: already imported on ")


def test_bad_arguments_get_one_line(cli_home, sqlite_url, capsys):
    with pytest.raises(SystemExit) as exit_:
        main(["interviews", "import", str(DATA / "zoom.vtt"), "--date", "20th May", "--db", sqlite_url])
    assert exit_.value.code == 2
    assert "'20th May' is not a date: use YYYY-MM-DD" in capsys.readouterr().err
    code, _, err = run(capsys, "interviews", "import", DATA / "nope.vtt", "--db", sqlite_url)
    assert code == 1 and err.strip() == "insighta: nope.vtt cannot be imported: it does not exist"
