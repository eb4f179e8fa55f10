"""`insighta interviews search` and `ask-all` end to end on both back ends, Gemini being the fake on 127.0.0.1."""
from __future__ import annotations

import json

import pytest

from insighta_desktop.cli import main
from insighta_desktop.interviews.model import turn_id
from tests.integration.interviews.test_ask_across import seed


@pytest.fixture
def cli_db(db, db_url, tmp_path, monkeypatch, fake_gemini):
    ids = seed(db)
    monkeypatch.setenv("INSIGHTA_HOME", str(tmp_path / "home"))
    for name in ("GOOGLE_API_KEY", "INSIGHTA_DATABASE_URL"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("GEMINI_API_KEY", "test-gemini-key")
    monkeypatch.setenv("GOOGLE_GEMINI_BASE_URL", fake_gemini.url)
    return db_url, ids


def run(capsys, *argv):
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_search_json_shape(cli_db, capsys):
    url, ids = cli_db
    code, out, err = run(capsys, "interviews", "search", '"forty services"', "--json", "--db", url)
    assert code == 0, err
    assert json.loads(out) == [{"interview_id": ids["kofi"][0], "turn_id": turn_id(ids["kofi"][1], 2),
                                "time": "00:00:30", "speaker": "Candidate",
                                "snippet": "We migrated **forty services** to Kubernetes last year."}]
    code, out, _ = run(capsys, "interviews", "search", "blockchain", "--json", "--db", url)
    assert code == 0 and json.loads(out) == []


def test_search_text_output_and_bad_input(cli_db, capsys):
    url, ids = cli_db
    code, out, _ = run(capsys, "interviews", "search", "KUBERNETES", "--db", url)
    assert code == 0 and len(out.splitlines()) == 2
    assert f"{ids['kofi'][0][:8]}  T2    00:00:30  Kofi Mensah (Candidate): We migrated forty services to " \
           f"**Kubernetes** last year." in out
    code, out, err = run(capsys, "interviews", "search", '"', "--db", url)
    assert code == 2 and out == "" and err.startswith("insighta: Type a word") and "Traceback" not in err
    code, out, err = run(capsys, "interviews", "search", "--db", url, "--", "-kubernetes")
    assert code == 2 and "only excludes" in err


def test_ask_all_with_gemini_and_offline(cli_db, capsys, fake_gemini, monkeypatch):
    url, ids = cli_db
    fake_gemini.answer("Both did: [I1.T2] and [I2.T2].")
    code, out, err = run(capsys, "interviews", "ask-all", "Which candidates mentioned Kubernetes?", "--json",
                         "--db", url)
    assert code == 0, err
    data = json.loads(out)
    assert data["source"] == "gemini" and data["answer"] == "Both did: [I1.T2] and [I2.T2]."
    assert {c["candidate"] for c in data["citations"]} == {"Amara Diallo", "Kofi Mensah"}
    assert set(data["citations"][0]) == {"tag", "interview_id", "candidate", "turn_id", "sequence_no", "time",
                                         "speaker"}

    fake_gemini.answer("Both did: [I1.T2] and [I2.T2].")
    code, out, _ = run(capsys, "interviews", "ask-all", "Which candidates mentioned Kubernetes?", "--db", url)
    assert code == 0 and out.startswith("Both did:") and "Sources:" in out and "Kofi Mensah, 00:00:30" in out

    monkeypatch.delenv("GEMINI_API_KEY")
    code, out, err = run(capsys, "interviews", "ask-all", "Which candidates mentioned Kubernetes?", "--db", url)
    assert code == 3 and "Matching passages (not an AI answer)" in out and "not configured" in err
