"""Integration fixtures shared by the CLI tests."""
from __future__ import annotations

import pytest


@pytest.fixture
def isolated_home(tmp_path, monkeypatch):
    """The CLI's settings, keychain fallback and logs under a throwaway home, and no database URL from outside."""
    monkeypatch.setenv("INSIGHTA_HOME", str(tmp_path / "home"))
    monkeypatch.delenv("INSIGHTA_DATABASE_URL", raising=False)
