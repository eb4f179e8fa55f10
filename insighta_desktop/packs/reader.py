"""Open a review pack: check its signature and expiry, decrypt it in memory, check its contents, serve it read-only.

The decrypted database never touches the disk: every connection deserializes the payload into memory and is
set to query_only, so nothing can be written to it and nothing is left beside the pack.
"""
from __future__ import annotations

import contextlib
import json
import sqlite3
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import sqlalchemy as sa
from sqlalchemy.dialects.sqlite import dialect as sqlite_dialect
from sqlalchemy.engine import Engine
from sqlalchemy.schema import CreateTable

from insighta_desktop import __version__
from insighta_desktop.db import schema
from insighta_desktop.db.schema import SCHEMA_VERSION
from insighta_desktop.packs.container import PackHeader, SealedPack, is_sealed, parse
from insighta_desktop.packs.format import (
    APPLICATION_ID,
    FORMAT_NAME,
    MANIFEST_TABLE,
    PACK_TABLES,
    PAYLOAD_VERSION,
    SQLITE_MAGIC,
    Manifest,
    NotAPack,
    PackCorrupted,
    PackError,
    PackTampered,
    PackTooNew,
    digest_json,
    pack_tables,
    table_digest,
)

HEADER_SIZE = 100


class PackUnsealed(PackError):
    """A format 1 pack: a bare SQLite file, neither encrypted nor signed."""


@dataclass
class ReviewPack:
    """An open pack: its signed header, its manifest and a read-only engine over its tables."""

    path: Path
    header: PackHeader
    manifest: Manifest
    engine: Engine

    @property
    def label(self) -> str:
        return f"review pack {self.path.name}"

    @property
    def interview_ids(self) -> list[str]:
        return [entry.id for entry in self.manifest.interviews]

    def close(self) -> None:
        self.engine.dispose()


def _too_new(name: str, version: int, made_by: str | None = None) -> PackTooNew:
    by = f" by Insighta Desktop {made_by}" if made_by else ""
    return PackTooNew(f"{name} was made{by} with pack data format {version}; this Insighta Desktop ({__version__}) "
                      f"reads data format {PAYLOAD_VERSION} and older. Update the app to open it.")


def check_sqlite_header(header: bytes, size: int, name: str) -> None:
    """Refuse what is not a pack database, a truncated copy, or a newer format, from the 100-byte SQLite header."""
    if size == 0:
        raise PackCorrupted(f"{name} is empty (0 bytes): the copy or download did not finish. Copy the pack again.")
    if not header.startswith(SQLITE_MAGIC[:len(header)]) or len(header) < len(SQLITE_MAGIC):
        if header.startswith(SQLITE_MAGIC[:len(header)]):
            raise PackCorrupted(f"{name} is truncated: only {size} bytes are left. Copy the pack again.")
        raise NotAPack(f"{name} is not an Insighta review pack (it is not an SQLite file).")
    if len(header) < HEADER_SIZE:
        raise PackCorrupted(f"{name} is truncated: only {size} bytes are left. Copy the pack again.")
    page_size = int.from_bytes(header[16:18], "big")
    page_size = 65536 if page_size == 1 else page_size
    change_counter, page_count = int.from_bytes(header[24:28], "big"), int.from_bytes(header[28:32], "big")
    valid_for = int.from_bytes(header[92:96], "big")
    if change_counter == valid_for and page_count and size < page_count * page_size:
        raise PackCorrupted(f"{name} is truncated: it holds {size:,} of its {page_count * page_size:,} bytes "
                            "(the copy or download was cut short). Copy the pack again.")
    if int.from_bytes(header[68:72], "big") != APPLICATION_ID:
        raise NotAPack(f"{name} is an SQLite database but not an Insighta review pack.")
    user_version = int.from_bytes(header[60:64], "big")
    if user_version > PAYLOAD_VERSION:
        raise _too_new(name, user_version)


def _read(path: Path) -> bytes:
    try:
        return path.read_bytes()
    except FileNotFoundError:
        raise PackError(f"{path.name} does not exist") from None
    except IsADirectoryError:
        raise PackError(f"{path.name} is a folder, not a review pack") from None
    except OSError as exc:
        raise PackError(f"{path.name} cannot be read: {exc.strerror or exc}") from None


def read_sealed(path: Path | str, *, today: date | None = None) -> SealedPack:
    """Check the pack's structure, signature and (given `today`) expiry: everything that needs no passphrase."""
    path = Path(path)
    data = _read(path)
    if data and not is_sealed(data) and SQLITE_MAGIC.startswith(data[:len(SQLITE_MAGIC)]):
        check_sqlite_header(data[:HEADER_SIZE], len(data), path.name)
        raise PackUnsealed(f"{path.name} is an unencrypted, unsigned review pack from an older Insighta Desktop; "
                           "packs are now encrypted and signed. Ask the sender for a fresh pack.")
    sealed = parse(data, path.name)
    if today is not None:
        sealed.check_expiry(today)
    return sealed


def connect_payload(payload: bytes, missing: Sequence[sa.Table] = ()) -> sqlite3.Connection:
    """The payload, read-only; `missing` tables (newer than the pack) are there too, empty."""
    conn = sqlite3.connect(":memory:", check_same_thread=False)
    conn.deserialize(payload)
    for table in missing:
        ddl = str(CreateTable(table).compile(dialect=sqlite_dialect()))
        conn.execute(ddl.replace("CREATE TABLE", "CREATE TEMP TABLE", 1))
    conn.execute("PRAGMA query_only = ON")
    return conn


def _read_manifest(conn: sqlite3.Connection, name: str) -> Manifest:
    try:
        row = conn.execute(f'SELECT manifest_json FROM "{MANIFEST_TABLE}" WHERE id = 1').fetchone()
    except sqlite3.DatabaseError as exc:
        raise PackCorrupted(f"{name} is damaged: its manifest cannot be read ({exc}). Ask for the pack again.") \
            from None
    if row is None:
        raise PackCorrupted(f"{name} is damaged: its manifest is missing. Ask for the pack again.")
    try:
        data = json.loads(row[0])
    except (TypeError, ValueError):
        raise PackTampered(f"{name} was changed after export: its manifest is not valid JSON.") from None
    if not isinstance(data, dict) or data.get("format") != FORMAT_NAME:
        raise NotAPack(f"{name} is not an Insighta review pack (unknown manifest format).")
    version = data.get("format_version")
    if isinstance(version, int) and version > PAYLOAD_VERSION:
        raise _too_new(name, version, str(data.get("app_version", "")) or None)
    claimed = data.pop("manifest_sha256", None)
    if claimed != digest_json(data):
        raise PackTampered(f"{name} was changed after export: its manifest does not match its checksum. "
                           "Ask for a fresh pack.")
    try:
        manifest = Manifest.from_json(data)
    except (KeyError, TypeError, ValueError) as exc:
        raise PackCorrupted(f"{name} is damaged: its manifest is incomplete ({exc}).") from None
    if manifest.schema_version > SCHEMA_VERSION:
        raise _too_new(name, manifest.format_version, manifest.app_version)
    return manifest


def verify_payload(payload: bytes, name: str) -> Manifest:
    """Check the decrypted database whole and unchanged against its manifest; return the manifest."""
    check_sqlite_header(payload[:HEADER_SIZE], len(payload), name)
    try:
        with contextlib.closing(connect_payload(payload)) as conn:
            problems = [r[0] for r in conn.execute("PRAGMA quick_check(5)")]
            if problems != ["ok"]:
                raise PackCorrupted(f"{name} is damaged: {'; '.join(problems)}. Ask for the pack again.")
            manifest = _read_manifest(conn, name)
            tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
            held = pack_tables(manifest.schema_version)
            expected = set(held) | {MANIFEST_TABLE}
            if tables != expected or set(manifest.tables) != set(held):
                odd = sorted(tables ^ expected) or sorted(set(manifest.tables) ^ set(held))
                raise PackTampered(f"{name} was changed after export: unexpected or missing tables "
                                   f"({', '.join(odd)}).")
            for table, order in held.items():
                if table_digest(conn, table, order) != manifest.tables[table]:
                    raise PackTampered(f"{name} was changed or damaged after export: the {table} table does not "
                                       "match its checksum. Ask for a fresh pack.")
    except sqlite3.DatabaseError as exc:
        raise PackCorrupted(f"{name} is damaged ({exc}). Ask for the pack again.") from None
    return manifest


def unlock(path: Path | str, sealed: SealedPack, passphrase: str, *, today: date | None = None) -> ReviewPack:
    """Decrypt a checked pack with its passphrase, verify its contents and open it read-only, in memory."""
    if today is not None:
        sealed.check_expiry(today)
    payload = sealed.decrypt(passphrase)
    manifest = verify_payload(payload, sealed.name)
    # a pack from an older version lacks the tables added since; the services read them empty
    missing = [schema.metadata.tables[t] for t in PACK_TABLES if t not in pack_tables(manifest.schema_version)]
    creator: Callable[[], sqlite3.Connection] = lambda: connect_payload(payload, missing)  # noqa: E731
    engine = sa.create_engine("sqlite+pysqlite://", creator=creator, poolclass=sa.pool.QueuePool, pool_size=2,
                              max_overflow=8)
    return ReviewPack(Path(path), sealed.header, manifest, engine)


def open_pack(path: Path | str, passphrase: str, *, today: date | None = None) -> ReviewPack:
    """Check, decrypt and open the pack (refused when expired on `today`, by default the local date)."""
    today = today or date.today()
    return unlock(path, read_sealed(path, today=today), passphrase, today=today)


def verify(path: Path | str, passphrase: str, *, today: date | None = None) -> Manifest:
    """Check the whole pack and return its manifest; raise a PackError subclass naming the problem."""
    sealed = read_sealed(path, today=today or date.today())
    return verify_payload(sealed.decrypt(passphrase), sealed.name)
