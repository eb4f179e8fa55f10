"""The Resend adapter through the real resend SDK against the fake server on 127.0.0.1."""
from __future__ import annotations

import pytest
from resend import exceptions

from insighta_desktop.integrations.resend_mail import ResendConfig, ResendMailer, ResendUnavailable
from insighta_desktop.resilience import is_transient, retry_after_seconds
from tests.fakes.clock import FakeClock
from tests.fakes.resend import rate_limited
from tests.fakes.server import Fault


@pytest.fixture
def mailer(fake_resend):
    return ResendMailer(ResendConfig(api_key="re_test_key", api_url=fake_resend.url, sender="QA <qa@example.com>",
                                     timeout_s=0.5))


async def send(mailer, key="key-1"):
    return await mailer.send(to="lead@example.com", subject="Assessment", text="Body", html="<p>Body</p>",
                             idempotency_key=key)


async def test_send_posts_the_email_with_its_idempotency_key(mailer, fake_resend):
    message_id = await send(mailer)
    [call] = fake_resend.calls("emails")
    assert call.headers["idempotency-key"] == "key-1"
    assert call.headers["authorization"] == "Bearer re_test_key"
    assert call.body == {"from": "QA <qa@example.com>", "to": ["lead@example.com"], "subject": "Assessment",
                         "text": "Body", "html": "<p>Body</p>"}
    assert fake_resend.delivered[0]["id"] == message_id


async def test_rate_limit_is_transient_with_retry_after_but_quotas_are_not(mailer, fake_resend):
    fake_resend.fail("emails", rate_limited(2), rate_limited(None, "daily_quota_exceeded"))
    with pytest.raises(exceptions.RateLimitError) as first:
        await send(mailer)
    assert is_transient(first.value) and retry_after_seconds(first.value) == 2.0
    with pytest.raises(exceptions.RateLimitError) as second:
        await send(mailer)
    assert not is_transient(second.value)


async def test_server_errors_timeouts_and_drops_are_transient(mailer, fake_resend):
    fake_resend.fail("emails", Fault.error(500), Fault.error(503), Fault.slow(1.0), Fault.drop())
    for _ in range(4):
        with pytest.raises(exceptions.ResendError) as caught:
            await send(mailer)
        assert is_transient(caught.value), caught.value


async def test_validation_and_auth_errors_are_permanent(fake_resend):
    bad = ResendMailer(ResendConfig(api_key="wrong", api_url=fake_resend.url, timeout_s=0.5))
    with pytest.raises(exceptions.ResendError) as caught:
        await send(bad)
    assert not is_transient(caught.value)
    fake_resend.fail("emails", Fault.error(422, {"statusCode": 422, "name": "validation_error",
                                                 "message": "Invalid `to` field."}))
    good = ResendMailer(ResendConfig(api_key="re_test_key", api_url=fake_resend.url, timeout_s=0.5))
    with pytest.raises(exceptions.ResendError) as invalid:
        await send(good)
    assert not is_transient(invalid.value)


async def test_lost_answer_then_retry_delivers_once(mailer, fake_resend):
    clock = FakeClock()
    fake_resend.fail("emails", Fault.drop_after_processing())
    message_id = await clock.retrying().run(send, mailer, "outbox-7", task_name="Send email")
    assert len(fake_resend.calls("emails")) == 2
    assert {c.headers["idempotency-key"] for c in fake_resend.calls("emails")} == {"outbox-7"}
    assert [d["id"] for d in fake_resend.delivered] == [message_id]
    assert clock.waits == [1.0]


async def test_missing_key_is_unavailable(fake_resend):
    with pytest.raises(ResendUnavailable):
        await send(ResendMailer(ResendConfig(api_key=None, api_url=fake_resend.url)))
    assert fake_resend.requests == []


def test_config_resolution():
    config = ResendConfig.resolve(None, None, {"RESEND_API_KEY": "re_x", "RESEND_API_URL": "http://127.0.0.1:9/"})
    assert (config.api_key, config.api_url) == ("re_x", "http://127.0.0.1:9")
    assert ResendConfig.resolve(None, None, {}).api_url == "https://api.resend.com"
