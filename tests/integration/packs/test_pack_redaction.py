"""Masking at export: contact details said in an interview leave the source untouched and never reach the pack."""
from __future__ import annotations

import json
import uuid
from datetime import UTC, datetime

import sqlalchemy as sa

from insighta_desktop.db import schema
from insighta_desktop.interviews import repository
from insighta_desktop.interviews.model import SOURCE_JSON, SOURCE_TURNS
from insighta_desktop.interviews.transcript import get_transcript
from insighta_desktop.packs import open_pack, read_sealed
from insighta_desktop.packs.offline import PackInterviewServices
from insighta_desktop.packs.redaction import EMAIL_MASK, PHONE_MASK
from tests.integration.packs.packdata import PASSPHRASE, export_test_pack, fill_source

SAID = ("Sure. You can reach me at kofi.mensah.dev@gmail.com or on +233 24 123 4567; I'm free after 14:05 "
        "on 2026-11-20. I'm 29 and I've done this since 2019.")
MASKED = (f"Sure. You can reach me at {EMAIL_MASK} or on {PHONE_MASK}; I'm free after 14:05 "
          "on 2026-11-20. I'm 29 and I've done this since 2019.")


async def say_contact_details(engine) -> tuple[str, str]:
    """One interview whose turns table has the details; one whose transcript_json (the fallback) has them."""
    ids = fill_source(engine)
    sources = {i: (await get_transcript(engine, i)).source for i in ids}
    in_turns = next(i for i in ids if sources[i] == SOURCE_TURNS)
    in_json = next(i for i in ids if sources[i] == SOURCE_JSON)
    turns, sessions = schema.transcript_turns, schema.interview_sessions
    with engine.begin() as conn:
        session_id = conn.execute(sa.select(sessions.c.id).where(sessions.c.interview_id == in_turns)).scalar_one()
        conn.execute(turns.update().where(turns.c.session_id == session_id, turns.c.sequence_no == 2)
                     .values(content=SAID))
        row = conn.execute(sa.select(sessions.c.id, sessions.c.transcript_json)
                           .where(sessions.c.interview_id == in_json)).one()
        turns_json = json.loads(row.transcript_json)
        turns_json[1]["content"] = "Call me on (020) 7946 0958 or write to fatima@example.org."
        conn.execute(sessions.update().where(sessions.c.id == row.id).values(transcript_json=json.dumps(turns_json)))
    asked = datetime(2026, 11, 21, 9, 0, tzinfo=UTC)
    repository.add_chat_exchange(engine, in_turns, [
        {"id": str(uuid.uuid4()), "role": "user", "content": "What is their number? Was it +233 24 123 4567?",
         "citations": [], "source": None, "created_at": asked}])
    return in_turns, in_json


async def test_contact_details_are_masked_in_the_pack_and_kept_in_the_source(db, tmp_path):
    in_turns, in_json = await say_contact_details(db)
    path = tmp_path / "masked.insighta-pack"
    manifest = export_test_pack(db, [in_turns, in_json], path)
    # 2 candidate_email columns + the two said aloud + one in the chat
    assert manifest.extra["redacted"] == {"emails": 4, "phones": 3}
    assert read_sealed(path).header.contents["redacted"] == {"emails": 4, "phones": 3}
    pack = open_pack(path, PASSPHRASE)
    services = PackInterviewServices(pack)
    try:
        live, packed = await get_transcript(db, in_turns), await services.transcript(in_turns)
        assert live.turn_by_seq(2).content == SAID and packed.turn_by_seq(2).content == MASKED
        assert [t.content for t in packed.turns if t.sequence_no != 2] == \
            [t.content for t in live.turns if t.sequence_no != 2]  # every other turn as it was
        fallback = await services.transcript(in_json)
        assert fallback.source == SOURCE_JSON
        assert fallback.turns[1].content == f"Call me on {PHONE_MASK} or write to {EMAIL_MASK}."
        assert (await services.interview(in_turns)).summary.candidate_email == EMAIL_MASK
        assert repository.get_interview(db, in_turns).summary.candidate_email.endswith("@example.com")
        chat = await services.chat.history(in_turns)
        assert chat[-1].content == f"What is their number? Was it {PHONE_MASK}?"
        text = (await services.export(in_turns, "txt")).text
        assert "gmail" not in text and "123 4567" not in text and "14:05" in text
    finally:
        await services.aclose()


async def test_no_redact_keeps_every_detail(sqlite_engine, tmp_path):
    in_turns, _ = await say_contact_details(sqlite_engine)
    path = tmp_path / "unmasked.insighta-pack"
    manifest = export_test_pack(sqlite_engine, [in_turns], path, redact=False)
    assert "redacted" not in manifest.extra and read_sealed(path).header.contents["redacted"] is None
    pack = open_pack(path, PASSPHRASE)
    try:
        assert (await PackInterviewServices(pack).transcript(in_turns)).turn_by_seq(2).content == SAID
    finally:
        pack.close()
