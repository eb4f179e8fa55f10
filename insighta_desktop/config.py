"""Where things live (platformdirs), the non-secret settings file, and the one credential store (keyring)."""
from __future__ import annotations

import dataclasses
import json
import logging
import os
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from platformdirs import PlatformDirs

if TYPE_CHECKING:  # keyring loads its backends when imported: the store imports it on first use, not at start-up
    import keyring.backend

log = logging.getLogger(__name__)

APP_NAME = "Insighta Desktop"
APP_AUTHOR = "Insighta"
KEYRING_SERVICE = "insighta-desktop"
HOME_ENV = "INSIGHTA_HOME"  # one folder for data, config and logs (portable installs, tests)


@dataclass(frozen=True)
class AppPaths:
    data_dir: Path
    config_dir: Path
    log_dir: Path

    @classmethod
    def default(cls) -> AppPaths:
        home = os.environ.get(HOME_ENV)
        if home:
            return cls.under(Path(home))
        dirs = PlatformDirs(APP_NAME, APP_AUTHOR)
        return cls(Path(dirs.user_data_dir), Path(dirs.user_config_dir), Path(dirs.user_log_dir))

    @classmethod
    def under(cls, root: Path) -> AppPaths:
        return cls(root / "data", root / "config", root / "logs")

    @property
    def settings_file(self) -> Path:
        return self.config_dir / "settings.json"

    def ensure(self) -> AppPaths:
        for d in (self.data_dir, self.config_dir, self.log_dir):
            d.mkdir(parents=True, exist_ok=True)
        return self


@dataclass
class Settings:
    """Every non-secret setting with its default, in one place. Secrets never go here."""
    database_url: str | None = None  # None: the embedded SQLite database; stored without its password
    pool_size: int = 5
    statement_timeout_ms: int = 30_000
    gemini_model: str = "gemini-2.5-flash"
    gemini_base_url: str | None = None
    resend_sender: str = "Insighta <onboarding@resend.dev>"
    resend_api_url: str | None = None
    import_batch_size: int = 10_000
    search_cache_ttl_s: float = 300.0
    search_cache_size: int = 256
    meetmind_url: str | None = None  # the MeetMind database interviews are synced from; stored without its password
    pack_signer_name: str | None = None  # the name review packs are signed with; None: "user on host"

    @classmethod
    def load(cls, path: Path) -> Settings:
        try:
            raw = json.loads(path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            return cls()
        except (OSError, ValueError) as exc:
            log.warning("Ignoring unreadable settings file %s: %s", path, exc)
            return cls()
        known = {f.name for f in dataclasses.fields(cls)}
        return cls(**{k: v for k, v in raw.items() if k in known})

    def save(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(".tmp")
        tmp.write_text(json.dumps(dataclasses.asdict(self), indent=2, sort_keys=True), encoding="utf-8")
        tmp.replace(path)


# Keychains we trust with secrets. Anything else (the null/fail backends, plaintext files) is refused.
TRUSTED_BACKEND_MODULES = (
    "keyring.backends.SecretService",
    "keyring.backends.libsecret",
    "keyring.backends.kwallet",
    "keyring.backends.macOS",
    "keyring.backends.Windows",
)


class CredentialStore:
    """Secrets in the OS keychain; without a usable keychain, in memory for this run only — never on disk.

    The keychain is read once per secret (a read can mean a D-Bus round trip or an unlock prompt) and what it
    answered is kept in memory; what this store writes updates that copy.
    """

    GEMINI_API_KEY = "gemini_api_key"
    RESEND_API_KEY = "resend_api_key"
    DATABASE_PASSWORD = "database_password"
    DATABASE_SSLPASSWORD = "database_sslpassword"
    MEETMIND_PASSWORD = "meetmind_password"
    MEETMIND_SSLPASSWORD = "meetmind_sslpassword"
    NAME_PREDICTION_API_KEY = "name_prediction_api_key"  # Genderize, Agify and Nationalize share one key
    NAMES = (GEMINI_API_KEY, RESEND_API_KEY, DATABASE_PASSWORD, DATABASE_SSLPASSWORD, MEETMIND_PASSWORD,
             MEETMIND_SSLPASSWORD, NAME_PREDICTION_API_KEY)

    def __init__(self, backend: keyring.backend.KeyringBackend | None = None,
                 trusted_modules: tuple[str, ...] = TRUSTED_BACKEND_MODULES, service: str = KEYRING_SERVICE):
        self._service = service
        self._session: dict[str, str] = {}
        self._read: dict[str, str | None] = {}  # the keychain's answers, read once
        self._given = backend
        self._trusted_modules = trusted_modules
        self._chosen: tuple[keyring.backend.KeyringBackend | None, str] | None = None

    def _choose(self) -> tuple[keyring.backend.KeyringBackend | None, str]:
        """The keychain, found on first use: finding it imports and probes every keyring back end (a fifth of a
        second or more), which a command given its database URL never needs."""
        if self._chosen is None:
            import keyring

            candidate = self._given if self._given is not None else keyring.get_keyring()
            self._chosen = (candidate if _is_trusted(candidate, self._trusted_modules) else None,
                            _describe(candidate))
        return self._chosen

    @property
    def _backend(self) -> keyring.backend.KeyringBackend | None:
        return self._choose()[0]

    @property
    def backend_name(self) -> str:
        return self._choose()[1]

    @property
    def persistent(self) -> bool:
        return self._backend is not None

    @property
    def status(self) -> str:
        if self.persistent:
            return f"Secrets are stored in the system keychain ({self.backend_name})."
        return ("No system keychain is available here; secrets are kept for this session only "
                "and will be asked for again next time.")

    def get(self, name: str) -> str | None:
        import keyring.errors

        if name in self._session:
            return self._session[name]
        if self._backend is None:
            return None
        if name not in self._read:
            try:
                self._read[name] = self._backend.get_password(self._service, name)
            except keyring.errors.KeyringError as exc:  # not remembered: an unlocked keychain may answer later
                log.warning("The keychain could not be read (%s); is it locked?", type(exc).__name__)
                return None
        return self._read[name]

    def read_all(self) -> None:
        """Read every secret the app uses now (off the GUI thread), so later reads wait for nothing."""
        for name in self.NAMES:
            self.get(name)

    def set(self, name: str, value: str | None) -> bool:
        """Store (or with an empty value, delete) a secret; True when the keychain holds it, False for this session."""
        import keyring.errors

        if not value:
            self.delete(name)
            return False
        if self._backend is None:
            self._session[name] = value
            return False
        try:
            self._backend.set_password(self._service, name, value)
            self._session.pop(name, None)
            self._read[name] = value
            return True
        except keyring.errors.KeyringError as exc:
            log.warning("The keychain refused the secret (%s); keeping it for this session only", type(exc).__name__)
            self._session[name] = value
            return False

    def in_keychain(self, name: str) -> bool:
        """Whether the secret `name` comes from the keychain (False: kept for this session only, or absent)."""
        return self._backend is not None and name not in self._session

    def delete(self, name: str) -> None:
        import keyring.errors

        self._session.pop(name, None)
        if self._backend is not None:
            self._read.pop(name, None)
            try:
                self._backend.delete_password(self._service, name)
            except keyring.errors.PasswordDeleteError:
                pass
            except keyring.errors.KeyringError as exc:
                log.warning("The keychain could not delete a secret (%s)", type(exc).__name__)
                return
            self._read[name] = None


def _is_trusted(backend: keyring.backend.KeyringBackend, trusted: tuple[str, ...]) -> bool:
    backends = getattr(backend, "backends", None)  # the chainer: trusted if any link is
    if backends is not None:
        return any(_is_trusted(b, trusted) for b in backends)
    return type(backend).__module__.startswith(trusted)


def _describe(backend: keyring.backend.KeyringBackend) -> str:
    return getattr(backend, "name", None) or type(backend).__name__
