"""Assessments through the real google-genai SDK against the fake Gemini: faults, lifecycle, recovery."""
from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import sqlalchemy as sa

from insighta_desktop.db import schema
from insighta_desktop.interviews import repository
from insighta_desktop.interviews.assessments import AssessmentService
from tests.fakes.gemini import rate_limited
from tests.fakes.server import Fault
from tests.integration.interviews.seed import seed_interview

GOOD = {"summary": "Concrete answers with numbers.", "highlights": ["Latency cut to 300 ms [T4]"],
        "red_flags": [], "recommendation": "advance",
        "scores": [{"skill": "Python", "score": 4, "rationale": "Clear [T2]"},
                   {"skill": "Databases", "score": 5, "rationale": "EXPLAIN ANALYZE [T4]"}]}


async def test_429_then_success_completes(services, fake_gemini, clock, db):
    interview = seed_interview(db)
    fake_gemini.fail("generateContent", rate_limited(retry_delay_s=3))
    fake_gemini.answer(json.dumps(GOOD))
    events = []
    result = await services.assessments.generate(interview, on_retry=events.append)
    assert result.status == "completed" and result.error is None
    assert result.content["recommendation"] == "advance"
    assert [s["skill"] for s in result.content["scores"]] == ["Python", "Databases", "Communication"]
    assert result.content["scores"][2] == {"skill": "Communication", "score": None, "rationale": "Not assessed."}
    assert clock.waits == [3.0]
    assert [e.next_attempt for e in events] == [2]
    assert len(fake_gemini.calls("generateContent")) == 2
    request = fake_gemini.calls("generateContent")[-1].body
    assert request["generationConfig"]["responseJsonSchema"]["properties"]["scores"]["items"]["properties"][
        "skill"]["enum"] == ["Python", "Databases", "Communication"]
    assert "[T4]" in request["contents"][0]["parts"][0]["text"]
    stored = repository.get_assessment(db, interview)
    assert stored.status == "completed" and stored.content == result.content


async def test_permanent_500_fails_and_never_stays_generating(services, fake_gemini, clock, db):
    interview = seed_interview(db)
    fake_gemini.fail_always("generateContent", Fault.error(500))
    result = await services.assessments.generate(interview)
    assert result.status == "failed"
    assert "500" in result.error
    assert len(fake_gemini.calls("generateContent")) == 3
    assert clock.waits == [1.0, 2.0]
    assert repository.get_assessment(db, interview).status == "failed"
    assert repository.list_interviews(db)[0].assessment_status == "failed"


async def test_non_transient_error_fails_at_once(services, fake_gemini, clock, db):
    interview = seed_interview(db)
    fake_gemini.api_key = "another-key"
    result = await services.assessments.generate(interview)
    assert result.status == "failed" and "400" in result.error
    assert len(fake_gemini.calls("generateContent")) == 1 and clock.waits == []


async def test_malformed_answer_fails_with_a_reason(services, fake_gemini, db):
    interview = seed_interview(db)
    fake_gemini.fail("generateContent", Fault.malformed())
    result = await services.assessments.generate(interview)
    assert result.status == "failed" and "unreadable" in result.error


async def test_regenerate_replaces_a_failed_assessment(services, fake_gemini, db):
    interview = seed_interview(db)
    fake_gemini.fail("generateContent", Fault.error(404))
    assert (await services.assessments.generate(interview)).status == "failed"
    fake_gemini.answer(json.dumps(GOOD))
    again = await services.assessments.generate(interview)
    assert again.status == "completed"
    with db.connect() as conn:
        assert conn.execute(sa.select(sa.func.count()).select_from(schema.assessments)).scalar_one() == 1


async def test_crash_recovery_fails_old_generating_rows_only(services, db):
    stuck, fresh = seed_interview(db), seed_interview(db, candidate="Kofi Mensah")
    now = datetime.now(UTC)
    repository.claim_assessment(db, stuck, "m", now - timedelta(minutes=30), timedelta(minutes=5))
    repository.claim_assessment(db, fresh, "m", now - timedelta(seconds=20), timedelta(minutes=5))
    assert await services.assessments.recover_interrupted() == 1
    assert repository.get_assessment(db, stuck).status == "failed"
    assert "Interrupted" in repository.get_assessment(db, stuck).error
    assert repository.get_assessment(db, fresh).status == "generating"


async def test_a_running_generation_is_not_started_twice_but_a_stale_one_is(db, fake_gemini, services):
    interview = seed_interview(db)
    now = datetime.now(UTC)
    repository.claim_assessment(db, interview, "m", now - timedelta(seconds=10), timedelta(minutes=5))
    service = AssessmentService(db, services.gemini, services.retrying)
    try:
        await service.generate(interview)
        raised = False
    except RuntimeError as exc:
        raised = "already being generated" in str(exc)
    assert raised
    with db.begin() as conn:  # the first run crashed long ago
        conn.execute(sa.update(schema.assessments).values(started_at=now - timedelta(minutes=10)))
    fake_gemini.answer(json.dumps(GOOD))
    assert (await service.generate(interview)).status == "completed"


async def test_cancelled_generation_is_marked_failed(services, fake_gemini, db):
    import asyncio

    interview = seed_interview(db)
    fake_gemini.fail("generateContent", Fault.slow(0.4))
    task = asyncio.ensure_future(services.assessments.generate(interview))
    while not fake_gemini.calls("generateContent"):
        await asyncio.sleep(0.01)
    task.cancel()
    try:
        await task
    except asyncio.CancelledError:
        pass
    assert repository.get_assessment(db, interview).status == "failed"
