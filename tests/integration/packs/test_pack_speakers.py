"""Review packs carry the names of an imported interview's speakers; a pack written before speakers were stored
(schema version 2) still opens, its speakers labelled from their keys."""
from __future__ import annotations

import contextlib
import json
import sqlite3
from pathlib import Path

from insighta_desktop.interviews.file_import import ImportOptions, import_path
from insighta_desktop.interviews.transcript import get_transcript
from insighta_desktop.packs import open_pack, verify
from insighta_desktop.packs.format import MANIFEST_TABLE, digest_json
from insighta_desktop.packs.offline import PackInterviewServices
from tests.integration.packs.forge import reseal
from tests.integration.packs.packdata import PASSPHRASE, export_test_pack

DATA = Path(__file__).resolve().parents[2] / "data" / "interviews"


async def test_an_imported_interview_reads_the_same_from_a_pack(db, tmp_path):
    imported = import_path(db, DATA / "teams.vtt", ImportOptions(candidate_speaker="Lina Haddad"))
    manifest = export_test_pack(db, [imported.interview_id], tmp_path / "imported.insighta-pack", redact=False)
    assert manifest.tables["interview_speakers"].rows == 3
    pack = open_pack(tmp_path / "imported.insighta-pack", PASSPHRASE)
    services = PackInterviewServices(pack)
    try:
        offline = await services.transcript(imported.interview_id)
        assert offline == await get_transcript(db, imported.interview_id)
        assert {t.speaker_label for t in offline.turns} == {"Lina Haddad", "Priya Raman", "Samuel Osei"}
        answer = await services.chat.ask(imported.interview_id, "How does she deal with messy CSV exports?")
        assert "never drop data silently" in answer.text
    finally:
        await services.aclose()


def as_schema_version_2(database: Path) -> None:
    """The payload as the app wrote it at schema version 2: no speakers (nor highlights) table, a manifest of 2."""
    with contextlib.closing(sqlite3.connect(database)) as conn:
        data = json.loads(conn.execute(f'SELECT manifest_json FROM "{MANIFEST_TABLE}"').fetchone()[0])
        data.pop("manifest_sha256")
        data["schema_version"] = 2
        for later in ("interview_speakers", "interview_highlights"):  # versions 3 and 4
            del data["tables"][later]
        data["manifest_sha256"] = digest_json(data)
        with conn:
            conn.execute("DROP TABLE interview_speakers")
            conn.execute("DROP TABLE interview_highlights")
            conn.execute(f'UPDATE "{MANIFEST_TABLE}" SET manifest_json = ?', (json.dumps(data),))
        conn.execute("VACUUM")


async def test_a_pack_from_before_speakers_were_stored_still_opens(sqlite_engine, tmp_path):
    imported = import_path(sqlite_engine, DATA / "zoom.vtt", ImportOptions(candidate_speaker="Ngozi Okafor"))
    path = tmp_path / "older.insighta-pack"
    export_test_pack(sqlite_engine, [imported.interview_id], path)
    reseal(path, as_schema_version_2)
    assert verify(path, PASSPHRASE).schema_version == 2
    pack = open_pack(path, PASSPHRASE)
    services = PackInterviewServices(pack)
    try:
        transcript = await services.transcript(imported.interview_id)
        assert [(t.speaker_label, t.role) for t in transcript.turns[:2]] == [("Interviewer", "interviewer"),
                                                                            ("Candidate", "candidate")]
        assert (await services.interview(imported.interview_id)).summary.candidate_name == "Ngozi Okafor"
    finally:
        await services.aclose()


def test_a_pack_missing_a_table_its_version_has_is_refused(sqlite_engine, tmp_path):
    imported = import_path(sqlite_engine, DATA / "zoom.vtt", ImportOptions(candidate_speaker="Ngozi Okafor"))
    path = tmp_path / "cut.insighta-pack"
    export_test_pack(sqlite_engine, [imported.interview_id], path)

    def drop_speakers(database: Path) -> None:
        with contextlib.closing(sqlite3.connect(database)) as conn, conn:
            conn.execute("DROP TABLE interview_speakers")

    reseal(path, drop_speakers)
    try:
        verify(path, PASSPHRASE)
    except Exception as exc:
        assert "unexpected or missing tables (interview_speakers)" in str(exc)
    else:
        raise AssertionError("a pack without a table its schema version has was accepted")
