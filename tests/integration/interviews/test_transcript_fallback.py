"""Transcript, conversation and exports are the same from the turns table or from transcript_json."""
from __future__ import annotations

import dataclasses
import json

import sqlalchemy as sa

from insighta_desktop.db import schema
from insighta_desktop.interviews.model import SOURCE_JSON, SOURCE_NONE, SOURCE_TURNS, turn_id
from insighta_desktop.interviews.transcript import get_transcript, get_transcript_export
from tests.integration.interviews.seed import SCRIPT, seed_interview, session_of


def without_source(obj):
    data = dataclasses.asdict(obj)
    data.pop("source"), data.pop("note", None)
    return data


def move_turns_to_json(engine, interview_id: str) -> None:
    """Store the same interview the other way: its turns only in the session's transcript_json."""
    session = session_of(engine, interview_id)
    with engine.begin() as conn:
        rows = conn.execute(sa.select(schema.transcript_turns.c.speaker, schema.transcript_turns.c.content,
                                      schema.transcript_turns.c.sequence_no, schema.transcript_turns.c.timestamp_sec)
                            .where(schema.transcript_turns.c.session_id == session)
                            .order_by(schema.transcript_turns.c.sequence_no)).mappings().all()
        conn.execute(sa.update(schema.interview_sessions).where(schema.interview_sessions.c.id == session)
                     .values(transcript_json=json.dumps([dict(r) for r in rows])))
        conn.execute(sa.delete(schema.transcript_turns).where(schema.transcript_turns.c.session_id == session))


async def test_both_sources_give_identical_transcript_history_and_exports(db, clock):
    interview = seed_interview(db, with_json=False)
    retrying = clock.retrying()
    table = (await get_transcript(db, interview, retrying),
             [await get_transcript_export(db, interview, fmt, retrying) for fmt in ("txt", "json", "vtt")])
    move_turns_to_json(db, interview)
    rebuilt = (await get_transcript(db, interview, retrying),
               [await get_transcript_export(db, interview, fmt, retrying) for fmt in ("txt", "json", "vtt")])

    assert table[0].source == SOURCE_TURNS and rebuilt[0].source == SOURCE_JSON
    assert table[0].note is None and "Rebuilt" in rebuilt[0].note
    assert len(table[0].turns) == len(SCRIPT)
    assert without_source(table[0]) == without_source(rebuilt[0])
    for before, after in zip(table[1], rebuilt[1], strict=True):
        assert (before.source, after.source) == (SOURCE_TURNS, SOURCE_JSON)
        assert without_source(before) == without_source(after)


async def test_labels_elapsed_times_and_stable_ids(db, clock):
    interview = seed_interview(db, in_table=0)
    session = session_of(db, interview)
    first = await get_transcript(db, interview, clock.retrying())
    again = await get_transcript(db, interview, clock.retrying())
    assert [t.id for t in first.turns] == [t.id for t in again.turns]
    assert first.turns[0].id == turn_id(session, 1)
    assert [t.speaker_label for t in first.turns] == [
        "Interviewer", "Candidate", "Interviewer", "Candidate", "Interviewer", "Candidate", "Hiring manager"]
    assert [t.elapsed for t in first.turns] == [
        "00:00:00", "00:00:12", "00:00:41", "00:00:55", "01:01:01", "01:01:40", "01:02:05"]


async def test_same_interview_keeps_its_ids_when_the_table_is_filled_later(db, clock):
    interview = seed_interview(db, in_table=0)
    rebuilt = await get_transcript(db, interview, clock.retrying())
    session = session_of(db, interview)
    with db.begin() as conn:
        conn.execute(schema.transcript_turns.insert(), [
            {"id": f"row-{t.sequence_no}", "session_id": session, "sequence_no": t.sequence_no, "speaker": t.speaker,
             "content": t.content, "timestamp_sec": t.timestamp_sec} for t in rebuilt.turns])
    from_table = await get_transcript(db, interview, clock.retrying())
    assert from_table.source == SOURCE_TURNS
    assert from_table.turns == rebuilt.turns


async def test_more_complete_source_wins_after_a_dropped_write(db, clock):
    interview = seed_interview(db, in_table=4)
    transcript = await get_transcript(db, interview, clock.retrying())
    assert transcript.source == SOURCE_JSON
    assert len(transcript.turns) == len(SCRIPT)


async def test_no_session_and_unreadable_json(db, clock):
    interview = seed_interview(db, in_table=0)
    with db.begin() as conn:
        conn.execute(sa.update(schema.interview_sessions).values(transcript_json="[{broken"))
    broken = await get_transcript(db, interview, clock.retrying())
    assert broken.source == SOURCE_NONE and broken.turns == [] and "unreadable" in broken.note
    text = (await get_transcript_export(db, interview, "txt", clock.retrying())).text
    assert "(no transcript)" in text


async def test_export_formats(db, clock):
    interview = seed_interview(db)
    retrying = clock.retrying()
    txt = (await get_transcript_export(db, interview, "txt", retrying)).text
    assert "[00:00:12] Candidate: Hi, I'm Amara. I have spent five years as a backend engineer." in txt.splitlines()
    document = json.loads((await get_transcript_export(db, interview, "json", retrying)).text)
    assert document["turns"][5]["elapsed"] == "01:01:40" and document["turns"][5]["elapsed_seconds"] == 3700.5
    vtt = await get_transcript_export(db, interview, "vtt", retrying)
    assert vtt.text.startswith("WEBVTT\n") and vtt.media_type == "text/vtt"
    assert "T6\n01:01:40.500 --> 01:02:05.000\n<v Candidate>I retry with exponential backoff" in vtt.text
    assert vtt.filename.endswith(".vtt")


async def test_database_reads_go_through_the_retry_layer(db, clock):
    interview = seed_interview(db)
    broken_engine = sa.create_engine("postgresql+psycopg://postgres@127.0.0.1:9/none?connect_timeout=1")
    events = []
    try:
        await get_transcript(broken_engine, interview, clock.retrying(), on_retry=events.append)
    except sa.exc.OperationalError:
        pass
    assert clock.waits == [1.0, 2.0]
    assert [e.next_attempt for e in events] == [2, 3]
