"""Open a review pack read-only, after checking it is whole, unchanged and in a format this app reads."""
from __future__ import annotations

import contextlib
import json
import sqlite3
from dataclasses import dataclass
from pathlib import Path

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from insighta_desktop import __version__
from insighta_desktop.db.schema import SCHEMA_VERSION
from insighta_desktop.packs.format import (
    APPLICATION_ID, FORMAT_NAME, FORMAT_VERSION, MANIFEST_TABLE, PACK_TABLES, SQLITE_MAGIC, Manifest, NotAPack,
    PackCorrupted, PackError, PackTampered, PackTooNew, digest_json, table_digest)

HEADER_SIZE = 100


@dataclass
class ReviewPack:
    """An open pack: its manifest and a read-only engine over its tables."""

    path: Path
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
    return PackTooNew(f"{name} was made{by} in review pack format {version}; this Insighta Desktop ({__version__}) "
                      f"reads format {FORMAT_VERSION} and older. Update the app to open it.")


def check_header(path: Path) -> None:
    """Refuse what is not a pack, a truncated copy, or a newer format, from the 100-byte SQLite header alone."""
    name = path.name
    try:
        size = path.stat().st_size
        with path.open("rb") as fh:
            header = fh.read(HEADER_SIZE)
    except FileNotFoundError:
        raise PackError(f"{name} does not exist") from None
    except OSError as exc:
        raise PackError(f"{name} cannot be read: {exc.strerror or exc}") from None
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
    if user_version > FORMAT_VERSION:
        raise _too_new(name, user_version)


def _connect_read_only(path: Path) -> sqlite3.Connection:
    # immutable: no lock files, no journal, nothing written beside the pack (it may sit on read-only media)
    return sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro&immutable=1", uri=True, check_same_thread=False)


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
    if isinstance(version, int) and version > FORMAT_VERSION:
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


def verify(path: Path) -> Manifest:
    """Check the whole pack and return its manifest; raise a PackError subclass naming the problem."""
    path = Path(path)
    check_header(path)
    name = path.name
    try:
        with contextlib.closing(_connect_read_only(path)) as conn:
            problems = [r[0] for r in conn.execute("PRAGMA quick_check(5)")]
            if problems != ["ok"]:
                raise PackCorrupted(f"{name} is damaged: {'; '.join(problems)}. Ask for the pack again.")
            manifest = _read_manifest(conn, name)
            tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
            expected = set(PACK_TABLES) | {MANIFEST_TABLE}
            if tables != expected or set(manifest.tables) != set(PACK_TABLES):
                odd = sorted(tables ^ expected) or sorted(set(manifest.tables) ^ set(PACK_TABLES))
                raise PackTampered(f"{name} was changed after export: unexpected or missing tables "
                                   f"({', '.join(odd)}).")
            for table, order in PACK_TABLES.items():
                if table_digest(conn, table, order) != manifest.tables[table]:
                    raise PackTampered(f"{name} was changed or damaged after export: the {table} table does not "
                                       "match its checksum. Ask for a fresh pack.")
    except sqlite3.DatabaseError as exc:
        raise PackCorrupted(f"{name} is damaged ({exc}). Ask for the pack again.") from None
    return manifest


def open_pack(path: Path | str) -> ReviewPack:
    """Verify the pack, then open it read-only; nothing is ever written to it."""
    path = Path(path)
    manifest = verify(path)
    engine = sa.create_engine("sqlite+pysqlite://", creator=lambda: _connect_read_only(path))
    return ReviewPack(path, manifest, engine)
