"""The Interviews tab while Gemini is paused by its circuit breaker ("Gemini paused until 14:32 — Retry now"), and
the "Retry in 90 s" Gemini asked for; against the fake Gemini on 127.0.0.1."""
from __future__ import annotations

import json
import threading

import pytest

from insighta_desktop.resilience import BreakerState, CircuitBreaker
from tests.fakes.gemini import rate_limited
from tests.fakes.server import Fault
from tests.gui.interviews.test_interviews_tab import select
from tests.integration.interviews.test_assessments import GOOD


class Clock:
    def __init__(self) -> None:
        self.t = 0.0

    def now(self) -> float:
        return self.t


@pytest.fixture
def pause_clock() -> Clock:
    return Clock()


@pytest.fixture
def gemini_breaker(pause_clock) -> CircuitBreaker:
    """Opens after three transient failures, for a cool-down on a clock the test moves."""
    return CircuitBreaker("Gemini", failure_threshold=3, cooldown=300, clock=pause_clock.now)


def pause_gemini(tab, qloop, fake_gemini) -> None:
    """Three 503s in a row: the chat answers locally and the breaker opens."""
    fake_gemini.fail_always("streamGenerateContent", Fault.error(503), times=3)
    tab.chat.question.setText("How do they handle rate limiting?")
    tab.chat.send_button.click()
    qloop.until(lambda: not tab.chat.in_flight, message="the local answer")


def test_the_pause_banner_says_until_when_and_retry_now_probes(tab, qloop, fake_gemini, gemini_breaker, tmp_path):
    select(tab, qloop, "Amara Diallo")
    assert not tab.gemini_pause.isVisible()
    pause_gemini(tab, qloop, fake_gemini)
    status = gemini_breaker.status()
    assert status.state is BreakerState.OPEN
    assert tab.gemini_pause.isVisible() and tab.gemini_pause.retry_button.text() == "Retry now"
    assert tab.gemini_pause.text.text() == (f"Gemini paused until {status.until_text} after repeated failures — "
                                            "the chat answers from the transcript meanwhile.")
    assert "Local search of the transcript" in tab.chat.plain_text
    assert "could not be reached after 3 attempts" in tab.chat.notice.text()
    tab.chat.question.setText("And retries?")  # paused: answered locally without calling Gemini
    tab.chat.send_button.click()
    qloop.until(lambda: not tab.chat.in_flight, message="the second local answer")
    assert tab.chat.notice.text() == (f"Gemini paused until {status.until_text} after repeated failures. The answer "
                                      "shows the closest transcript passages instead.")
    assert len(fake_gemini.calls("streamGenerateContent")) == 3

    tab.assessment.generate_button.click()  # refused by the pause: nothing written, Gemini not called
    qloop.until(lambda: "was not generated" in tab.gemini_pause.text.text(), message="the refused Generate")
    assert tab.gemini_pause.text.text().endswith("Amara Diallo's assessment was not generated; Retry now "
                                                 "generates it.")
    assert fake_gemini.calls("generateContent") == [] and not tab.banner.isVisible()
    assert tab.assessment.status.text() == "Completed"  # the assessment shown before is left as it was
    assert "Concrete answers with numbers." not in tab.assessment.content.toPlainText()
    tab.grab().save(str(tmp_path / "gemini-paused.png"))

    fake_gemini.answer(json.dumps(GOOD))
    tab.gemini_pause.retry_button.click()  # the regenerated assessment is the probe
    qloop.until(lambda: gemini_breaker.state is BreakerState.CLOSED, message="the probe closing the breaker")
    qloop.until(lambda: "Concrete answers with numbers." in tab.assessment.content.toPlainText(),
                message="the regenerated assessment")
    assert tab.assessment.status.text() == "Completed"
    assert len(fake_gemini.calls("generateContent")) == 1
    assert not tab.gemini_pause.isVisible()


def test_the_banner_hides_when_the_cool_down_ends(tab, qloop):
    breaker = CircuitBreaker("Gemini", failure_threshold=1, cooldown=0.3)  # real time
    tab.gemini_pause.bind(breaker)
    opener = threading.Thread(target=lambda: breaker.record(breaker.acquire(), ConnectionError("down")))
    opener.start()  # a worker thread's failure reaches the banner on the GUI thread
    opener.join()
    qloop.until(lambda: tab.gemini_pause.isVisible(), message="the banner")
    assert tab.gemini_pause.cooldown_timer.isActive() and tab.gemini_pause.cooldown_timer.parent() is tab.gemini_pause
    qloop.until(lambda: not tab.gemini_pause.isVisible(), timeout=3, message="the end of the cool-down")
    assert breaker.state is BreakerState.HALF_OPEN  # the next request is the probe


def test_gemini_asking_to_wait_90_s_offers_a_retry_then(tab, qloop, fake_gemini, tmp_path):
    select(tab, qloop, "Kwame Asante")
    fake_gemini.fail("generateContent", rate_limited(retry_delay_s=90))
    tab.assessment.generate_button.click()
    qloop.until(lambda: tab.banner.isVisible(), message="the problem banner")
    assert tab.banner.text.text() == "The assessment failed. Gemini asks to wait 90 s."
    assert len(fake_gemini.calls("generateContent")) == 1  # no early second call
    assert "Retry in 90 s" in tab.banner.buttons
    tab.grab().save(str(tmp_path / "gemini-asks-to-wait.png"))

    tab.banner.buttons["Retry in 90 s"].click()
    later = tab.flows.retry_later
    assert later.active and later.parent() is tab and 89 <= later.remaining() <= 90
    assert 88_000 <= later.timer.remainingTime() <= 91_000  # a coarse timer: within 1 s
    assert tab.banner.text.text().startswith("Generating the assessment again at ")
    fake_gemini.answer(json.dumps({**GOOD, "scores": [{"skill": "SQL", "score": 4, "rationale": "Cohorts"}]}))
    later.timer.timeout.emit()  # as the timer would in 90 s
    qloop.until(lambda: tab.assessment.status.text() == "Completed", message="the assessment generated then")
    assert len(fake_gemini.calls("generateContent")) == 2 and not later.active


def test_a_scheduled_retry_can_be_cancelled(tab, qloop, fake_gemini):
    select(tab, qloop, "Kwame Asante")
    fake_gemini.fail("generateContent", Fault.error(429, retry_after=120))
    tab.assessment.generate_button.click()
    qloop.until(lambda: "Retry in 120 s" in tab.banner.buttons, message="the retry offer")
    tab.banner.buttons["Retry in 120 s"].click()
    tab.banner.buttons["Cancel"].click()
    assert not tab.flows.retry_later.active and not tab.banner.isVisible()
