"""A review pack written before assessments recorded their owner (schema version 5) still shows its assessment."""
from __future__ import annotations

import contextlib
import json
import sqlite3
from pathlib import Path

from insighta_desktop.db.migrations import ASSESSMENT_OWNER_COLUMNS
from insighta_desktop.interviews.file_import import ImportOptions, import_path
from insighta_desktop.interviews.manual import rubric_template
from insighta_desktop.interviews.services import InterviewServices
from insighta_desktop.packs import open_pack, verify
from insighta_desktop.packs.format import MANIFEST_TABLE, PACK_TABLES, digest_json, table_digest
from insighta_desktop.packs.offline import PackInterviewServices
from tests.integration.packs.forge import reseal
from tests.integration.packs.packdata import PASSPHRASE, export_test_pack

DATA = Path(__file__).resolve().parents[2] / "data" / "interviews"


def as_schema_version_5(database: Path) -> None:
    """The payload as the app wrote it before assessment owners (schema version 6): no owner columns."""
    with contextlib.closing(sqlite3.connect(database)) as conn:
        data = json.loads(conn.execute(f'SELECT manifest_json FROM "{MANIFEST_TABLE}"').fetchone()[0])
        with conn:
            for column in ASSESSMENT_OWNER_COLUMNS:
                conn.execute(f"ALTER TABLE assessments DROP COLUMN {column}")
        data.pop("manifest_sha256")
        data["schema_version"] = 5
        data["tables"]["assessments"] = table_digest(conn, "assessments", PACK_TABLES["assessments"]).to_json()
        data["manifest_sha256"] = digest_json(data)
        with conn:
            conn.execute(f'UPDATE "{MANIFEST_TABLE}" SET manifest_json = ?', (json.dumps(data),))
        conn.execute("VACUUM")


async def test_a_pack_from_before_assessment_owners_still_shows_its_assessment(sqlite_engine, tmp_path):
    imported = import_path(sqlite_engine, DATA / "zoom.vtt", ImportOptions(candidate_speaker="Ngozi Okafor"))
    live = InterviewServices(sqlite_engine, None, None)
    template = rubric_template(["Communication"], None)
    template["recommendation"] = "advance"
    template["scores"][0].update(score=4, evidence="I never drop data silently")
    saved = await live.assessments.save_manual(imported.interview_id, template)
    path = tmp_path / "before-owners.insighta-pack"
    export_test_pack(sqlite_engine, [imported.interview_id], path)
    reseal(path, as_schema_version_5)
    assert verify(path, PASSPHRASE).schema_version == 5
    services = PackInterviewServices(open_pack(path, PASSPHRASE))
    try:
        shown = await services.assessments.get(imported.interview_id)
        assert shown is not None and shown.status == "completed" and shown.content == saved.content
    finally:
        await services.aclose()
