"""Pytest fixtures starting the fakes; tests/conftest.py registers them as a plugin for every test.

One server per test session (starting threads is cheap but not free); each test gets it with its
scripted faults and recorded requests cleared.
"""
from __future__ import annotations

import pytest

from .gemini import FakeGemini
from .name_services import FakeNameServices
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


@pytest.fixture(scope="session")
def _name_services_server():
    server = FakeNameServices().start()
    yield server
    server.stop()


@pytest.fixture
def fake_names(_name_services_server: FakeNameServices, monkeypatch) -> FakeNameServices:
    """Genderize, Agify and Nationalize on 127.0.0.1; the INSIGHTA_*_URL variables point at them."""
    _name_services_server.reset()
    for var, url in _name_services_server.base_urls().items():
        monkeypatch.setenv(var, url)
    return _name_services_server
