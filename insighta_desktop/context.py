"""The object graph the GUI and the CLI share: paths, settings, secrets, one engine, and the services built on it.

`open_context` opens one database; the `AppContext` it returns builds each service once, on first use (profile
search, import, interviews with their Gemini and Resend clients, Gemini's circuit breaker and the outbox, review
packs) and hands the same objects to every tab and command. Widgets never build clients or engines. No Qt here.
"""
from __future__ import annotations

import asyncio
import logging
import os
from dataclasses import dataclass, field, replace
from functools import cached_property
from typing import TYPE_CHECKING

from sqlalchemy.engine import Engine

from insighta_desktop.config import AppPaths, CredentialStore, Settings
from insighta_desktop.db.engine import (
    Engines,
    check_connection,
    create_engine_for,
    create_engines_for,
    database_name,
    default_sqlite_url,
    mask_url,
    normalise_url,
)
from insighta_desktop.db.meetmind import parse_meetmind_url
from insighta_desktop.db.migrations import ensure_schema
from insighta_desktop.db.server_info import ServerInfo, read_server_info
from insighta_desktop.db.url_hosts import parse_url
from insighta_desktop.db.url_secrets import UrlSecrets, split_secrets, with_secrets
from insighta_desktop.resilience.link import DatabaseLink
from insighta_desktop.resilience.policy import Retrying

if TYPE_CHECKING:  # the services' modules load on first use, so `insighta db status` does not pay for them
    from insighta_desktop.ingest.pipeline import Importer
    from insighta_desktop.integrations.name_prediction import NameServices
    from insighta_desktop.interviews.services import InterviewServices
    from insighta_desktop.packs.exporter import PackExporter
    from insighta_desktop.profiles.from_name import ProfileFromName
    from insighta_desktop.profiles.saved_searches import SavedSearches
    from insighta_desktop.profiles.search import ProfileSearch
    from insighta_desktop.resilience.breaker import CircuitBreaker

log = logging.getLogger(__name__)

DATABASE_URL_ENV = "INSIGHTA_DATABASE_URL"
DATABASE_RETRIES = 100_000  # in effect: until the link is back, or the search is superseded or closed
BACKEND_NAMES = {"sqlite": "SQLite", "postgresql": "PostgreSQL"}


@dataclass
class AppContext:
    paths: AppPaths
    settings: Settings
    credentials: CredentialStore
    engine: Engine  # imports and writes (and everything but the profile search): a read-write session
    database_url: str
    read_engine: Engine | None = None  # the profile search: may be a standby's (multi-host URLs); default `engine`
    server: ServerInfo | None = None  # what answered and whether this user may write, once read_server() ran
    link: DatabaseLink = field(default_factory=DatabaseLink)  # connecting / online / offline, for the status bar
    # How database reads wait out a lost link: with backoff, for as long as the person waits (a new search or
    # closing the tab cancels them).
    database_retrying: Retrying = field(default_factory=lambda: Retrying(
        max_retries=DATABASE_RETRIES, initial_delay=0.5, backoff_factor=2.0, max_delay=8.0, jitter=0.25))
    _interviews: InterviewServices | None = field(default=None, init=False, repr=False)

    def __post_init__(self) -> None:
        if self.read_engine is None:
            self.read_engine = self.engine
        if self.database_retrying.sleep is asyncio.sleep:  # a waiting search wakes once the link is back
            self.database_retrying = replace(self.database_retrying, sleep=self.link.wait)

    @property
    def engines(self) -> Engines:
        assert self.read_engine is not None
        return Engines(self.read_engine, self.engine)

    @property
    def database_label(self) -> str:
        """The full URL with the password masked (logs, tooltips, the About box)."""
        return mask_url(self.database_url)

    @property
    def database_name(self) -> str:
        """The SQLite file's name or the PostgreSQL database's name (the window title)."""
        return database_name(self.database_url)

    @property
    def backend_name(self) -> str:
        return BACKEND_NAMES.get(self.engine.dialect.name, self.engine.dialect.name)

    @property
    def is_embedded(self) -> bool:
        return self.engine.dialect.name == "sqlite"

    def check_connection(self) -> str:
        """One round trip; the server's version, or the driver's exception. Blocking: run it on a worker thread."""
        return check_connection(self.engine)

    def read_server(self) -> ServerInfo:
        """What answered and whether this user may write (one statement; kept in `server`). Blocking."""
        self.server = read_server_info(self.engines, self.database_name)
        self.link.reached(self.server.label)
        return self.server

    @property
    def read_only_reason(self) -> str | None:
        """Why this user may not write here (None: writes allowed, or not known yet)."""
        return self.server.read_only_reason if self.server is not None else None

    def refuse_writes(self) -> None:
        """Raise ReadOnlyDatabase (a clear message) when this user may not write, reading the server once if needed."""
        (self.server or self.read_server()).refuse_writes()

    # --- services, built once per database ---------------------------------------------------------------------
    @cached_property
    def profile_search(self) -> ProfileSearch:
        from insighta_desktop.profiles.cache import ResultCache
        from insighta_desktop.profiles.search import ProfileSearch

        return ProfileSearch(self.read_engine or self.engine,
                             cache=ResultCache(ttl_seconds=self.settings.search_cache_ttl_s,
                                               max_entries=self.settings.search_cache_size))

    @cached_property
    def saved_searches(self) -> SavedSearches:
        from insighta_desktop.profiles.saved_searches import SavedSearches

        return SavedSearches(self.engine)

    @cached_property
    def importer(self) -> Importer:
        from insighta_desktop.ingest.pipeline import Importer

        return Importer(self.engine)

    @cached_property
    def packs(self) -> PackExporter:
        from insighta_desktop.packs.exporter import PackExporter

        return PackExporter(self.engine, self.profile_search)

    @cached_property
    def name_services(self) -> NameServices:
        """Genderize, Agify and Nationalize (base URLs from INSIGHTA_*_URL; the key read from the keychain per call)."""
        from insighta_desktop.integrations.name_prediction import NameServices, NameServicesConfig

        return NameServices(NameServicesConfig.resolve(
            lambda: self.credentials.get(CredentialStore.NAME_PREDICTION_API_KEY)))

    @cached_property
    def profiles_from_name(self) -> ProfileFromName:
        from insighta_desktop.profiles.from_name import ProfileFromName

        return ProfileFromName(self.engine, self.name_services)

    @cached_property
    def gemini_breaker(self) -> CircuitBreaker:
        """Gemini's circuit breaker, one per context: it outlives client reloads (new keys start it afresh)."""
        from insighta_desktop.resilience.breaker import CircuitBreaker

        return CircuitBreaker("Gemini")

    @property
    def interviews(self) -> InterviewServices:
        """Transcripts, assessments, chat and the email outbox, with the Gemini and Resend clients."""
        if self._interviews is None:
            self._interviews = self._build_interviews()
        return self._interviews

    def reload_clients(self) -> InterviewServices | None:
        """After the settings or keys changed: new Gemini and Resend clients if their configuration differs.

        Returns the services they replace, for the caller to close with `aclose()` on its event loop, or None.
        """
        current = self._interviews
        if current is None:
            return None
        fresh = self._build_interviews()
        if (_config(fresh.gemini), _config(fresh.mailer)) == (_config(current.gemini), _config(current.mailer)):
            return None
        if _config(fresh.gemini) != _config(current.gemini):
            self.gemini_breaker.reset()  # another key or endpoint: the failures counted were the old one's
        self._interviews = fresh
        return current

    def _build_interviews(self) -> InterviewServices:
        from insighta_desktop.interviews.services import InterviewServices

        return InterviewServices.from_settings(self.engine, self.settings, self.credentials,
                                               gemini_breaker=self.gemini_breaker)

    async def aclose(self) -> None:
        """Close the network clients (on the event loop that used them)."""
        if self._interviews is not None:
            await self._interviews.aclose()
        if "name_services" in self.__dict__:
            await self.name_services.aclose()

    def close(self) -> None:
        if "profile_search" in self.__dict__:
            self.profile_search.close()
        self.engines.dispose()


def _config(client: object) -> object:
    return getattr(client, "config", None)


def resolve_database_url(explicit: str | None, settings: Settings, credentials: CredentialStore,
                         paths: AppPaths) -> str:
    """--db flag, then INSIGHTA_DATABASE_URL, then the settings (password from the keychain), then embedded."""
    if explicit:
        return explicit
    if os.environ.get(DATABASE_URL_ENV):
        return os.environ[DATABASE_URL_ENV]
    stored = with_stored_secrets(settings.database_url, credentials, CredentialStore.DATABASE_PASSWORD,
                                 CredentialStore.DATABASE_SSLPASSWORD)
    return stored or default_sqlite_url(paths.data_dir)


def store_database_url(url: str | None, settings: Settings, credentials: CredentialStore) -> None:
    """Keep the URL in the settings without its secrets; the password (userinfo or `?password=`) and the
    `sslpassword` go to the credential store."""
    if not url:
        settings.database_url = None
        credentials.delete(CredentialStore.DATABASE_PASSWORD)
        credentials.delete(CredentialStore.DATABASE_SSLPASSWORD)
        return
    bare, secrets = split_secrets(normalise_url(url))
    credentials.set(CredentialStore.DATABASE_PASSWORD, secrets.password or "")
    credentials.set(CredentialStore.DATABASE_SSLPASSWORD, secrets.sslpassword or "")
    settings.database_url = bare.render_as_string(hide_password=False)


def probe_database(url: str) -> str:
    """Connect once to a URL the person is still choosing and say what answered; raises with the driver's reason."""
    engine = create_engine_for(url, pool_size=1, statement_timeout_ms=5_000)
    try:
        return check_connection(engine)
    finally:
        engine.dispose()


MEETMIND_URL_ENV = "INSIGHTA_MEETMIND_URL"


def store_meetmind_url(url: str | None, settings: Settings, credentials: CredentialStore) -> None:
    """The MeetMind URL goes to the settings without its secrets; the password and sslpassword to the credential
    store."""
    if not url:
        settings.meetmind_url = None
        credentials.delete(CredentialStore.MEETMIND_PASSWORD)
        credentials.delete(CredentialStore.MEETMIND_SSLPASSWORD)
        return
    bare, secrets = split_secrets(parse_meetmind_url(url))
    without_secrets = bare.render_as_string(hide_password=False)
    for name, value in ((CredentialStore.MEETMIND_PASSWORD, secrets.password),
                        (CredentialStore.MEETMIND_SSLPASSWORD, secrets.sslpassword)):
        if value:
            credentials.set(name, value)
        elif without_secrets != settings.meetmind_url:  # another server: the stored secret was not for it
            credentials.delete(name)
    settings.meetmind_url = without_secrets


def resolve_meetmind_url(explicit: str | None, settings: Settings, credentials: CredentialStore) -> str | None:
    """The URL given, then INSIGHTA_MEETMIND_URL, then the settings with the keychain's password (None: not set)."""
    if explicit:
        return explicit
    if os.environ.get(MEETMIND_URL_ENV):
        return os.environ[MEETMIND_URL_ENV]
    return with_stored_secrets(settings.meetmind_url, credentials, CredentialStore.MEETMIND_PASSWORD,
                               CredentialStore.MEETMIND_SSLPASSWORD)


def with_stored_secrets(url: str | None, credentials: CredentialStore, password_name: str,
                        sslpassword_name: str | None = None) -> str | None:
    """`url` with the stored password (and sslpassword) where it has none of its own."""
    if not url:
        return None
    secrets = UrlSecrets(password=credentials.get(password_name),
                         sslpassword=credentials.get(sslpassword_name) if sslpassword_name else None)
    return with_secrets(parse_url(url), secrets).render_as_string(hide_password=False)


def with_stored_password(url: str | None, credentials: CredentialStore, name: str) -> str | None:
    """`url` with the stored secret `name` as its password when it has none of its own."""
    return with_stored_secrets(url, credentials, name)


def open_context(database_url: str | None = None, *, paths: AppPaths | None = None,
                 credentials: CredentialStore | None = None, read_secrets: bool = False) -> AppContext:
    """Open (creating or upgrading) the database and return the shared services' collaborators.

    Blocking: the GUI calls it off its thread. `read_secrets` reads every secret from the keychain now, once, so
    that nothing on the GUI thread waits for the keychain later; the CLI reads only what a command needs.
    """
    paths = (paths or AppPaths.default()).ensure()
    settings = Settings.load(paths.settings_file)
    credentials = credentials or CredentialStore()
    if read_secrets:
        credentials.read_all()
    url = resolve_database_url(database_url, settings, credentials, paths)
    engines = create_engines_for(url, pool_size=settings.pool_size,
                                 statement_timeout_ms=settings.statement_timeout_ms)
    try:
        _ensure_schema(engines, paths)
    except Exception:
        engines.dispose()
        raise
    log.info("Using database %s", mask_url(url))
    return AppContext(paths, settings, credentials, engines.write, url, read_engine=engines.read)


def _ensure_schema(engines: Engines, paths: AppPaths) -> None:
    """Create or upgrade through the read-write engine. With a multi-host URL whose read-write servers are all out
    of reach (a standby answers), open through the read engine when the schema is current: searching works, and
    the app is read-only until a read-write server is back (read_server says why)."""
    from insighta_desktop.resilience.classify import is_transient

    try:
        ensure_schema(engines.write, backup_dir=paths.data_dir / "backups")
    except Exception as exc:
        if not engines.split or not is_transient(exc):
            raise
        log.warning("No read-write server reachable (%s); opening through the read engine", exc)
        ensure_schema(engines.read, backup_dir=paths.data_dir / "backups")
