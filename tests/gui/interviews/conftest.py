"""The Interviews tab on a seeded database, its services pointed at the fakes on 127.0.0.1."""
from __future__ import annotations

import asyncio

import pytest

from insighta_desktop.demo.loader import load_demo_data
from insighta_desktop.integrations.gemini import GeminiClient, GeminiConfig
from insighta_desktop.integrations.resend_mail import ResendConfig, ResendMailer
from insighta_desktop.interviews.services import InterviewServices
from insighta_desktop.resilience import CircuitBreaker, Retrying
from insighta_desktop.ui.interviews.tab import InterviewsTab
from insighta_desktop.ui.shared.tasks import TaskRunner

WAIT_SCALE = 20  # waits are real but 20x shorter, so a retry notice is visible for a moment


async def short_sleep(seconds: float) -> None:
    await asyncio.sleep(seconds / WAIT_SCALE)


def open_tab(widget, qloop):
    """Load the list and the first interview. Called from the test itself: during fixture setup
    pytest-asyncio installs its own event loop, and the tab's tasks would be created on that one."""
    qloop.run(widget.refresh())
    qloop.until(lambda: widget.transcript.transcript is not None, message="the first transcript")
    return widget


@pytest.fixture
def gemini_breaker() -> CircuitBreaker:
    """The tab's Gemini circuit breaker (a test module overrides this fixture to drive it)."""
    return CircuitBreaker("Gemini")


@pytest.fixture
def tab(qtbot, qloop, app_context, fake_gemini, fake_resend, gemini_breaker):
    load_demo_data(app_context.engine, profiles=10)
    services = InterviewServices(
        app_context.engine,
        GeminiClient(GeminiConfig(api_key="test-gemini-key", model="gemini-test", base_url=fake_gemini.url,
                                  timeout_s=2)),
        ResendMailer(ResendConfig(api_key="re_test_key", api_url=fake_resend.url, timeout_s=2)),
        Retrying(sleep=short_sleep), gemini_breaker=gemini_breaker)
    tasks = TaskRunner()
    widget = InterviewsTab(app_context, tasks, services=services)
    qtbot.addWidget(widget)
    widget.resize(1400, 800)
    widget.show()
    yield widget
    tasks.cancel_all()
    qloop.run(asyncio.sleep(0.05))  # let cancelled tasks finish while the widgets exist
    qloop.run(services.aclose())
