"""Highlights travel in review packs (from SQLite and PostgreSQL), read-only, masked; older packs still open."""
from __future__ import annotations

import contextlib
import json
import sqlite3

import pytest

from insighta_desktop.interviews.highlights import HighlightService
from insighta_desktop.interviews.transcript import get_transcript_export
from insighta_desktop.packs import open_pack, read_sealed
from insighta_desktop.packs.format import MANIFEST_TABLE, digest_json
from insighta_desktop.packs.offline import HIGHLIGHT_UNAVAILABLE, OfflineUnavailable, PackInterviewServices
from tests.integration.packs.forge import reseal
from tests.integration.packs.packdata import PASSPHRASE, export_test_pack, fill_source


async def test_a_pack_carries_the_highlights_of_its_interviews(db, tmp_path):
    ids = fill_source(db)[1:]  # the first is a scheduled interview, with no transcript yet
    service = HighlightService(db)
    first = await service.add(ids[0], "T2", "T4", note="Measured results")
    await service.add(ids[0], "T6")
    await service.add(ids[2], "T1", note="Not in the pack")  # an interview left out
    path = tmp_path / "highlights.insighta-pack"
    manifest = export_test_pack(db, [ids[0], ids[1]], path, redact=False)
    assert manifest.tables["interview_highlights"].rows == 2
    assert read_sealed(path).header.contents["interview_highlights"] == 2

    pack = open_pack(path, PASSPHRASE)
    services = PackInterviewServices(pack)
    try:
        carried = await services.highlights.list(ids[0])
        assert carried == await service.list(ids[0])
        assert carried[0].id == first.id and carried[0].note == "Measured results" and carried[0].range_tag == "T2–T4"
        assert await services.highlights.list(ids[1]) == []
        for fmt in ("txt", "json", "vtt"):
            assert await services.export(ids[0], fmt) == await get_transcript_export(db, ids[0], fmt)
        assert "NOTE Highlight T2–T4" in (await services.export(ids[0], "vtt")).text
        for attempt in (services.highlights.add(ids[0], "T1"), services.highlights.delete(first.id)):
            with pytest.raises(OfflineUnavailable, match="read-only"):
                await attempt
        assert services.highlights.unavailable_reason == HIGHLIGHT_UNAVAILABLE
    finally:
        await services.aclose()


async def test_highlight_notes_are_masked_like_the_rest(sqlite_engine, tmp_path):
    ids = fill_source(sqlite_engine)[1:]
    await HighlightService(sqlite_engine).add(ids[0], "T2", note="Call her on +44 20 7946 0958 or ada@example.com")
    path = tmp_path / "masked.insighta-pack"
    export_test_pack(sqlite_engine, [ids[0]], path)
    pack = open_pack(path, PASSPHRASE)
    try:
        [carried] = await PackInterviewServices(pack).highlights.list(ids[0])
        assert carried.note == "Call her on [phone removed] or [email removed]"
    finally:
        pack.close()
    [kept] = await HighlightService(sqlite_engine).list(ids[0])
    assert "ada@example.com" in kept.note  # the source keeps what was written


def as_written_before_highlights(path) -> None:
    """The pack as the previous version (schema 3) wrote it: no highlights table, none in the manifest."""
    with contextlib.closing(sqlite3.connect(path)) as conn:
        data = json.loads(conn.execute(f"SELECT manifest_json FROM {MANIFEST_TABLE}").fetchone()[0])
        data.pop("manifest_sha256")
        data["schema_version"] = 3
        del data["tables"]["interview_highlights"]
        data["manifest_sha256"] = digest_json(data)
        with conn:
            conn.execute("DROP TABLE interview_highlights")
            conn.execute(f"UPDATE {MANIFEST_TABLE} SET manifest_json = ?", (json.dumps(data),))


async def test_a_pack_from_before_highlights_opens_with_none(sqlite_engine, tmp_path):
    ids = fill_source(sqlite_engine)[1:]
    path = tmp_path / "older.insighta-pack"
    export_test_pack(sqlite_engine, ids[:2], path)
    reseal(path, as_written_before_highlights)
    pack = open_pack(path, PASSPHRASE)
    services = PackInterviewServices(pack)
    try:
        assert await services.highlights.list(ids[0]) == []
        assert "Highlights" not in (await services.export(ids[0], "txt")).text
        assert (await services.transcript(ids[0])).turns
    finally:
        await services.aclose()


async def test_a_removed_highlights_table_in_a_current_pack_is_tampering(sqlite_engine, tmp_path):
    from insighta_desktop.packs import PackTampered

    ids = fill_source(sqlite_engine)
    path = tmp_path / "tampered.insighta-pack"
    export_test_pack(sqlite_engine, ids[:1], path)

    def drop(database):
        with contextlib.closing(sqlite3.connect(database)) as conn, conn:
            conn.execute("DROP TABLE interview_highlights")

    reseal(path, drop)
    with pytest.raises(PackTampered, match=r"unexpected or missing tables \(interview_highlights\)"):
        open_pack(path, PASSPHRASE)
