"""Review packs: interviews (and a profile search result) exported to one portable file, opened offline.

A pack carries candidates' personal data to reviewers' laptops, so it is encrypted with a passphrase chosen at
export and signed with the exporting installation's Ed25519 key. Candidates' email addresses and phone numbers
are masked at export unless the exporter turns that off (redaction.py).

File format 2 (``.insighta-pack``)::

    offset       size  field
    0            12    magic b"\\x89INSPACK\\r\\n\\x1a\\n"
    12           2     format version, unsigned big-endian (2)
    14           4     H: header length in bytes, unsigned big-endian (at most 64 KiB)
    18           H     header: UTF-8 JSON object, sorted keys, no spaces (below)
    18+H         C     AES-256-GCM ciphertext of the payload, 16-byte tag included; C is the header's
                       ``ciphertext_bytes``; the associated data is bytes 0 .. 18+H (magic, version, length, header)
    18+H+C       64    Ed25519 signature over bytes 0 .. 18+H+C (everything before it)

The header, readable without the passphrase (``insighta pack info``)::

    signer            {"name": display name, "public_key": raw 32-byte Ed25519 key, base64}
    created_at        ISO 8601 UTC          app_version   the exporting app's version
    expires           "YYYY-MM-DD" or null: the last day the pack opens (the reviewer's local date)
    kdf               {"name": "argon2id", "iterations", "lanes", "memory_kib"}
                      or {"name": "scrypt", "n", "r", "p"}; the key is 32 bytes from the NFC-normalised
                      UTF-8 passphrase
    salt              16 bytes, base64      nonce   12 bytes, base64      cipher   "AES-256-GCM"
    ciphertext_bytes  C
    contents          counts only: interviews, transcript_turns, assessments, chat_messages, profiles,
                      search (true/false), redacted ({"emails": n, "phones": n} or null). No names, no query.

The payload is the pack database of format 1: an SQLite file (application_id "INSP", user_version 1) with
copies of the app's interview tables and a manifest holding a SHA-256 of every table (format.py).

Opening checks, in order: magic, version and structure (truncated, damaged, newer: refused); the signature
(any changed byte: refused); the expiry date; then, with the passphrase, the AES-GCM tag (wrong passphrase:
asked again); then the payload against its manifest. Whether the signer is trusted is decided by the reader's
trust-on-first-use store (trust.py), shown beside the fingerprint (SHA-256 of the public key, grouped hex).
A format 1 file (the bare SQLite database) is refused as unencrypted and unsigned.
"""
from insighta_desktop.packs.container import FORMAT_VERSION, PackExpired, SealedPack, WrongPassphrase
from insighta_desktop.packs.format import (
    FILE_SUFFIX,
    Manifest,
    NotAPack,
    PackCorrupted,
    PackError,
    PackTampered,
    PackTooNew,
)
from insighta_desktop.packs.reader import PackUnsealed, ReviewPack, open_pack, read_sealed, unlock, verify
from insighta_desktop.packs.search_snapshot import SearchSnapshot, snapshot_search
from insighta_desktop.packs.signing import SigningIdentity, load_identity
from insighta_desktop.packs.trust import Signer, TrustStore, TrustVerdict
from insighta_desktop.packs.writer import export_pack

__all__ = ["FILE_SUFFIX", "FORMAT_VERSION", "Manifest", "NotAPack", "PackCorrupted", "PackError", "PackExpired",
           "PackTampered", "PackTooNew", "PackUnsealed", "ReviewPack", "SealedPack", "SearchSnapshot", "Signer",
           "SigningIdentity", "TrustStore", "TrustVerdict", "WrongPassphrase", "export_pack", "load_identity",
           "open_pack", "read_sealed", "snapshot_search", "unlock", "verify"]
