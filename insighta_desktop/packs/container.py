"""The sealed pack container: a signed plaintext header, then the SQLite pack encrypted with AES-256-GCM.

The layout is described in the package docstring (insighta_desktop/packs/__init__.py). This module only turns
bytes into bytes: `seal` encrypts and signs a payload, `parse` checks a file's structure and signature without
the passphrase, `SealedPack.decrypt` needs the passphrase. The cryptography comes from `cryptography`
(Argon2id or scrypt, AESGCM, Ed25519); nothing here is home-made.
"""
from __future__ import annotations

import base64
import binascii
import json
import os
import struct
import unicodedata
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from cryptography.exceptions import InvalidSignature, InvalidTag, UnsupportedAlgorithm
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from insighta_desktop import __version__
from insighta_desktop.packs.format import NotAPack, PackCorrupted, PackError, PackTampered, PackTooNew
from insighta_desktop.packs.kdf import KdfParams, kdf_from_json
from insighta_desktop.packs.signing import MAX_NAME_LENGTH, SigningIdentity
from insighta_desktop.packs.trust import Signer

MAGIC = b"\x89INSPACK\r\n\x1a\n"  # the high-bit byte and CR LF catch 7-bit and text-mode transfers
FORMAT_VERSION = 2  # format 1 was the bare SQLite file, unencrypted and unsigned
PREFIX = struct.Struct(">12sHI")  # magic, format version, header length
SIGNATURE_SIZE = 64
SALT_SIZE, NONCE_SIZE, KEY_SIZE, TAG_SIZE = 16, 12, 32, 16
MAX_HEADER_SIZE = 64 * 1024
CIPHER = "AES-256-GCM"
MIN_PASSPHRASE_LENGTH = 10


class WrongPassphrase(PackError):
    pass


class PackExpired(PackError):
    pass


def passphrase_bytes(passphrase: str) -> bytes:
    """NFC first, so a passphrase typed on macOS and on Windows gives the same key."""
    return unicodedata.normalize("NFC", passphrase).encode("utf-8")


def check_passphrase(passphrase: str) -> None:
    if len(unicodedata.normalize("NFC", passphrase)) < MIN_PASSPHRASE_LENGTH:
        raise PackError(f"Choose a passphrase of at least {MIN_PASSPHRASE_LENGTH} characters: the pack carries "
                        "candidates' personal data and can be attacked offline.")


def passphrase_from_file(path: Path) -> str:
    """The first line of `path` (its line ending removed, nothing else), for scripts that must not prompt."""
    try:
        text = Path(path).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        reason = getattr(exc, "strerror", None) or exc
        raise PackError(f"cannot read the passphrase file {path}: {reason}") from None
    lines = text.splitlines()
    if not lines or not lines[0]:
        raise PackError(f"the passphrase file {path} is empty: its first line is the passphrase")
    return lines[0]


def day_text(day: date) -> str:
    return f"{day.day} {day:%b %Y}"


def display_name(value: Any) -> str:
    """A signer's name as shown: one line of printable characters, whatever a crafted header holds."""
    text = "".join(ch for ch in " ".join(str(value).split()) if ch.isprintable())
    return text[:MAX_NAME_LENGTH] or "(no name)"


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def _unb64(text: Any, size: int, what: str) -> bytes:
    try:
        raw = base64.b64decode(str(text), validate=True)
    except (binascii.Error, ValueError):
        raise ValueError(f"{what} is not base64") from None
    if len(raw) != size:
        raise ValueError(f"{what} has {len(raw)} bytes, not {size}")
    return raw


@dataclass(frozen=True)
class PackHeader:
    """The plaintext header: readable without the passphrase, covered by the signature and bound to the ciphertext."""

    signer: Signer
    created_at: str  # ISO 8601, UTC
    app_version: str
    expires: date | None
    kdf: KdfParams
    salt: bytes
    nonce: bytes
    ciphertext_bytes: int
    contents: dict[str, Any] = field(default_factory=dict)  # counts only: no names, no query text
    cipher: str = CIPHER

    def to_json(self) -> dict[str, Any]:
        return {
            "signer": {"name": self.signer.name, "public_key": _b64(self.signer.public_key)},
            "created_at": self.created_at, "app_version": self.app_version,
            "expires": self.expires.isoformat() if self.expires else None,
            "kdf": self.kdf.to_json(), "salt": _b64(self.salt), "cipher": self.cipher, "nonce": _b64(self.nonce),
            "ciphertext_bytes": self.ciphertext_bytes, "contents": self.contents,
        }

    def encode(self) -> bytes:
        return json.dumps(self.to_json(), ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode("utf-8")

    @classmethod
    def decode(cls, raw: bytes) -> PackHeader:
        data = json.loads(raw.decode("utf-8"))
        if not isinstance(data, dict):
            raise ValueError("the header is not a JSON object")
        signer = data["signer"]
        if data.get("cipher") != CIPHER:
            raise ValueError(f"unknown cipher {data.get('cipher')!r}")
        expires = data.get("expires")
        size = int(data["ciphertext_bytes"])
        if size < TAG_SIZE:
            raise ValueError("the ciphertext size is too small")
        return cls(
            signer=Signer(display_name(signer["name"]), _unb64(signer["public_key"], 32, "the signer's public key")),
            created_at=str(data["created_at"]), app_version=str(data["app_version"]),
            expires=date.fromisoformat(expires) if expires else None, kdf=kdf_from_json(data["kdf"]),
            salt=_unb64(data["salt"], SALT_SIZE, "the salt"), nonce=_unb64(data["nonce"], NONCE_SIZE, "the nonce"),
            ciphertext_bytes=size, contents=dict(data.get("contents") or {}))


@dataclass(frozen=True)
class SealedPack:
    """A pack whose structure and signature have been checked; its contents still need the passphrase."""

    name: str
    header: PackHeader
    associated_data: bytes  # magic, version, length and header: what AES-GCM authenticates along the ciphertext
    ciphertext: bytes

    @property
    def signer(self) -> Signer:
        return self.header.signer

    def expired(self, today: date) -> bool:
        return self.header.expires is not None and today > self.header.expires

    def expiry_message(self) -> str:
        expires = self.header.expires
        return (f"This pack expired on {day_text(expires) if expires else '?'}: {self.name} can no longer be "
                f"opened. Ask {self.signer.name} for a fresh pack.")

    def check_expiry(self, today: date) -> None:
        if self.expired(today):
            raise PackExpired(self.expiry_message())

    def decrypt(self, passphrase: str) -> bytes:
        try:
            key = self.header.kdf.derive(passphrase_bytes(passphrase), self.header.salt)
        except UnsupportedAlgorithm:
            raise PackError(f"{self.name} needs {self.header.kdf.describe()}, which this installation's cryptography "
                            "library lacks. Update Insighta Desktop to open it.") from None
        try:
            return AESGCM(key).decrypt(self.header.nonce, self.ciphertext, self.associated_data)
        except InvalidTag:
            raise WrongPassphrase(f"Wrong passphrase for {self.name}.") from None


def seal(payload: bytes, passphrase: str, identity: SigningIdentity, *, created_at: str, expires: date | None,
         kdf: KdfParams, contents: dict[str, Any]) -> bytes:
    """Encrypt `payload` under a key derived from the passphrase, then sign the whole file."""
    check_passphrase(passphrase)
    salt, nonce = os.urandom(SALT_SIZE), os.urandom(NONCE_SIZE)
    header = PackHeader(Signer(identity.name, identity.public_key), created_at, __version__, expires, kdf, salt,
                        nonce, len(payload) + TAG_SIZE, contents).encode()
    associated = PREFIX.pack(MAGIC, FORMAT_VERSION, len(header)) + header
    key = kdf.derive(passphrase_bytes(passphrase), salt)
    body = associated + AESGCM(key).encrypt(nonce, payload, associated)
    return body + identity.sign(body)


def _truncated(name: str, size: int, expected: int | None = None) -> PackCorrupted:
    holds = f"it holds {size:,} of its {expected:,} bytes" if expected else f"only {size:,} bytes are left"
    return PackCorrupted(f"{name} is truncated: {holds} (the copy or download was cut short). Copy the pack again.")


def _too_new(name: str, version: int, made_by: str | None = None) -> PackTooNew:
    by = f" by Insighta Desktop {made_by}" if made_by else ""
    return PackTooNew(f"{name} was made{by} in review pack format {version}; this Insighta Desktop ({__version__}) "
                      f"reads format {FORMAT_VERSION} and older. Update the app to open it.")


def is_sealed(data: bytes) -> bool:
    return data.startswith(MAGIC) or (0 < len(data) < len(MAGIC) and MAGIC.startswith(data))


def parse(data: bytes, name: str) -> SealedPack:
    """Check the container's structure and signature (no passphrase needed); raise a PackError naming the problem."""
    if not data:
        raise PackCorrupted(f"{name} is empty (0 bytes): the copy or download did not finish. Copy the pack again.")
    if not data.startswith(MAGIC):
        if MAGIC.startswith(data):
            raise _truncated(name, len(data))
        raise NotAPack(f"{name} is not an Insighta review pack.")
    if len(data) < PREFIX.size:
        raise _truncated(name, len(data))
    _, version, header_size = PREFIX.unpack_from(data)
    if version > FORMAT_VERSION:
        raise _too_new(name, version)
    if version != FORMAT_VERSION or header_size > MAX_HEADER_SIZE:
        raise PackCorrupted(f"{name} is damaged: its header is unreadable. Ask for the pack again.")
    if len(data) < PREFIX.size + header_size:
        raise _truncated(name, len(data))
    raw_header = data[PREFIX.size:PREFIX.size + header_size]
    try:
        header = PackHeader.decode(raw_header)
    except (KeyError, TypeError, ValueError, UnicodeDecodeError) as exc:
        reason = exc.args[0] if isinstance(exc, ValueError) and exc.args else type(exc).__name__
        raise PackCorrupted(f"{name} is damaged: its header cannot be read ({reason}). Ask for the pack again.") \
            from None
    expected = PREFIX.size + header_size + header.ciphertext_bytes + SIGNATURE_SIZE
    if len(data) < expected:
        raise _truncated(name, len(data), expected)
    if len(data) > expected:
        raise PackTampered(f"{name} was changed after it was signed: {len(data) - expected:,} bytes were added to "
                           "its end. Ask for a fresh pack.")
    signed, signature = data[:-SIGNATURE_SIZE], data[-SIGNATURE_SIZE:]
    try:
        Ed25519PublicKey.from_public_bytes(header.signer.public_key).verify(signature, signed)
    except (InvalidSignature, ValueError):
        raise PackTampered(f"{name} was changed or damaged after it was signed: its signature does not match. "
                           "Ask for a fresh pack.") from None
    return SealedPack(name, header, data[:PREFIX.size + header_size], data[PREFIX.size + header_size:-SIGNATURE_SIZE])

