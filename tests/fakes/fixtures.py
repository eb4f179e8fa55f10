"""Pytest fixtures starting the fakes; tests/conftest.py registers them as a plugin for every test.

One server per test session (starting threads is cheap but not free); each test gets it with its
scripted faults and recorded requests cleared.
"""
from __future__ import annotations

import pytest

from .gemini import FakeGemini
from .resend import FakeResend


@pytest.fixture(scope="session")
def _gemini_server():
    server = FakeGemini().start()
    yield server
    server.stop()


@pytest.fixture(scope="session")
def _resend_server():
    server = FakeResend().start()
    yield server
    server.stop()


@pytest.fixture
def fake_gemini(_gemini_server: FakeGemini) -> FakeGemini:
    _gemini_server.reset()
    return _gemini_server


@pytest.fixture
def fake_resend(_resend_server: FakeResend) -> FakeResend:
    _resend_server.reset()
    return _resend_server
