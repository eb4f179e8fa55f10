"""Change a pack the way someone holding its passphrase and the exporter's key could: decrypt, edit, seal again.

The container's signature and AES-GCM tag then check out, so what these tests prove is that the payload's own
manifest and checksums still catch the change (or a damaged database) on every open.
"""
from __future__ import annotations

import tempfile
from collections.abc import Callable
from pathlib import Path

from insighta_desktop.packs import SigningIdentity, read_sealed
from insighta_desktop.packs.container import seal
from tests.integration.packs.packdata import PASSPHRASE, TEST_SIGNER


def reseal(path: Path, change_file: Callable[[Path], object] | None = None,
           change_bytes: Callable[[bytes], bytes] | None = None, *, signer: SigningIdentity = TEST_SIGNER,
           passphrase: str = PASSPHRASE) -> None:
    sealed = read_sealed(path)
    payload = sealed.decrypt(passphrase)
    if change_file is not None:
        with tempfile.TemporaryDirectory(prefix="forge-") as tmp:
            database = Path(tmp) / "payload.db"
            database.write_bytes(payload)
            change_file(database)
            payload = database.read_bytes()
    if change_bytes is not None:
        payload = change_bytes(payload)
    header = sealed.header
    path.write_bytes(seal(payload, passphrase, signer, created_at=header.created_at, expires=header.expires,
                          kdf=header.kdf, contents=header.contents))
