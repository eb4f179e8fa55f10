"""Separate installations of the app on one machine: each its own INSIGHTA_HOME folder and its own keychain."""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from insighta_desktop.config import AppPaths, CredentialStore
from insighta_desktop.packs import SealedPack, SigningIdentity, TrustStore, TrustVerdict, load_identity, read_sealed
from insighta_desktop.packs.signing import own_public_key
from tests.fakes.memory_keyring import MemoryKeyring


@dataclass
class Installation:
    home: Path
    keyring: MemoryKeyring = field(default_factory=MemoryKeyring)

    @property
    def paths(self) -> AppPaths:
        return AppPaths.under(self.home).ensure()

    def credentials(self) -> CredentialStore:
        """A fresh store over this installation's keychain, as each run of the app makes one."""
        return CredentialStore(self.keyring, trusted_modules=(MemoryKeyring.__module__,))

    @property
    def trust(self) -> TrustStore:
        return TrustStore.in_config_dir(self.paths.config_dir)

    def identity(self, name: str) -> SigningIdentity:
        return load_identity(self.credentials(), name)

    def inspect(self, path: Path) -> tuple[SealedPack, TrustVerdict]:
        sealed = read_sealed(path)
        return sealed, self.trust.verdict(sealed.signer, own_public_key(self.credentials()))
