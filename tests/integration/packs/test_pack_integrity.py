"""Damaged, truncated, tampered, foreign and newer packs are refused with a message that says which."""
from __future__ import annotations

import contextlib
import json
import shutil
import sqlite3

import pytest

from insighta_desktop.cli import main as cli_main
from insighta_desktop.packs import NotAPack, PackCorrupted, PackTampered, PackTooNew, export_pack, open_pack
from insighta_desktop.packs.format import FORMAT_VERSION, MANIFEST_TABLE, digest_json
from tests.integration.packs.packdata import fill_source


@pytest.fixture(scope="module")
def good_pack(tmp_path_factory):
    from insighta_desktop.db.engine import create_engine_for
    from insighta_desktop.db.migrations import ensure_schema

    folder = tmp_path_factory.mktemp("packs")
    engine = create_engine_for(f"sqlite:///{folder / 'source.db'}")
    ensure_schema(engine)
    ids = fill_source(engine)
    export_pack(engine, ids, folder / "good.insighta-pack")
    engine.dispose()
    return folder / "good.insighta-pack"


@pytest.fixture
def pack(good_pack, tmp_path):
    copy = tmp_path / "review.insighta-pack"
    shutil.copyfile(good_pack, copy)
    return copy


def edit(path, *statements, params=()):
    """Change the pack behind the app's back, as a person with an SQLite tool could."""
    with contextlib.closing(sqlite3.connect(path)) as conn, conn:
        for sql in statements:
            conn.execute(sql, params) if params else conn.execute(sql)


def rewrite_manifest(path, change):
    with contextlib.closing(sqlite3.connect(path)) as conn:
        data = json.loads(conn.execute(f"SELECT manifest_json FROM {MANIFEST_TABLE}").fetchone()[0])
        data.pop("manifest_sha256")
        change(data)
        data["manifest_sha256"] = digest_json(data)  # a careful forger also fixes the manifest's own checksum
        with conn:
            conn.execute(f"UPDATE {MANIFEST_TABLE} SET manifest_json = ?", (json.dumps(data),))


def test_the_untouched_pack_opens(pack):
    open_pack(pack).close()


@pytest.mark.parametrize("keep", [0.5, 0.99])
def test_a_truncated_pack_is_refused(pack, keep):
    data = pack.read_bytes()
    pack.write_bytes(data[: int(len(data) * keep)])
    with pytest.raises(PackCorrupted, match=r"is truncated: it holds [\d,]+ of its [\d,]+ bytes"):
        open_pack(pack)


def test_an_empty_or_headless_pack_is_refused(pack):
    pack.write_bytes(b"")
    with pytest.raises(PackCorrupted, match="is empty"):
        open_pack(pack)
    pack.write_bytes(b"SQLite format 3\x00" + b"\x10\x00")
    with pytest.raises(PackCorrupted, match="truncated"):
        open_pack(pack)


def test_damaged_pages_are_refused(pack):
    data = bytearray(pack.read_bytes())
    page_size = int.from_bytes(data[16:18], "big")
    for page in range(1, len(data) // page_size):  # every page after the first one: b-tree headers and cells
        data[page * page_size: page * page_size + 64] = b"\xff" * 64
    pack.write_bytes(bytes(data))
    with pytest.raises(PackCorrupted, match="is damaged"):
        open_pack(pack)


def test_a_changed_transcript_is_refused(pack):
    edit(pack, "UPDATE transcript_turns SET content = 'I have no experience at all.' WHERE sequence_no = 4")
    with pytest.raises(PackTampered, match="the transcript_turns table does not match its checksum"):
        open_pack(pack)


def test_a_changed_assessment_is_refused_even_when_the_manifest_is_rewritten_consistently(pack):
    edit(pack, "UPDATE assessments SET content_json = replace(content_json, 'summary', 'Summary')")
    rewrite_manifest(pack, lambda data: data.update(app_version="0.1.0"))
    with pytest.raises(PackTampered, match="the assessments table does not match its checksum"):
        open_pack(pack)


def test_an_edited_manifest_is_refused(pack):
    with contextlib.closing(sqlite3.connect(pack)) as conn, conn:
        raw = conn.execute(f"SELECT manifest_json FROM {MANIFEST_TABLE}").fetchone()[0]
        conn.execute(f"UPDATE {MANIFEST_TABLE} SET manifest_json = ?", (raw.replace("Kofi", "Kojo"),))
    with pytest.raises(PackTampered, match="manifest does not match its checksum"):
        open_pack(pack)


def test_an_added_table_is_refused(pack):
    edit(pack, "CREATE TABLE extra (x)")
    with pytest.raises(PackTampered, match="unexpected or missing tables \\(extra\\)"):
        open_pack(pack)


def test_a_newer_format_is_refused_by_header_and_by_manifest(pack, tmp_path):
    second = tmp_path / "second.insighta-pack"
    shutil.copyfile(pack, second)
    edit(pack, f"PRAGMA user_version = {FORMAT_VERSION + 1}")
    with pytest.raises(PackTooNew, match=f"review pack format {FORMAT_VERSION + 1}; .* reads format "
                                         f"{FORMAT_VERSION} and older. Update the app"):
        open_pack(pack)
    rewrite_manifest(second, lambda data: data.update(format_version=FORMAT_VERSION + 2, app_version="9.0.0"))
    with pytest.raises(PackTooNew, match=f"made by Insighta Desktop 9.0.0 in review pack format {FORMAT_VERSION + 2}"):
        open_pack(second)


def test_files_that_are_not_packs_are_refused(tmp_path, sqlite_engine):
    text = tmp_path / "notes.insighta-pack"
    text.write_text("name,gender\nAda,female\n" * 50)
    with pytest.raises(NotAPack, match="not an SQLite file"):
        open_pack(text)
    with pytest.raises(NotAPack, match="an SQLite database but not an Insighta review pack"):
        open_pack(sqlite_engine.url.database)
    with pytest.raises(Exception, match="does not exist"):
        open_pack(tmp_path / "missing.insighta-pack")


def test_cli_info_reports_a_good_pack_and_refuses_a_bad_one(pack, capsys):
    assert cli_main(["pack", "info", str(pack)]) == 0
    out = capsys.readouterr().out
    assert "format 1, checksums OK" in out and "8 interviews" in out and "Kofi Mensah" in out
    assert cli_main(["pack", "info", "--json", str(pack)]) == 0
    manifest = json.loads(capsys.readouterr().out)
    assert manifest["format_version"] == FORMAT_VERSION and len(manifest["contents"]["interviews"]) == 8
    assert set(manifest["tables"]) >= {"interviews", "transcript_turns", "assessments", "chat_messages"}
    edit(pack, "DELETE FROM chat_messages")
    assert cli_main(["pack", "info", str(pack)]) == 3
    assert "chat_messages table does not match its checksum" in capsys.readouterr().err
