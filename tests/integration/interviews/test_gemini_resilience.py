"""Gemini's resilience through the real SDK and the fake server: a Retry-After too long to wait fails at once, the
circuit breaker pauses Gemini after repeated transient failures (the chat answers locally), and one probe after the
cool-down closes it again. Timeouts are named in the log."""
from __future__ import annotations

import json
import logging
from datetime import UTC, datetime

import pytest

from insighta_desktop.integrations.gemini import GeminiClient, GeminiConfig
from insighta_desktop.interviews import repository
from insighta_desktop.interviews.services import InterviewServices
from insighta_desktop.resilience import BreakerState, CircuitBreaker, CircuitOpenError, ServerAsksToWait
from tests.fakes.gemini import rate_limited
from tests.fakes.server import Fault
from tests.integration.interviews.seed import seed_interview
from tests.integration.interviews.test_assessments import GOOD


@pytest.fixture
def breaker(clock) -> CircuitBreaker:
    return CircuitBreaker("Gemini", failure_threshold=5, window=120, cooldown=60, clock=clock.now)


@pytest.fixture
def gemini(services) -> GeminiClient:
    return services.gemini


@pytest.fixture
def guarded(db, clock, gemini, breaker) -> InterviewServices:
    """The interview services with the Gemini breaker on the fake clock."""
    return InterviewServices(db, gemini, None, clock.retrying(), now=lambda: datetime.now(UTC), gemini_breaker=breaker)


@pytest.mark.parametrize("fault", [rate_limited(retry_delay_s=90), Fault.error(429, retry_after=90)],
                         ids=["RetryInfo", "Retry-After header"])
async def test_a_wait_of_90_s_fails_the_assessment_at_once(guarded, fake_gemini, clock, db, fault):
    interview = seed_interview(db)
    fake_gemini.fail("generateContent", fault)
    failures: list[BaseException] = []
    result = await guarded.assessments.generate(interview, on_failure=failures.append)
    assert result.status == "failed" and result.error == "Gemini asks to wait 90 s"
    assert len(fake_gemini.calls("generateContent")) == 1 and clock.waits == []  # no early call, no wait
    [wait] = failures
    assert isinstance(wait, ServerAsksToWait) and wait.wait == 90.0


async def test_a_wait_within_the_cap_is_honoured_in_full(guarded, fake_gemini, clock, db):
    interview = seed_interview(db)
    fake_gemini.fail("generateContent", rate_limited(retry_delay_s=45))
    fake_gemini.answer(json.dumps(GOOD))
    assert (await guarded.assessments.generate(interview)).status == "completed"
    assert clock.waits == [45.0]


async def test_the_chat_answers_locally_when_gemini_asks_for_a_long_wait(guarded, fake_gemini, db):
    interview = seed_interview(db)
    fake_gemini.fail("streamGenerateContent", rate_limited(retry_delay_s=90))
    answer = await guarded.chat.ask(interview, "How do they handle rate limits?")
    assert answer.source == "local" and answer.notice == "Gemini asks to wait 90 s."
    assert "Retry-After" in answer.text
    assert len(fake_gemini.calls("streamGenerateContent")) == 1


async def test_repeated_failures_pause_gemini_and_the_chat_answers_locally(guarded, fake_gemini, breaker, db):
    interview = seed_interview(db)
    heard: list[str] = []
    breaker.subscribe(lambda status: heard.append(status.state.value))
    fake_gemini.fail_always("streamGenerateContent", Fault.error(503))

    first = await guarded.chat.ask(interview, "What about indexes?")  # 3 attempts, all 503
    assert first.source == "local" and "could not be reached after 3 attempts" in first.notice
    assert breaker.state is BreakerState.CLOSED and len(fake_gemini.calls("streamGenerateContent")) == 3

    second = await guarded.chat.ask(interview, "What about retries?")  # the 5th failure opens the breaker
    assert len(fake_gemini.calls("streamGenerateContent")) == 5
    status = breaker.status()
    assert status.state is BreakerState.OPEN and heard == ["open"]
    assert second.source == "local"
    assert second.notice == f"Gemini paused until {status.until_text} after repeated failures."

    third = await guarded.chat.ask(interview, "Anything about rate limiting?")
    assert third.source == "local" and "Gemini paused until" in third.notice
    assert len(fake_gemini.calls("streamGenerateContent")) == 5  # Gemini was not called at all
    assert [m.source for m in await guarded.chat.history(interview) if m.role == "assistant"] == ["local"] * 3

    with pytest.raises(CircuitOpenError, match="Gemini paused until"):  # nothing is written for a paused Generate
        await guarded.assessments.generate(interview)
    assert repository.get_assessment(db, interview) is None and fake_gemini.calls("generateContent") == []


async def test_after_the_cool_down_one_probe_closes_the_breaker(guarded, fake_gemini, breaker, clock, db):
    interview = seed_interview(db)
    fake_gemini.fail_always("streamGenerateContent", Fault.error(503), times=5)
    for question in ("one", "two"):
        await guarded.chat.ask(interview, question)
    assert breaker.state is BreakerState.OPEN
    clock.advance(59)
    assert (await guarded.chat.ask(interview, "still paused?")).source == "local"
    assert len(fake_gemini.calls("streamGenerateContent")) == 5

    clock.advance(1)  # the cool-down is over: the next request is the probe
    fake_gemini.fail("streamGenerateContent", Fault.error(503))
    probe_failed = await guarded.chat.ask(interview, "back yet?")
    assert probe_failed.source == "local" and "Gemini paused until" in probe_failed.notice
    assert len(fake_gemini.calls("streamGenerateContent")) == 6  # one probe, not three attempts
    assert breaker.status().state is BreakerState.OPEN and breaker.status().retry_in == 60

    breaker.retry_now()  # "Retry now" in the Interviews tab
    fake_gemini.answer("They add a composite index [T4].")
    answer = await guarded.chat.ask(interview, "How do they tune queries?")
    assert answer.source == "gemini" and answer.text == "They add a composite index [T4]."
    assert len(fake_gemini.calls("streamGenerateContent")) == 7
    assert breaker.state is BreakerState.CLOSED
    fake_gemini.answer(json.dumps(GOOD))
    assert (await guarded.assessments.generate(interview)).status == "completed"


async def test_assessments_and_chat_share_one_breaker(guarded, fake_gemini, breaker, db):
    interview = seed_interview(db)
    fake_gemini.fail_always("generateContent", Fault.error(500), times=3)
    fake_gemini.fail_always("streamGenerateContent", Fault.error(500), times=2)
    assert (await guarded.assessments.generate(interview)).status == "failed"
    assert breaker.status().failures == 3
    answer = await guarded.chat.ask(interview, "Anything?")
    assert breaker.state is BreakerState.OPEN and "Gemini paused until" in answer.notice


async def test_a_timeout_is_named_in_the_retry_log(db, clock, fake_gemini, caplog):
    caplog.set_level(logging.WARNING, logger="insighta_desktop.resilience")
    gemini = GeminiClient(GeminiConfig(api_key="test-gemini-key", model="gemini-test", base_url=fake_gemini.url,
                                       timeout_s=0.3))
    services = InterviewServices(db, gemini, None, clock.retrying(max_retries=2))
    interview = seed_interview(db)
    fake_gemini.fail("generateContent", Fault.slow(0.8))
    fake_gemini.answer(json.dumps(GOOD))
    try:
        assert (await services.assessments.generate(interview)).status == "completed"
    finally:
        await gemini.aclose()
    lines = [r.getMessage() for r in caplog.records if "Generate assessment" in r.getMessage()]
    assert lines == ["Attempt 1/2 failed for Generate assessment: timed out after 0.3 s waiting for the answer. "
                     "Retrying in 1.00s..."]


async def test_ask_across_lists_passages_without_calling_a_paused_gemini(guarded, fake_gemini, breaker, db):
    seed_interview(db)
    fake_gemini.fail_always("generateContent", Fault.error(500), times=5)
    for _ in range(2):
        await guarded.assessments.generate(seed_interview(db))
    assert breaker.state is BreakerState.OPEN
    calls_before = len(fake_gemini.requests)
    answer = await guarded.ask_across.ask("Who talked about rate limits?")
    assert answer.source == "local" and "Gemini paused until" in (answer.notice or "")
    assert len(fake_gemini.requests) == calls_before  # the open breaker let no call through
