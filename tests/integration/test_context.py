"""AppContext: the services are built once per database, and the keychain is read once."""
from __future__ import annotations

import pytest

from insighta_desktop.config import AppPaths, CredentialStore
from insighta_desktop.context import open_context
from tests.gui.conftest import MemoryKeyring


class CountingKeyring(MemoryKeyring):
    """Counts the keychain reads (each one can be a D-Bus round trip or an unlock prompt)."""

    def __init__(self) -> None:
        super().__init__()
        self.reads: list[str] = []

    def get_password(self, service: str, username: str) -> str | None:
        self.reads.append(username)
        return super().get_password(service, username)


@pytest.fixture
def keychain() -> CountingKeyring:
    store = CountingKeyring()
    store.secrets[("insighta-desktop", CredentialStore.GEMINI_API_KEY)] = "gem-key-1"
    return store


@pytest.fixture
def credentials(keychain) -> CredentialStore:
    return CredentialStore(keychain, trusted_modules=(CountingKeyring.__module__,))


@pytest.fixture
def paths(tmp_path) -> AppPaths:
    return AppPaths.under(tmp_path / "home").ensure()


def test_each_service_is_built_once_and_shared(db_url, paths, credentials):
    ctx = open_context(db_url, paths=paths, credentials=credentials)
    try:
        assert ctx.profile_search is ctx.profile_search
        assert ctx.importer is ctx.importer and ctx.importer.engine is ctx.engine
        assert ctx.interviews is ctx.interviews and ctx.interviews.engine is ctx.engine
        assert ctx.packs is ctx.packs and ctx.packs.search is ctx.profile_search
        assert ctx.interviews.gemini.config.api_key == "gem-key-1"
        assert ctx.profile_search.cache is not None
        assert ctx.profile_search.cache.max_entries == ctx.settings.search_cache_size
    finally:
        ctx.close()


def test_the_keychain_is_read_once_when_the_context_opens(sqlite_url, paths, credentials, keychain):
    ctx = open_context(sqlite_url, paths=paths, credentials=credentials, read_secrets=True)
    try:
        assert sorted(keychain.reads) == sorted(CredentialStore.NAMES)
        for _ in range(3):
            assert ctx.interviews.gemini.config.api_key == "gem-key-1"
            assert ctx.reload_clients() is None  # nothing changed: the same clients stay
            credentials.get(CredentialStore.RESEND_API_KEY)
        assert sorted(keychain.reads) == sorted(CredentialStore.NAMES)
    finally:
        ctx.close()


def test_new_keys_replace_the_clients_without_reading_the_keychain(sqlite_url, paths, credentials, keychain):
    ctx = open_context(sqlite_url, paths=paths, credentials=credentials, read_secrets=True)
    try:
        before = ctx.interviews
        reads = len(keychain.reads)
        credentials.set(CredentialStore.GEMINI_API_KEY, "gem-key-2")  # what the Settings dialog does
        assert ctx.reload_clients() is before
        assert ctx.interviews is not before and ctx.interviews.gemini.config.api_key == "gem-key-2"
        assert ctx.interviews.gemini_breaker is before.gemini_breaker is ctx.gemini_breaker  # one per context
        assert len(keychain.reads) == reads
        credentials.delete(CredentialStore.GEMINI_API_KEY)
        assert ctx.reload_clients() is not None and not ctx.interviews.gemini.config.available
        assert len(keychain.reads) == reads
    finally:
        ctx.close()


def test_the_database_is_named_for_people(db_url, paths, credentials):
    ctx = open_context(db_url, paths=paths, credentials=credentials)
    try:
        if ctx.is_embedded:
            assert (ctx.backend_name, ctx.database_name) == ("SQLite", "insighta-test.db")
        else:
            assert (ctx.backend_name, ctx.database_name) == ("PostgreSQL", ctx.engine.url.database)
        assert ctx.database_label.startswith(("sqlite", "postgresql"))
        assert ctx.check_connection().startswith(ctx.backend_name)
    finally:
        ctx.close()


def test_one_gemini_breaker_per_context_started_afresh_by_a_new_key(sqlite_url, paths, credentials):
    from insighta_desktop.resilience import BreakerState

    ctx = open_context(sqlite_url, paths=paths, credentials=credentials)
    try:
        breaker = ctx.gemini_breaker
        assert ctx.interviews.assessments.breaker is ctx.interviews.chat.breaker is breaker
        for _ in range(breaker.failure_threshold):
            breaker.record(breaker.acquire(), ConnectionError("down"))
        assert breaker.state is BreakerState.OPEN
        ctx.settings.gemini_model = "gemini-other"  # another Resend sender would leave the breaker alone
        ctx.reload_clients()
        assert ctx.gemini_breaker is breaker and breaker.state is BreakerState.CLOSED
        assert ctx.interviews.chat.breaker is breaker
    finally:
        ctx.close()
