"""Assessments through the real google-genai SDK against the fake Gemini: faults, lifecycle, recovery."""
from __future__ import annotations

import json

import sqlalchemy as sa

from insighta_desktop.db import schema
from insighta_desktop.interviews import repository
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
