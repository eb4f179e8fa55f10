"""The installation's Ed25519 signing key for review packs, kept in the credential store, and key fingerprints.

The key is made once per installation and its private half lives in the system keychain through
`CredentialStore`. Where there is no keychain the store keeps secrets for the current run only (never on disk),
and so does this key: packs are still signed, but with a key that the next run will not have, so reviewers
see a new signer each time. `SigningIdentity.persistent` says which, and `keychain_notice` is what to tell the user.
"""
from __future__ import annotations

import base64
import binascii
import getpass
import hashlib
import logging
import socket
from dataclasses import dataclass

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from insighta_desktop.config import CredentialStore

log = logging.getLogger(__name__)

SIGNING_KEY_NAME = "pack_signing_key"  # the credential store entry: the raw 32-byte private key, base64
MAX_NAME_LENGTH = 80
SESSION_ONLY_NOTICE = ("No system keychain is available here, so packs are signed with a key kept for this session "
                       "only: reviewers will see a new, untrusted signer for every session's packs.")


def fingerprint(public_key: bytes) -> str:
    """SHA-256 of the raw public key, as 16 groups of 4 upper-case hex digits."""
    digest = hashlib.sha256(public_key).hexdigest().upper()
    return " ".join(digest[i:i + 4] for i in range(0, len(digest), 4))


def raw_public_key(key: Ed25519PrivateKey | Ed25519PublicKey) -> bytes:
    public = key.public_key() if isinstance(key, Ed25519PrivateKey) else key
    return public.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)


def default_signer_name() -> str:
    try:
        user = getpass.getuser()
    except (KeyError, OSError):  # no login name (some containers)
        user = "Insighta"
    return f"{user} on {socket.gethostname() or 'this computer'}"


def clean_signer_name(name: str | None) -> str:
    text = " ".join((name or "").split())[:MAX_NAME_LENGTH]
    return text or default_signer_name()


@dataclass(frozen=True)
class SigningIdentity:
    """Who signs the packs this installation exports: a display name and the Ed25519 key."""

    name: str
    private_key: Ed25519PrivateKey
    persistent: bool  # False: the key lives for this session only (no keychain)

    @property
    def public_key(self) -> bytes:
        return raw_public_key(self.private_key)

    @property
    def fingerprint(self) -> str:
        return fingerprint(self.public_key)

    @property
    def keychain_notice(self) -> str | None:
        return None if self.persistent else SESSION_ONLY_NOTICE

    def sign(self, data: bytes) -> bytes:
        return self.private_key.sign(data)

    @classmethod
    def ephemeral(cls, name: str) -> SigningIdentity:
        """A throwaway key that is never stored (self-test, benchmarks)."""
        return cls(clean_signer_name(name), Ed25519PrivateKey.generate(), persistent=False)


def _decode_private(text: str) -> Ed25519PrivateKey | None:
    try:
        raw = base64.b64decode(text, validate=True)
        return Ed25519PrivateKey.from_private_bytes(raw)
    except (binascii.Error, ValueError):
        return None


def installation_key(credentials: CredentialStore, *, create: bool = True) -> tuple[Ed25519PrivateKey | None, bool]:
    """The installation's signing key (made and stored on first use when `create`) and whether it is kept."""
    stored = credentials.get(SIGNING_KEY_NAME)
    if stored:
        key = _decode_private(stored)
        if key is not None:
            return key, credentials.in_keychain(SIGNING_KEY_NAME)
        log.warning("The stored review pack signing key is unreadable; making a new one")
    if not create:
        return None, False
    key = Ed25519PrivateKey.generate()
    raw = key.private_bytes(serialization.Encoding.Raw, serialization.PrivateFormat.Raw,
                            serialization.NoEncryption())
    persistent = credentials.set(SIGNING_KEY_NAME, base64.b64encode(raw).decode("ascii"))
    log.info("Made this installation's review pack signing key (%s)",
             "in the keychain" if persistent else "for this session only")
    return key, persistent


def load_identity(credentials: CredentialStore, name: str | None = None) -> SigningIdentity:
    """This installation's identity, making its key on first use."""
    key, persistent = installation_key(credentials, create=True)
    assert key is not None
    return SigningIdentity(clean_signer_name(name), key, persistent)


def own_public_key(credentials: CredentialStore) -> bytes | None:
    """The installation's public key if it has one already (never makes one)."""
    key, _ = installation_key(credentials, create=False)
    return raw_public_key(key) if key is not None else None
