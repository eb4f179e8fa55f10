"""The email outbox through the real resend SDK against the fake Resend: at most once per item."""
from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest

from insighta_desktop.db import outbox_store
from insighta_desktop.integrations.resend_mail import ResendConfig, ResendMailer
from insighta_desktop.interviews.email import EmailError, OutboxService, sender_warning
from insighta_desktop.interviews.failures import SETTINGS, explain
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


async def test_a_wait_beyond_the_cap_leaves_the_email_queued_for_later(services, fake_gemini, fake_resend, db, clock):
    interview = await assessed(services, fake_gemini, db)
    item = await services.outbox.queue_assessment(interview, "lead@example.com")
    fake_resend.fail("emails", rate_limited(120))
    failed = await services.outbox.deliver(item.id)
    assert failed.status == "failed" and failed.attempts == 1 and failed.last_error == "Resend asks to wait 120 s"
    assert clock.waits == [] and fake_resend.delivered == []


async def test_daily_quota_fails_without_retrying(services, fake_gemini, fake_resend, db, clock):
    interview = await assessed(services, fake_gemini, db)
    item = await services.outbox.queue_assessment(interview, "lead@example.com")
    fake_resend.fail("emails", rate_limited(None, "daily_quota_exceeded"))
    failed = await services.outbox.deliver(item.id)
    assert failed.status == "failed" and failed.attempts == 1 and clock.waits == []
    assert outbox_store.list_outbox(db, interview)[0].status == "failed"


async def test_queue_refuses_bad_address_and_missing_assessment(services, db):
    interview = seed_interview(db)
    with pytest.raises(EmailError, match="Not an email address"):
        await services.outbox.queue_assessment(interview, "not-an-address")
    with pytest.raises(EmailError, match="no completed assessment"):
        await services.outbox.queue_assessment(interview, "lead@example.com")


async def test_sending_again_after_a_failure_reuses_the_unsent_item_and_its_key(services, fake_gemini, fake_resend,
                                                                              db):
    interview = await assessed(services, fake_gemini, db)
    first = await services.outbox.queue_assessment(interview, "lead@example.com")
    fake_resend.fail_always("emails", Fault.error(500), times=3)
    assert (await services.outbox.deliver(first.id)).status == "failed"

    draft = await services.outbox.draft(interview, "Lead@Example.com")  # the same email, typed differently
    again, reused = await services.outbox.queue(draft)
    assert reused and again.id == first.id and again.idempotency_key == first.idempotency_key
    assert again.status == "failed" and again.attempts == 3
    fake_resend.reset()
    sent = await services.outbox.deliver(again.id)
    assert sent.status == "sent" and sent.attempts == 4
    assert [i.id for i in await services.outbox.items()] == [first.id]  # one item, never a second email
    assert len(fake_resend.delivered) == 1
    assert {c.headers["idempotency-key"] for c in fake_resend.calls("emails")} == {first.idempotency_key}

    _, reused = await services.outbox.queue(draft)  # once sent, asking again is a new email
    assert not reused and len(await services.outbox.items()) == 2


async def test_a_changed_email_replaces_the_unsent_one(services, fake_gemini, fake_resend, db):
    interview = await assessed(services, fake_gemini, db)
    fake_resend.fail_always("emails", Fault.error(500), times=3)
    old = await services.outbox.queue_assessment(interview, "lead@example.com")
    await services.outbox.deliver(old.id)
    new = await services.outbox.queue_assessment(interview, "lead@example.com", include_transcript=True)
    assert new.id != old.id and new.idempotency_key != old.idempotency_key
    items = {i.id: i for i in await services.outbox.items()}
    assert items[old.id].status == "canceled" and "Replaced by a newer email" in items[old.id].last_error
    fake_resend.reset()
    sent = await services.outbox.deliver_pending()
    assert [i.id for i in sent] == [new.id] and len(fake_resend.delivered) == 1
    assert "Transcript:" in fake_resend.delivered[0]["text"]


async def test_cancel_stops_an_unsent_email_and_refuses_a_sent_one(services, fake_gemini, fake_resend, db, clock):
    interview = await assessed(services, fake_gemini, db)
    item = await services.outbox.queue_assessment(interview, "lead@example.com")
    cancelled = await services.outbox.cancel(item.id)
    assert cancelled.status == "canceled" and not cancelled.unsent
    assert await services.outbox.deliver_pending() == []
    assert (await services.outbox.deliver(item.id)).status == "canceled"
    assert fake_resend.calls("emails") == []
    # a failure reported late (an attempt that was already under way) does not bring it back
    late = outbox_store.record_outbox_result(db, item.id, datetime.now(UTC), 1, error="HTTP 500")
    assert late.status == "canceled" and late.attempts == 1

    other = await services.outbox.queue_assessment(interview, "boss@example.com")
    assert (await services.outbox.deliver(other.id)).status == "sent"
    with pytest.raises(EmailError, match="already sent"):
        await services.outbox.cancel(other.id)
    with pytest.raises(outbox_store.OutboxItemNotFound):
        await services.outbox.cancel("no-such-item")


async def test_the_draft_is_what_is_sent_and_flags_resends_test_sender(services, fake_gemini, fake_resend, db):
    interview = await assessed(services, fake_gemini, db)
    draft = await services.outbox.draft(interview, " lead@example.com ")
    assert draft.to_address == "lead@example.com" and draft.sender == "Insighta <onboarding@resend.dev>"
    assert "onboarding@resend.dev" in sender_warning(draft.sender) and "Settings" in sender_warning(draft.sender)
    assert sender_warning("Hiring <talent@acme.example>") is None
    item, _ = await services.outbox.queue(draft)
    await services.outbox.deliver(item.id)
    body = fake_resend.delivered[0]
    assert (body["subject"], body["text"], body["html"]) == (draft.subject, draft.body_text, draft.body_html)
    assert body["from"] == draft.sender


async def test_a_missing_resend_key_is_reported_with_settings_as_the_way_forward(services, fake_gemini, db):
    interview = await assessed(services, fake_gemini, db)
    outbox = OutboxService(db, ResendMailer(ResendConfig(api_key=None)), services.retrying)
    assert not outbox.configured and services.outbox.configured
    item = await outbox.queue_assessment(interview, "lead@example.com")
    errors: list[BaseException] = []
    failed = await outbox.deliver(item.id, on_failure=errors.append)
    assert failed.status == "failed" and failed.attempts == 1
    assert failed.last_error == "No Resend API key is configured (Settings or RESEND_API_KEY)."
    problem = explain(errors[0], "Resend")
    assert problem.fix == SETTINGS and problem.text.startswith("Resend has no API key")
