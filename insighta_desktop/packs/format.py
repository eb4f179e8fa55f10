"""The pack's payload: an SQLite database holding the app's own tables plus a manifest.

The payload carries copies of the rows of the app's interview tables (and optionally some profiles), so the
interview services read a pack with the same code as a live database. The manifest says what is inside and
holds a SHA-256 of every table, checked on every open after decryption. Until format 2 this database was the
whole pack file; it now travels encrypted and signed inside the container (see container.py).
"""
from __future__ import annotations

import hashlib
import json
import sqlite3
from dataclasses import dataclass, field
from typing import Any

FORMAT_NAME = "insighta-review-pack"
PAYLOAD_VERSION = 1  # of the database inside the container; the container has its own (container.FORMAT_VERSION)
FILE_SUFFIX = ".insighta-pack"
# PRAGMA application_id: lets `file` and this app tell a pack from any other SQLite file ("INSP").
APPLICATION_ID = 0x494E5350
SQLITE_MAGIC = b"SQLite format 3\x00"
MANIFEST_TABLE = "pack_manifest"

# The app tables a pack carries, in dependency order, each with the columns that order its rows.
PACK_TABLES: dict[str, tuple[str, ...]] = {
    "interviews": ("id",),
    "interview_sessions": ("id",),
    "interview_speakers": ("session_id", "speaker"),
    "transcript_turns": ("id",),
    "assessments": ("id",),
    "chat_messages": ("id",),
    "interview_highlights": ("id",),
    "profiles": ("id",),
}

# Tables added to packs after schema version 1, with the schema version that added them: an older pack lacks them.
PACK_TABLES_SINCE: dict[str, int] = {"interview_speakers": 3, "interview_highlights": 4}


def pack_tables(schema_version: int) -> dict[str, tuple[str, ...]]:
    """The tables a pack written at `schema_version` holds."""
    return {name: order for name, order in PACK_TABLES.items() if PACK_TABLES_SINCE.get(name, 1) <= schema_version}


class PackError(Exception):
    """A pack that cannot be opened; the message says why and what to do."""

    transient = False


class NotAPack(PackError):
    pass


class PackCorrupted(PackError):
    pass


class PackTampered(PackError):
    pass


class PackTooNew(PackError):
    pass


@dataclass(frozen=True)
class TableDigest:
    rows: int
    sha256: str

    def to_json(self) -> dict[str, Any]:
        return {"rows": self.rows, "sha256": self.sha256}


@dataclass(frozen=True)
class InterviewEntry:
    """One exported interview, as the manifest lists it."""

    id: str
    candidate_name: str
    role: str
    transcript_source: str
    turns: int
    transcript_sha256: str  # of the transcript the services serve, so a pack opens to the same text
    assessment_status: str | None
    chat_messages: int

    def to_json(self) -> dict[str, Any]:
        return dict(self.__dict__)


@dataclass(frozen=True)
class SearchEntry:
    query: str
    filters: dict[str, Any]
    total_matches: int
    included: int

    @property
    def truncated(self) -> bool:
        return self.included < self.total_matches

    def to_json(self) -> dict[str, Any]:
        return {"query": self.query, "filters": self.filters, "total_matches": self.total_matches,
                "included": self.included, "truncated": self.truncated}


@dataclass(frozen=True)
class Manifest:
    format_version: int
    created_at: str  # ISO 8601, UTC
    app_version: str
    schema_version: int
    source_backend: str
    interviews: list[InterviewEntry]
    search: SearchEntry | None
    tables: dict[str, TableDigest]
    format: str = FORMAT_NAME
    extra: dict[str, Any] = field(default_factory=dict)

    def body(self) -> dict[str, Any]:
        return {
            "format": self.format, "format_version": self.format_version, "created_at": self.created_at,
            "app_version": self.app_version, "schema_version": self.schema_version,
            "source_backend": self.source_backend,
            "contents": {"interviews": [i.to_json() for i in self.interviews],
                         "search": self.search.to_json() if self.search else None},
            "tables": {name: d.to_json() for name, d in self.tables.items()},
            **({"extra": self.extra} if self.extra else {}),
        }

    def to_json_text(self) -> str:
        body = self.body()
        return json.dumps({**body, "manifest_sha256": digest_json(body)}, ensure_ascii=False, indent=1,
                          sort_keys=True)

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Manifest:
        contents = data["contents"]
        search = contents.get("search")
        return cls(
            format_version=int(data["format_version"]), created_at=str(data["created_at"]),
            app_version=str(data["app_version"]), schema_version=int(data["schema_version"]),
            source_backend=str(data.get("source_backend", "")),
            interviews=[InterviewEntry(**entry) for entry in contents["interviews"]],
            search=SearchEntry(search["query"], dict(search["filters"]), int(search["total_matches"]),
                               int(search["included"])) if search else None,
            tables={name: TableDigest(int(d["rows"]), str(d["sha256"])) for name, d in data["tables"].items()},
            format=str(data["format"]), extra=dict(data.get("extra", {})))


def digest_json(value: Any) -> str:
    text = json.dumps(value, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _cell(value: Any) -> Any:
    if isinstance(value, bytes):
        return {"hex": value.hex()}
    if isinstance(value, float):
        return {"float": value.hex()}  # exact, and distinct from an integer of the same value
    return value


def table_digest(conn: sqlite3.Connection, table: str, order_by: tuple[str, ...]) -> TableDigest:
    """SHA-256 over every row, read through sqlite3 itself so writer and reader see identical values."""
    columns = [row[1] for row in conn.execute(f'PRAGMA table_info("{table}")')]
    digest = hashlib.sha256(json.dumps(columns).encode("utf-8"))
    order = ", ".join(f'"{c}"' for c in order_by)
    count = 0
    for row in conn.execute(f'SELECT * FROM "{table}" ORDER BY {order}'):
        digest.update(b"\n")
        digest.update(json.dumps([_cell(v) for v in row], ensure_ascii=False).encode("utf-8"))
        count += 1
    return TableDigest(count, digest.hexdigest())
