"""Which pack signers this installation trusts: trust on first use, kept in the config folder.

`trusted_signers.json` maps a key's fingerprint to the name it came with and when it was first trusted. A pack
signed by a key on that list is trusted; a key never seen is an unknown signer (the app asks before trusting it);
a new key for a name already on the list means the name's key changed, which deserves a warning: the pack may
come from someone else using that name.
"""
from __future__ import annotations

import json
import logging
import os
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Final, Literal

from insighta_desktop.packs.signing import fingerprint

log = logging.getLogger(__name__)

TRUST_FILE = "trusted_signers.json"
TrustStatus = Literal["own", "trusted", "unknown", "key_changed"]
OWN: Final = "own"
TRUSTED: Final = "trusted"
UNKNOWN: Final = "unknown"
KEY_CHANGED: Final = "key_changed"


@dataclass(frozen=True)
class Signer:
    """The signer a pack names: a display name and an Ed25519 public key (raw, 32 bytes)."""

    name: str
    public_key: bytes

    @property
    def fingerprint(self) -> str:
        return fingerprint(self.public_key)


@dataclass(frozen=True)
class TrustedSigner:
    fingerprint: str
    name: str
    first_seen: str  # ISO 8601, UTC


def _day(iso: str) -> str:
    try:
        moment = datetime.fromisoformat(iso)
    except ValueError:
        return iso
    return f"{moment.day} {moment:%b %Y}"


def _same_name(a: str, b: str) -> bool:
    return " ".join(a.split()).casefold() == " ".join(b.split()).casefold()


@dataclass(frozen=True)
class TrustVerdict:
    """What this installation knows about a pack's signer, with the lines to show for it."""

    status: TrustStatus
    signer: Signer
    known: TrustedSigner | None = None  # the entry for this key, when trusted
    previous: list[TrustedSigner] = field(default_factory=list)  # other keys trusted under this name

    @property
    def trusted(self) -> bool:
        return self.status in (OWN, TRUSTED)

    @property
    def label(self) -> str:
        return {OWN: "this installation", TRUSTED: "trusted", UNKNOWN: "not trusted: unknown signer",
                KEY_CHANGED: "not trusted: key changed"}[self.status]

    def summary(self) -> str:
        """One line: who signed, their fingerprint, and whether they are trusted."""
        name, fp = self.signer.name, self.signer.fingerprint
        if self.status == OWN:
            return f"Signed by {name} (this installation) · fingerprint {fp}"
        if self.status == TRUSTED and self.known is not None:
            alias = f", known here as {self.known.name}" if not _same_name(self.known.name, name) else ""
            return f"Signed by {name} · fingerprint {fp} · trusted since {_day(self.known.first_seen)}{alias}"
        return f"Signed by {name} · fingerprint {fp} · NOT trusted"

    def warning(self) -> str | None:
        """One line for an unknown signer or a changed key; None when the signer is trusted."""
        name = self.signer.name
        if self.status == UNKNOWN:
            return (f"Unknown signer: no pack signed by {name} with this key was opened here before. Check the "
                    "fingerprint with the sender before trusting it.")
        if self.status == KEY_CHANGED:
            before = self.previous[0]
            return (f"Warning: {name}'s key has changed (the key trusted on {_day(before.first_seen)} has fingerprint "
                    f"{before.fingerprint}). This pack may not come from {name}: check with the sender.")
        return None


class TrustStore:
    """The trusted-signers file; every method reads it afresh, so two windows never disagree."""

    def __init__(self, path: Path, *, now: Callable[[], datetime] = lambda: datetime.now(UTC)):
        self.path = Path(path)
        self._now = now

    @classmethod
    def in_config_dir(cls, config_dir: Path) -> TrustStore:
        return cls(Path(config_dir) / TRUST_FILE)

    def signers(self) -> list[TrustedSigner]:
        try:
            data = json.loads(self.path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            return []
        except (OSError, ValueError) as exc:
            log.warning("Ignoring unreadable trusted signers file %s: %s", self.path, exc)
            return []
        entries = data.get("signers", {}) if isinstance(data, dict) else {}
        return [TrustedSigner(fp, str(e.get("name", "")), str(e.get("first_seen", "")))
                for fp, e in entries.items() if isinstance(e, dict)]

    def verdict(self, signer: Signer, own_public_key: bytes | None = None) -> TrustVerdict:
        if own_public_key is not None and own_public_key == signer.public_key:
            return TrustVerdict(OWN, signer)
        entries = self.signers()
        fp = signer.fingerprint
        for entry in entries:
            if entry.fingerprint == fp:
                return TrustVerdict(TRUSTED, signer, known=entry)
        same_name = [e for e in entries if _same_name(e.name, signer.name)]
        if same_name:
            return TrustVerdict(KEY_CHANGED, signer, previous=same_name)
        return TrustVerdict(UNKNOWN, signer)

    def trust(self, signer: Signer) -> TrustedSigner:
        """Record the signer's key as trusted (kept as it is when already there)."""
        entries = {e.fingerprint: e for e in self.signers()}
        entry = entries.get(signer.fingerprint)
        if entry is None:
            entry = TrustedSigner(signer.fingerprint, signer.name,
                                  self._now().astimezone(UTC).isoformat(timespec="seconds"))
            entries[entry.fingerprint] = entry
            self._save(entries)
        return entry

    def _save(self, entries: dict[str, TrustedSigner]) -> None:
        body: dict[str, Any] = {"version": 1, "signers": {
            fp: {"name": e.name, "first_seen": e.first_seen} for fp, e in sorted(entries.items())}}
        self.path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=".trusted-", suffix=".tmp", dir=self.path.parent)
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as fh:
                json.dump(body, fh, indent=2, ensure_ascii=False)
            os.replace(tmp, self.path)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
