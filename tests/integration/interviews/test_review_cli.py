"""`insighta interviews highlight | highlights | compare` and `show --json`'s talk_time, on a database file."""
from __future__ import annotations

import json

import pytest

from insighta_desktop.cli import main
from insighta_desktop.db.engine import create_engine_for
from insighta_desktop.db.migrations import ensure_schema
from tests.integration.interviews.seed import seed_interview
from tests.integration.interviews.test_compare import GEMINI_STYLE, store_assessment


@pytest.fixture
def cli_db(tmp_path, monkeypatch):
    url = f"sqlite:///{(tmp_path / 'review.db').as_posix()}"
    engine = create_engine_for(url)
    ensure_schema(engine)
    ids = [seed_interview(engine, candidate=name) for name in ("Amara Diallo", "Paul Sidibé")]
    store_assessment(engine, ids[0], GEMINI_STYLE)
    analyst = seed_interview(engine, candidate="Kwame Asante", role="Data Analyst")
    engine.dispose()
    monkeypatch.setenv("INSIGHTA_HOME", str(tmp_path / "home"))
    for name in ("GEMINI_API_KEY", "GOOGLE_API_KEY", "RESEND_API_KEY", "INSIGHTA_DATABASE_URL"):
        monkeypatch.delenv(name, raising=False)
    return url, ids, analyst


def run(capsys, *argv):
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_highlight_list_and_delete(cli_db, capsys):
    url, (amara, _), _ = cli_db
    code, out, _ = run(capsys, "interviews", "highlight", amara[:8], "--turn", "T3", "--to", "4",
                       "--note", "Indexes", "--json", "--db", url)
    made = json.loads(out)
    assert code == 0 and made["range"] == "T3–T4" and made["note"] == "Indexes" and made["turns"] == ["T3", "T4"]
    code, out, _ = run(capsys, "interviews", "highlight", amara, "--turn", "T6", "--db", url)
    assert code == 0 and out.startswith("Highlighted T6 (Candidate)")

    code, out, _ = run(capsys, "interviews", "highlights", amara, "--json", "--db", url)
    listed = json.loads(out)
    assert code == 0 and [h["range"] for h in listed] == ["T3–T4", "T6"]
    assert listed[0]["id"] == made["id"] and listed[0]["text"].startswith("How do you choose indexes")
    code, out, _ = run(capsys, "interviews", "highlights", amara, "--db", url)
    assert code == 0 and "T3–T4" in out and "note: Indexes" in out

    code, out, err = run(capsys, "interviews", "highlights", amara, "--delete", made["id"][:8], "--json",
                         "--db", url)
    assert code == 0 and [h["range"] for h in json.loads(out)] == ["T6"] and "Deleted highlight" in err
    code, out, _ = run(capsys, "interviews", "transcript", amara, "--format", "vtt", "--db", url)
    assert "NOTE Highlight T6 at 01:01:40 (Candidate)" in out and "T3–T4" not in out


def test_bad_highlights_are_one_line_errors(cli_db, capsys):
    url, (amara, _), _ = cli_db
    code, out, err = run(capsys, "interviews", "highlight", amara, "--turn", "T42", "--db", url)
    assert code == 2 and out == "" and err == "insighta: No turn 'T42' in this interview (turns T1–T7)\n"
    code, _, err = run(capsys, "interviews", "highlights", amara, "--delete", "nope", "--db", url)
    assert code == 2 and err == "insighta: no highlight of this interview matches 'nope'\n"
    code, _, err = run(capsys, "interviews", "highlight", "zzzz", "--turn", "T1", "--db", url)
    assert code == 2 and "no interview matches 'zzzz'" in err


def test_compare_json_and_text(cli_db, capsys):
    url, (amara, paul), analyst = cli_db
    run(capsys, "interviews", "highlight", paul, "--turn", "T4", "--note", "Strong on plans", "--db", url)
    code, out, _ = run(capsys, "interviews", "compare", amara[:8], paul[:8], "--json", "--db", url)
    data = json.loads(out)
    assert code == 0 and data["role"] == "Backend Engineer"
    assert data["skills"] == ["Python", "Databases", "Communication"]
    first, second = data["interviews"]
    assert first["recommendation"] == "advance" and second["recommendation"] == "not assessed"
    assert first["scores"][1]["turn"] == "T4" and first["scores"][1]["quote"].startswith("I read the EXPLAIN")
    assert second["recruiter_highlights"][0]["note"] == "Strong on plans"
    assert {s["label"] for s in first["talk_time"]["speakers"]} == {"Interviewer", "Candidate", "Hiring manager"}

    code, out, _ = run(capsys, "interviews", "compare", amara, paul, "--db", url)
    assert code == 0 and "Paul Sidibé" in out and "Databases: 5/5 [T4 00:00:55] “I read the EXPLAIN" in out
    assert "Python: not assessed" in out and "talk-time: Interviewer" in out

    code, out, err = run(capsys, "interviews", "compare", amara, analyst, "--json", "--db", url)
    assert code == 2 and out == "" and err.startswith("insighta: These interviews are for different roles")
    assert err.count("\n") == 1
    code, _, err = run(capsys, "interviews", "compare", amara, "--db", url)
    assert code == 2 and err == "insighta: Choose 2 to 4 interviews to compare (1 was chosen)\n"


def test_show_json_has_the_talk_time(cli_db, capsys):
    url, (amara, _), _ = cli_db
    code, out, _ = run(capsys, "interviews", "show", amara, "--json", "--db", url)
    talk = json.loads(out)["talk_time"]
    assert code == 0 and talk["total_words"] > 0
    assert [s["label"] for s in talk["speakers"]] == ["Interviewer", "Candidate", "Hiring manager"]
    interviewer, candidate, _ = talk["speakers"]
    assert (interviewer["questions"], candidate["questions"]) == (3, 0)
    longest = talk["longest_monologue"]  # T4 at 55 s, then nothing until T5 at 3661 s
    assert (longest["label"], longest["sequence_no"], longest["seconds"]) == ("Candidate", 4, 3606)
    assert "150 words per minute" in talk["last_turn_duration"]
    code, out, _ = run(capsys, "interviews", "show", amara, "--db", url)
    assert "Talk-time: Interviewer" in out
