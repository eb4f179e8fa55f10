"""Fixtures for the interview services: fakes on 127.0.0.1, a recorded clock."""
from __future__ import annotations

from datetime import UTC, datetime

import pytest

from insighta_desktop.integrations.gemini import GeminiClient, GeminiConfig
from insighta_desktop.integrations.resend_mail import ResendConfig, ResendMailer
from insighta_desktop.interviews.services import InterviewServices
from tests.fakes.clock import FakeClock


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def services(db, clock, fake_gemini, fake_resend) -> InterviewServices:
    gemini = GeminiClient(GeminiConfig(api_key="test-gemini-key", model="gemini-test", base_url=fake_gemini.url,
                                       timeout_s=0.5))
    mailer = ResendMailer(ResendConfig(api_key="re_test_key", api_url=fake_resend.url, timeout_s=0.5))
    return InterviewServices(db, gemini, mailer, clock.retrying(), now=lambda: datetime.now(UTC))
