"""Failures in words: no exception class names, and Settings named as the way forward when a key is the problem."""
from __future__ import annotations

import errno

import httpx
import pytest
from google.genai import errors as genai_errors
from resend import exceptions as resend_errors

from insighta_desktop.integrations.gemini import GeminiUnavailable
from insighta_desktop.integrations.resend_mail import ResendUnavailable
from insighta_desktop.interviews.assessments import AssessmentError, GeminiNotConfigured
from insighta_desktop.interviews.failures import SETTINGS, describe_failure, explain
from tests.fakes.gemini import gemini_error, rate_limited


def genai(status: int, body: dict) -> genai_errors.APIError:
    return genai_errors.APIError(status, body)


BAD_KEY = genai(400, gemini_error(400, "API key not valid. Please pass a valid API key.",
                                  [{"reason": "API_KEY_INVALID"}]))


def test_service_errors_read_as_their_message_and_status_code():
    assert describe_failure(BAD_KEY) == "API key not valid. Please pass a valid API key (HTTP 400)"
    assert describe_failure(genai(503, gemini_error(503))) == "The service returned 503 (HTTP 503)"
    resend = resend_errors.ApplicationError("Something broke.", "application_error", "500")
    assert describe_failure(resend) == "Something broke (HTTP 500)"


@pytest.mark.parametrize("exc", [
    httpx.ReadTimeout(""), httpx.ConnectError("[Errno 111] Connection refused"), TimeoutError(),
    OSError(errno.EACCES, "Permission denied", "/root/out.txt"), AssessmentError("The interview has no transcript"),
    ValueError(""), GeminiUnavailable("No Gemini API key is configured."),
])
def test_no_description_names_an_exception_class(exc):
    text = describe_failure(exc)
    assert text and type(exc).__name__ not in text and "Error" not in text.split(":")[0]


def test_network_and_file_failures():
    assert describe_failure(httpx.ReadTimeout("")) == "No answer in time"
    limited = httpx.Request("POST", "http://127.0.0.1/x", extensions={"timeout": {"read": 30.0, "connect": 5.0}})
    assert describe_failure(httpx.ReadTimeout("", request=limited)) == "No answer in 30 s"
    assert describe_failure(httpx.ConnectError("[Errno 111] Connection refused")) == \
        "Could not connect: [Errno 111] Connection refused"
    assert describe_failure(OSError(errno.EACCES, "Permission denied", "/root/out.txt")) == \
        "Permission denied: /root/out.txt"


@pytest.mark.parametrize(("exc", "start"), [
    (GeminiNotConfigured("no key"), "Gemini has no API key yet. Add one in Settings."),
    (GeminiUnavailable("no key"), "Gemini has no API key yet."),
    (BAD_KEY, "Gemini refused the API key (HTTP 400). Check the key in Settings."),
    (genai(403, gemini_error(403, "Permission denied.")), "Gemini refused the API key"),
    (genai(429, rate_limited(None, per_day=True).body), "Gemini's quota is used up (HTTP 429). Try again later"),
])
def test_key_problems_send_the_user_to_settings(exc, start):
    problem = explain(exc, "Gemini")
    assert problem.fix == SETTINGS and problem.text.startswith(start)


def test_resend_key_problems_send_the_user_to_settings():
    assert explain(ResendUnavailable("none"), "Resend").fix == SETTINGS
    invalid = resend_errors.InvalidApiKeyError("API key is invalid", "invalid_api_key", "403")
    problem = explain(invalid, "Resend")
    assert problem.fix == SETTINGS and "Check the key in Settings" in problem.text


def test_passing_trouble_says_try_again_and_other_failures_say_what_happened():
    busy = explain(genai(503, gemini_error(503)), "Gemini")
    assert busy.fix is None and busy.text == "Gemini is not answering right now (HTTP 503). Try again in a minute."
    offline = explain(httpx.ConnectError("[Errno 111] Connection refused"), "Resend")
    assert offline.text == ("Resend is not answering right now (could not connect: [Errno 111] Connection refused). "
                            "Try again in a minute.")
    plain = explain(AssessmentError("The interview has no transcript to assess"), "Gemini")
    assert plain.fix is None and plain.text == "The interview has no transcript to assess."


def test_a_wait_asked_for_and_a_pause_say_when_to_try_again():
    from datetime import datetime

    from insighta_desktop.resilience import BreakerState, BreakerStatus, CircuitOpenError, ServerAsksToWait

    wait = ServerAsksToWait("Gemini", 90)
    assert explain(wait, "Gemini").text == "Gemini asks to wait 90 s." and describe_failure(wait) == str(wait)
    status = BreakerStatus("Gemini", BreakerState.OPEN, 5, 60.0, datetime(2025, 1, 1, 14, 32), False)
    assert explain(CircuitOpenError(status), "Gemini").text == "Gemini paused until 14:32 after repeated failures."
