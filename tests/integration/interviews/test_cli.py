"""`insighta interviews …` end to end: a database file, the fake Gemini and Resend, real SDKs."""
from __future__ import annotations

import json

import pytest

from insighta_desktop.cli import main
from insighta_desktop.db import outbox_store
from insighta_desktop.db.engine import create_engine_for
from insighta_desktop.db.migrations import ensure_schema
from tests.fakes.server import Fault
from tests.integration.interviews.seed import seed_interview
from tests.integration.interviews.test_assessments import GOOD


@pytest.fixture
def cli_env(tmp_path, monkeypatch, fake_gemini, fake_resend):
    url = f"sqlite:///{(tmp_path / 'cli.db').as_posix()}"
    engine = create_engine_for(url)
    ensure_schema(engine)
    interview = seed_interview(engine)
    engine.dispose()
    monkeypatch.setenv("INSIGHTA_HOME", str(tmp_path / "home"))
    for name in ("GOOGLE_API_KEY", "INSIGHTA_DATABASE_URL"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("GEMINI_API_KEY", "test-gemini-key")
    monkeypatch.setenv("GOOGLE_GEMINI_BASE_URL", fake_gemini.url)
    monkeypatch.setenv("INSIGHTA_GEMINI_MODEL", "gemini-cli-test")
    monkeypatch.setenv("RESEND_API_KEY", "re_test_key")
    monkeypatch.setenv("RESEND_API_URL", fake_resend.url)
    return url, interview


def run(capsys, *argv):
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_list_show_and_transcript(cli_env, capsys):
    url, interview = cli_env
    code, out, _ = run(capsys, "interviews", "list", "--json", "--db", url)
    assert code == 0 and json.loads(out)[0]["id"] == interview
    code, out, _ = run(capsys, "interviews", "show", interview[:8], "--json", "--db", url)
    shown = json.loads(out)
    assert code == 0 and shown["assessment"]["status"] is None and shown["transcript"]["source"] == "transcript_turns"
    code, out, _ = run(capsys, "interviews", "transcript", interview, "--format", "txt", "--db", url)
    assert code == 0 and "[00:00:12] Candidate: Hi, I'm Amara." in out
    code, out, _ = run(capsys, "interviews", "transcript", interview, "--format", "vtt", "--db", url)
    assert out.startswith("WEBVTT")


def test_assess_ask_and_email(cli_env, capsys, fake_gemini, fake_resend):
    url, interview = cli_env
    fake_gemini.answer(json.dumps(GOOD))
    code, out, _ = run(capsys, "interviews", "assess", interview, "--db", url)
    assert code == 0 and "recommendation: advance" in out
    assert fake_gemini.calls("generateContent")[0].path.endswith("/models/gemini-cli-test:generateContent")
    code, out, _ = run(capsys, "interviews", "show", interview, "--json", "--db", url)
    assert json.loads(out)["assessment"]["status"] == "completed"
    assert json.loads(out)["assessment"]["content"]["summary"] == GOOD["summary"]

    fake_gemini.answer("They use EXPLAIN ANALYZE [T4].")
    code, out, _ = run(capsys, "interviews", "ask", interview, "How do they tune queries?", "--db", url)
    assert code == 0 and out.strip() == "They use EXPLAIN ANALYZE [T4]."

    code, out, _ = run(capsys, "interviews", "email", interview, "lead@example.com", "--db", url)
    assert code == 0 and "Sent to lead@example.com" in out
    assert len(fake_resend.delivered) == 1


def test_failures_exit_non_zero_with_the_reason(cli_env, capsys, fake_gemini):
    url, interview = cli_env
    fake_gemini.api_key = "other"  # every call is refused with 400: not retried
    code, _, err = run(capsys, "interviews", "assess", interview, "--db", url)
    assert code == 1 and "assessment failed" in err and "400" in err
    code, out, err = run(capsys, "interviews", "ask", interview, "composite index", "--db", url)
    assert code == 3 and "Local search" in out and "could not answer" in err
    code, _, err = run(capsys, "interviews", "email", interview, "lead@example.com", "--db", url)
    assert code == 1 and "no completed assessment" in err
    code, _, err = run(capsys, "interviews", "show", "zzz", "--db", url)
    assert code != 0 and "no interview matches" in err


def outbox_rows(url: str) -> list:
    engine = create_engine_for(url)
    try:
        return outbox_store.list_outbox(engine)
    finally:
        engine.dispose()


def test_email_again_after_a_failure_reuses_the_outbox_item_and_its_key(cli_env, capsys, fake_gemini, fake_resend):
    url, interview = cli_env
    fake_gemini.answer(json.dumps(GOOD))
    assert run(capsys, "interviews", "assess", interview, "--db", url)[0] == 0
    fake_resend.fail_always("emails", Fault.error(500), times=3)  # the first try's attempts all fail
    code, _, err = run(capsys, "interviews", "email", interview, "lead@example.com", "--db", url)
    assert code == 1 and "kept in the outbox" in err and "(HTTP 500)" in err
    assert "onboarding@resend.dev" in err  # the default sender is Resend's test address: said up front
    [failed] = outbox_rows(url)

    code, out, err = run(capsys, "interviews", "email", interview, "lead@example.com", "--db", url)
    assert code == 0 and "Sent to lead@example.com" in out
    assert f"sending again the unsent email {failed.id[:8]}" in err and "3 attempts so far" in err
    [sent] = outbox_rows(url)
    assert sent.id == failed.id and sent.status == "sent" and sent.attempts == 4
    assert {c.headers["idempotency-key"] for c in fake_resend.calls("emails")} == {failed.idempotency_key}
    assert len(fake_resend.delivered) == 1


def test_outbox_cancel_drops_an_unsent_email(cli_env, capsys, fake_gemini, fake_resend):
    url, interview = cli_env
    fake_gemini.answer(json.dumps(GOOD))
    run(capsys, "interviews", "assess", interview, "--db", url)
    fake_resend.api_key = "another-key"  # 403: not retried, the email stays unsent
    assert run(capsys, "interviews", "email", interview, "lead@example.com", "--db", url)[0] == 1
    [item] = outbox_rows(url)
    code, out, _ = run(capsys, "interviews", "outbox", "--db", url)
    assert code == 1 and f"{item.id[:8]}  failed" in out  # something is still unsent
    code, out, _ = run(capsys, "interviews", "outbox", "--cancel", item.id[:8], "--db", url)
    assert code == 0 and "Cancelled the email to lead@example.com" in out and "canceled" in out
    assert outbox_rows(url)[0].status == "canceled"
    fake_resend.api_key = "re_test_key"
    code, _, _ = run(capsys, "interviews", "outbox", "--retry", "--db", url)
    assert code == 0 and fake_resend.delivered == []  # a cancelled email is never retried
    code, _, err = run(capsys, "interviews", "outbox", "--cancel", "zzz", "--db", url)
    assert code != 0 and "no outbox item matches 'zzz'" in err
    with pytest.raises(SystemExit) as usage:  # argparse's usage error: retry and cancel are one or the other
        main(["interviews", "outbox", "--cancel", item.id, "--retry", "--db", url])
    assert usage.value.code == 2 and "not allowed with argument" in capsys.readouterr().err


def test_assess_after_a_killed_run_goes_ahead_and_a_live_run_refuses(cli_env, capsys, fake_gemini):
    import os
    import subprocess
    import sys
    from datetime import UTC, datetime

    from insighta_desktop.db import assessment_claims as claims
    from insighta_desktop.db.assessment_claims import Owner
    from insighta_desktop.interviews.ownership import this_process
    from tests.fakes.gemini import rate_limited

    url, interview = cli_env
    killed = subprocess.Popen([sys.executable, "-c", "pass"])
    killed.wait()
    engine = create_engine_for(url)
    try:
        host = this_process().host
        claims.claim_assessment(engine, interview, "m", datetime.now(UTC), Owner(host, killed.pid), lambda _: True)
        fake_gemini.fail("generateContent", rate_limited(retry_delay_s=90))
        code, _, err = run(capsys, "interviews", "assess", interview, "--db", url)  # the killed run is no obstacle
        assert code == 1 and err.strip().endswith("\ninsighta: assessment failed: Gemini asks to wait 90 s")
        assert len(fake_gemini.calls("generateContent")) == 1

        claims.claim_assessment(engine, interview, "m", datetime.now(UTC), Owner(host, os.getppid()), lambda _: True)
        code, _, err = run(capsys, "interviews", "assess", interview, "--db", url)
        assert code == 1 and ("insighta: assessment not started: This interview's assessment is already being "
                              f"generated by the app on this computer (process {os.getppid()}, heard from ") in err
        assert len(fake_gemini.calls("generateContent")) == 1
    finally:
        engine.dispose()
