"""Writing review packs from one database: the interviews to choose from, and the export itself.

Blocking (database reads and a file write): the GUI calls it on a worker thread.
"""
from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from pathlib import Path

from sqlalchemy.engine import Engine

from insighta_desktop.interviews import repository
from insighta_desktop.interviews.model import InterviewSummary
from insighta_desktop.packs.format import Manifest
from insighta_desktop.packs.search_snapshot import snapshot_search
from insighta_desktop.packs.signing import SigningIdentity
from insighta_desktop.packs.writer import export_pack
from insighta_desktop.profiles.search import ProfileSearch


class PackExporter:
    """A search included in a pack runs through the app's own profile search (its parser, order and cache)."""

    def __init__(self, engine: Engine, search: ProfileSearch) -> None:
        self.engine = engine
        self.search = search

    def interviews(self) -> list[InterviewSummary]:
        return repository.list_interviews(self.engine)

    def export(self, interview_ids: Iterable[str], out: Path, *, passphrase: str, signer: SigningIdentity,
               search_text: str | None = None, expires: date | None = None, redact: bool = True) -> Manifest:
        """Write the sealed pack (the interviews, and the profiles `search_text` finds) to `out`; see `export_pack`."""
        snapshot = snapshot_search(self.search, search_text) if search_text else None
        return export_pack(self.engine, interview_ids, out, passphrase=passphrase, signer=signer, search=snapshot,
                           expires=expires, redact=redact)
