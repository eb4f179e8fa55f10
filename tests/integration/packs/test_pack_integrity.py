"""Damaged, truncated, tampered, foreign and newer packs are refused with a message that says which.

Changes to the file itself break its signature (test_pack_sealing.py covers every byte); here the payload is
changed and sealed again with the passphrase and the exporter's own key (forge.py), so the refusals come from
the payload's manifest and checksums, which are checked on every open after decryption.
"""
from __future__ import annotations

import contextlib
import json
import shutil
import sqlite3

import pytest

from insighta_desktop.cli import main as cli_main
from insighta_desktop.packs import (
    FORMAT_VERSION,
    NotAPack,
    PackCorrupted,
    PackTampered,
    PackTooNew,
    PackUnsealed,
    open_pack,
)
from insighta_desktop.packs.container import MAGIC
from insighta_desktop.packs.format import MANIFEST_TABLE, PAYLOAD_VERSION, digest_json
from tests.integration.packs.forge import reseal
from tests.integration.packs.packdata import PASSPHRASE, export_test_pack, fill_source


@pytest.fixture(scope="module")
def good_pack(tmp_path_factory):
    from insighta_desktop.db.engine import create_engine_for
    from insighta_desktop.db.migrations import ensure_schema

    folder = tmp_path_factory.mktemp("packs")
    engine = create_engine_for(f"sqlite:///{folder / 'source.db'}")
    ensure_schema(engine)
    ids = fill_source(engine)
    export_test_pack(engine, ids, folder / "good.insighta-pack")
    engine.dispose()
    return folder / "good.insighta-pack"


@pytest.fixture
def pack(good_pack, tmp_path):
    copy = tmp_path / "review.insighta-pack"
    shutil.copyfile(good_pack, copy)
    return copy


def edit(*statements, params=()):
    """A change to the pack's database, as a person with an SQLite tool could make it."""
    def change(path):
        with contextlib.closing(sqlite3.connect(path)) as conn, conn:
            for sql in statements:
                conn.execute(sql, params) if params else conn.execute(sql)
    return change


def rewrite_manifest(change):
    def rewrite(path):
        with contextlib.closing(sqlite3.connect(path)) as conn:
            data = json.loads(conn.execute(f"SELECT manifest_json FROM {MANIFEST_TABLE}").fetchone()[0])
            data.pop("manifest_sha256")
            change(data)
            data["manifest_sha256"] = digest_json(data)  # a careful forger also fixes the manifest's own checksum
            with conn:
                conn.execute(f"UPDATE {MANIFEST_TABLE} SET manifest_json = ?", (json.dumps(data),))
    return rewrite


def test_the_untouched_pack_opens(pack):
    open_pack(pack, PASSPHRASE).close()


@pytest.mark.parametrize("keep", [0.5, 0.99])
def test_a_truncated_pack_is_refused(pack, keep):
    data = pack.read_bytes()
    pack.write_bytes(data[: int(len(data) * keep)])
    with pytest.raises(PackCorrupted, match=r"is truncated: it holds [\d,]+ of its [\d,]+ bytes"):
        open_pack(pack, PASSPHRASE)


def test_an_empty_or_headless_pack_is_refused(pack):
    pack.write_bytes(b"")
    with pytest.raises(PackCorrupted, match="is empty"):
        open_pack(pack, PASSPHRASE)
    for start in (MAGIC[:5], MAGIC + b"\x00\x02\x00"):
        pack.write_bytes(start)
        with pytest.raises(PackCorrupted, match="truncated"):
            open_pack(pack, PASSPHRASE)
    pack.write_bytes(b"SQLite format 3\x00" + b"\x10\x00")  # the start of a format 1 pack
    with pytest.raises(PackCorrupted, match="truncated"):
        open_pack(pack, PASSPHRASE)


def test_damaged_database_pages_are_refused(pack):
    def damage(data: bytes) -> bytes:
        damaged = bytearray(data)
        page_size = int.from_bytes(damaged[16:18], "big")
        for page in range(1, len(damaged) // page_size):  # every page after the first one: b-tree headers and cells
            damaged[page * page_size: page * page_size + 64] = b"\xff" * 64
        return bytes(damaged)

    reseal(pack, change_bytes=damage)
    with pytest.raises(PackCorrupted, match="is damaged"):
        open_pack(pack, PASSPHRASE)


def test_a_changed_transcript_is_refused(pack):
    reseal(pack, edit("UPDATE transcript_turns SET content = 'I have no experience at all.' WHERE sequence_no = 4"))
    with pytest.raises(PackTampered, match="the transcript_turns table does not match its checksum"):
        open_pack(pack, PASSPHRASE)


def test_a_changed_assessment_is_refused_even_when_the_manifest_is_rewritten_consistently(pack):
    def change(path):
        edit("UPDATE assessments SET content_json = replace(content_json, 'summary', 'Summary')")(path)
        rewrite_manifest(lambda data: data.update(app_version="0.1.0"))(path)

    reseal(pack, change)
    with pytest.raises(PackTampered, match="the assessments table does not match its checksum"):
        open_pack(pack, PASSPHRASE)


def test_an_edited_manifest_is_refused(pack):
    def change(path):
        with contextlib.closing(sqlite3.connect(path)) as conn, conn:
            raw = conn.execute(f"SELECT manifest_json FROM {MANIFEST_TABLE}").fetchone()[0]
            conn.execute(f"UPDATE {MANIFEST_TABLE} SET manifest_json = ?", (raw.replace("Kofi", "Kojo"),))

    reseal(pack, change)
    with pytest.raises(PackTampered, match="manifest does not match its checksum"):
        open_pack(pack, PASSPHRASE)


def test_an_added_table_is_refused(pack):
    reseal(pack, edit("CREATE TABLE extra (x)"))
    with pytest.raises(PackTampered, match="unexpected or missing tables \\(extra\\)"):
        open_pack(pack, PASSPHRASE)


def test_a_newer_format_is_refused_by_container_header_and_by_manifest(pack, tmp_path):
    second, third = tmp_path / "second.insighta-pack", tmp_path / "third.insighta-pack"
    shutil.copyfile(pack, second)
    shutil.copyfile(pack, third)
    data = bytearray(pack.read_bytes())
    data[len(MAGIC):len(MAGIC) + 2] = (FORMAT_VERSION + 1).to_bytes(2, "big")
    pack.write_bytes(bytes(data))
    with pytest.raises(PackTooNew, match=f"review pack format {FORMAT_VERSION + 1}; .* reads format "
                                         f"{FORMAT_VERSION} and older. Update the app"):
        open_pack(pack, PASSPHRASE)
    reseal(second, edit(f"PRAGMA user_version = {PAYLOAD_VERSION + 1}"))
    with pytest.raises(PackTooNew, match=f"pack data format {PAYLOAD_VERSION + 1}; .* reads data format "
                                         f"{PAYLOAD_VERSION} and older. Update the app"):
        open_pack(second, PASSPHRASE)
    reseal(third, rewrite_manifest(lambda data: data.update(format_version=PAYLOAD_VERSION + 2, app_version="9.0.0")))
    with pytest.raises(PackTooNew, match=f"made by Insighta Desktop 9.0.0 with pack data format {PAYLOAD_VERSION + 2}"):
        open_pack(third, PASSPHRASE)


def test_files_that_are_not_packs_are_refused(tmp_path, sqlite_engine):
    text = tmp_path / "notes.insighta-pack"
    text.write_text("name,gender\nAda,female\n" * 50)
    with pytest.raises(NotAPack, match="notes.insighta-pack is not an Insighta review pack"):
        open_pack(text, PASSPHRASE)
    with pytest.raises(NotAPack, match="an SQLite database but not an Insighta review pack"):
        open_pack(sqlite_engine.url.database, PASSPHRASE)
    with pytest.raises(Exception, match="does not exist"):
        open_pack(tmp_path / "missing.insighta-pack", PASSPHRASE)
    with pytest.raises(Exception, match="is a folder"):
        open_pack(tmp_path, PASSPHRASE)


def test_a_format_1_pack_is_refused_as_unencrypted_and_unsigned(pack, tmp_path):
    """The bare SQLite database that packs used to be: it opens nowhere now, with the reason."""
    legacy = tmp_path / "old.insighta-pack"
    legacy.write_bytes(read_payload(pack))
    with pytest.raises(PackUnsealed, match="is an unencrypted, unsigned review pack from an older Insighta "
                                           "Desktop; .* Ask the sender for a fresh pack"):
        open_pack(legacy, PASSPHRASE)


def read_payload(path):
    from insighta_desktop.packs import read_sealed

    return read_sealed(path).decrypt(PASSPHRASE)


def test_cli_info_reports_a_good_pack_and_refuses_a_bad_one(pack, tmp_path, capsys, monkeypatch):
    monkeypatch.setenv("INSIGHTA_HOME", str(tmp_path / "reviewer"))
    secret = tmp_path / "passphrase.txt"
    secret.write_text(PASSPHRASE + "\n")
    assert cli_main(["pack", "info", str(pack), "--passphrase-file", str(secret)]) == 0
    out = capsys.readouterr().out
    assert "format 2, encrypted (AES-256-GCM, scrypt" in out and "signature OK" in out
    assert "checksums OK" in out and "8 interviews" in out and "Kofi Mensah" in out
    assert cli_main(["pack", "info", "--json", "--passphrase-file", str(secret), str(pack)]) == 0
    info = json.loads(capsys.readouterr().out)
    manifest = info["manifest"]
    assert info["format_version"] == FORMAT_VERSION and info["signature"] == "ok"
    assert manifest["format_version"] == PAYLOAD_VERSION and len(manifest["contents"]["interviews"]) == 8
    assert set(manifest["tables"]) >= {"interviews", "transcript_turns", "assessments", "chat_messages"}
    reseal(pack, edit("DELETE FROM chat_messages"))
    assert cli_main(["pack", "info", str(pack), "--passphrase-file", str(secret)]) == 3
    assert "chat_messages table does not match its checksum" in capsys.readouterr().err
