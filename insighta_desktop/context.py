"""The small object graph the GUI and the CLI share: paths, settings, secrets and one engine."""
from __future__ import annotations

import logging
import os
from dataclasses import dataclass

from sqlalchemy.engine import URL, Engine, make_url

from insighta_desktop.config import AppPaths, CredentialStore, Settings
from insighta_desktop.db.engine import create_engine_for, default_sqlite_url, mask_url, normalise_url
from insighta_desktop.db.meetmind import parse_meetmind_url
from insighta_desktop.db.migrations import ensure_schema

log = logging.getLogger(__name__)

DATABASE_URL_ENV = "INSIGHTA_DATABASE_URL"


@dataclass
class AppContext:
    paths: AppPaths
    settings: Settings
    credentials: CredentialStore
    engine: Engine
    database_url: str

    @property
    def database_label(self) -> str:
        return mask_url(self.database_url)

    @property
    def is_embedded(self) -> bool:
        return self.engine.dialect.name == "sqlite"

    def close(self) -> None:
        self.engine.dispose()


def resolve_database_url(explicit: str | None, settings: Settings, credentials: CredentialStore,
                         paths: AppPaths) -> str:
    """--db flag, then INSIGHTA_DATABASE_URL, then the settings (password from the keychain), then embedded."""
    if explicit:
        return explicit
    if os.environ.get(DATABASE_URL_ENV):
        return os.environ[DATABASE_URL_ENV]
    if settings.database_url:
        url = make_url(settings.database_url)
        password = credentials.get(CredentialStore.DATABASE_PASSWORD)
        if password and not url.password:
            url = url.set(password=password)
        return url.render_as_string(hide_password=False)
    return default_sqlite_url(paths.data_dir)


def store_database_url(url: str | None, settings: Settings, credentials: CredentialStore) -> None:
    """Keep the URL in the settings without its password; the password goes to the credential store."""
    if not url:
        settings.database_url = None
        credentials.delete(CredentialStore.DATABASE_PASSWORD)
        return
    parsed = normalise_url(url)
    credentials.set(CredentialStore.DATABASE_PASSWORD, parsed.password or "")
    # URL.set() ignores None, so build the URL again without the password.
    without_password = URL.create(parsed.drivername, parsed.username, None, parsed.host, parsed.port,
                                  parsed.database, parsed.query)
    settings.database_url = without_password.render_as_string(hide_password=False)


MEETMIND_URL_ENV = "INSIGHTA_MEETMIND_URL"


def store_meetmind_url(url: str | None, settings: Settings, credentials: CredentialStore) -> None:
    """The MeetMind URL goes to the settings without its password; the password to the credential store."""
    if not url:
        settings.meetmind_url = None
        credentials.delete(CredentialStore.MEETMIND_PASSWORD)
        return
    parsed = parse_meetmind_url(url)
    without_password = URL.create(parsed.drivername, parsed.username, None, parsed.host, parsed.port,
                                  parsed.database, parsed.query).render_as_string(hide_password=False)
    if parsed.password:
        credentials.set(CredentialStore.MEETMIND_PASSWORD, parsed.password)
    elif without_password != settings.meetmind_url:  # another server: the stored password was not for it
        credentials.delete(CredentialStore.MEETMIND_PASSWORD)
    settings.meetmind_url = without_password


def resolve_meetmind_url(explicit: str | None, settings: Settings, credentials: CredentialStore) -> str | None:
    """The URL given, then INSIGHTA_MEETMIND_URL, then the settings with the keychain's password (None: not set)."""
    if explicit:
        return explicit
    if os.environ.get(MEETMIND_URL_ENV):
        return os.environ[MEETMIND_URL_ENV]
    return with_stored_password(settings.meetmind_url, credentials, CredentialStore.MEETMIND_PASSWORD)


def with_stored_password(url: str | None, credentials: CredentialStore, name: str) -> str | None:
    """`url` with the stored secret `name` as its password when it has none of its own."""
    if not url:
        return None
    parsed = make_url(url)
    password = credentials.get(name)
    if password and not parsed.password:
        parsed = parsed.set(password=password)
    return parsed.render_as_string(hide_password=False)


def open_context(database_url: str | None = None, *, paths: AppPaths | None = None,
                 credentials: CredentialStore | None = None) -> AppContext:
    """Open (creating or upgrading) the database and return the shared services' collaborators."""
    paths = (paths or AppPaths.default()).ensure()
    settings = Settings.load(paths.settings_file)
    credentials = credentials or CredentialStore()
    url = resolve_database_url(database_url, settings, credentials, paths)
    engine = create_engine_for(url, pool_size=settings.pool_size,
                               statement_timeout_ms=settings.statement_timeout_ms)
    try:
        ensure_schema(engine, backup_dir=paths.data_dir / "backups")
    except Exception:
        engine.dispose()
        raise
    log.info("Using database %s", mask_url(url))
    return AppContext(paths, settings, credentials, engine, url)
