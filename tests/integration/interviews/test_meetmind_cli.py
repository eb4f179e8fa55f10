"""`insighta interviews sync-meetmind URL [--json]` against a real MeetMind database, into an SQLite file."""
from __future__ import annotations

import json

import pytest
from sqlalchemy.engine import make_url

from insighta_desktop.cli import main
from tests.integration.interviews.test_meetmind_sync import ASSESSMENT
from tests.meetmind_db import INTERVIEW

PASSWORD = "s3cret-pw"


@pytest.fixture
def app_db(tmp_path, monkeypatch):
    monkeypatch.setenv("INSIGHTA_HOME", str(tmp_path / "home"))
    for name in ("INSIGHTA_DATABASE_URL", "INSIGHTA_MEETMIND_URL"):
        monkeypatch.delenv(name, raising=False)
    return f"sqlite:///{(tmp_path / 'app.db').as_posix()}"


def run(capsys, *argv):
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def with_password(url: str) -> str:
    """The server trusts local connections, so any password works; it must never be printed."""
    return make_url(url).set(password=PASSWORD).render_as_string(hide_password=False)


def test_sync_json_twice_then_show(app_db, meetmind, capsys):  # noqa: F811
    url = with_password(meetmind.url)
    first_id = meetmind.add_interview("Amara Diallo", turns=INTERVIEW, assessment=ASSESSMENT)
    meetmind.add_interview("Kwame Asante", json_turns=INTERVIEW + [("user", "Recruiter: call back Friday", 99)])

    code, out, err = run(capsys, "interviews", "sync-meetmind", url, "--json", "--db", app_db)
    assert code == 0, err
    report = json.loads(out)
    assert set(report) == {"new", "updated", "unchanged", "interviews"}
    assert (report["new"], report["updated"], report["unchanged"]) == (2, 0, 0)
    listed = {i["candidate_name"]: i for i in report["interviews"]}
    assert listed["Amara Diallo"]["transcript_source"] == "transcript_turns"
    assert listed["Amara Diallo"]["meetmind_assessment"] is True
    assert (listed["Kwame Asante"]["transcript_source"], listed["Kwame Asante"]["turns"],
            listed["Kwame Asante"]["notes"]) == ("transcript_json", 6, 1)

    code, out, err = run(capsys, "interviews", "sync-meetmind", url, "--json", "--db", app_db)
    again = json.loads(out)
    assert (again["new"], again["updated"], again["unchanged"]) == (0, 0, 2)

    code, out, _ = run(capsys, "interviews", "show", first_id, "--json", "--db", app_db)
    shown = json.loads(out)
    assert code == 0 and shown["id"] == first_id and shown["transcript"]["source"] == "transcript_turns"
    assert shown["meetmind"]["assessment"] == ASSESSMENT
    assert shown["meetmind"]["speakers"]["Interviewer"] == ["Meet Mind"]
    assert PASSWORD not in shown["meetmind"]["source"] and "***" in shown["meetmind"]["source"]

    code, out, _ = run(capsys, "interviews", "show", first_id, "--db", app_db)
    assert "MeetMind's assessment: Concrete answers" in out and "red flag: Vague on rate limits" in out


def test_text_output_and_failures_never_show_the_password(app_db, meetmind, capsys):  # noqa: F811
    url = with_password(meetmind.url)
    meetmind.add_interview("Amara Diallo", turns=INTERVIEW)
    code, out, err = run(capsys, "interviews", "sync-meetmind", url, "--db", app_db)
    assert code == 0 and "1 new, 0 updated, 0 unchanged" in out and "6 turns from MeetMind's transcript turns" in out
    assert PASSWORD not in out + err and "***" in out

    code, out, err = run(capsys, "interviews", "sync-meetmind", "mysql://u:pw@h/db", "--db", app_db)
    assert code == 2 and "PostgreSQL" in err and len(err.strip().splitlines()) == 1

    meetmind.execute("DROP TABLE interviews CASCADE")
    code, out, err = run(capsys, "interviews", "sync-meetmind", url, "--db", app_db)
    assert code == 2 and "no MeetMind interviews table" in err and PASSWORD not in err

    code, out, err = run(capsys, "interviews", "sync-meetmind", "--db", app_db)
    assert code == 2 and "no MeetMind database" in err


def test_url_from_the_environment(app_db, meetmind, capsys, monkeypatch):  # noqa: F811
    meetmind.add_interview("Amara Diallo", turns=INTERVIEW)
    monkeypatch.setenv("INSIGHTA_MEETMIND_URL", meetmind.url)
    code, out, _ = run(capsys, "interviews", "sync-meetmind", "--json", "--db", app_db)
    assert code == 0 and json.loads(out)["new"] == 1
