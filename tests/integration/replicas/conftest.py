"""The app's paths and an in-memory keychain for the replica and read-only tests (the GUI tests have their own)."""
from __future__ import annotations

import pytest

from insighta_desktop.config import AppPaths, CredentialStore
from tests.fakes.memory_keyring import MemoryKeyring


@pytest.fixture
def app_paths(tmp_path) -> AppPaths:
    return AppPaths.under(tmp_path / "home").ensure()


@pytest.fixture
def credentials() -> CredentialStore:
    return CredentialStore(MemoryKeyring(), trusted_modules=(MemoryKeyring.__module__,))
