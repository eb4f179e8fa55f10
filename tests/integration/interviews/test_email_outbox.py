"""The email outbox through the real resend SDK against the fake Resend: at most once per item."""
from __future__ import annotations

import json

import pytest

from insighta_desktop.interviews import repository
from insighta_desktop.interviews.email import EmailError
from tests.fakes.resend import rate_limited
from tests.fakes.server import Fault
from tests.integration.interviews.seed import seed_interview
from tests.integration.interviews.test_assessments import GOOD


async def assessed(services, fake_gemini, db) -> str:
    interview = seed_interview(db)
    fake_gemini.answer(json.dumps(GOOD))
    assert (await services.assessments.generate(interview)).status == "completed"
    return interview


async def test_failure_then_retry_sends_once_with_one_key(services, fake_gemini, fake_resend, db, clock):
    interview = await assessed(services, fake_gemini, db)
    item = await services.outbox.queue_assessment(interview, "lead@example.com", include_transcript=True)
    assert item.status == "queued" and item.attempts == 0
    fake_resend.fail_always("emails", Fault.error(500), times=3)
    failed = await services.outbox.deliver(item.id)
    assert failed.status == "failed" and failed.attempts == 3 and "500" in failed.last_error
    assert fake_resend.delivered == []

    fake_resend.reset()
    fake_resend.fail("emails", Fault.drop_after_processing())  # delivered, but the answer is lost
    [sent] = await services.outbox.deliver_pending()
    assert sent.status == "sent" and sent.attempts == 5 and sent.last_error is None
    assert len(fake_resend.delivered) == 1
    assert sent.provider_message_id == fake_resend.delivered[0]["id"]
    keys = {c.headers["idempotency-key"] for c in fake_resend.calls("emails")}
    assert keys == {item.idempotency_key}
    body = fake_resend.delivered[0]
    assert body["to"] == ["lead@example.com"] and "Amara Diallo" in body["subject"]
    assert "Recommendation: advance" in body["text"] and "[00:00:12] Candidate:" in body["text"]

    again = await services.outbox.deliver(item.id)  # a sent item is never sent again
    assert again.status == "sent" and len(fake_resend.calls("emails")) == 2


async def test_rate_limit_waits_for_retry_after(services, fake_gemini, fake_resend, db, clock):
    interview = await assessed(services, fake_gemini, db)
    item = await services.outbox.queue_assessment(interview, "lead@example.com")
    fake_resend.fail("emails", rate_limited(4))
    sent = await services.outbox.deliver(item.id)
    assert sent.status == "sent" and sent.attempts == 2
    assert clock.waits == [4.0]


async def test_daily_quota_fails_without_retrying(services, fake_gemini, fake_resend, db, clock):
    interview = await assessed(services, fake_gemini, db)
    item = await services.outbox.queue_assessment(interview, "lead@example.com")
    fake_resend.fail("emails", rate_limited(None, "daily_quota_exceeded"))
    failed = await services.outbox.deliver(item.id)
    assert failed.status == "failed" and failed.attempts == 1 and clock.waits == []
    assert repository.list_outbox(db, interview)[0].status == "failed"


async def test_queue_refuses_bad_address_and_missing_assessment(services, db):
    interview = seed_interview(db)
    with pytest.raises(EmailError, match="Not an email address"):
        await services.outbox.queue_assessment(interview, "not-an-address")
    with pytest.raises(EmailError, match="no completed assessment"):
        await services.outbox.queue_assessment(interview, "lead@example.com")
