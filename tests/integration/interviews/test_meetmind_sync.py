"""Sync from a real MeetMind database (created from the fixture schema) into the app's database, both back ends."""
from __future__ import annotations

import json
from datetime import UTC, datetime

import psycopg
import pytest
import sqlalchemy as sa

from insighta_desktop.db import schema
from insighta_desktop.db.meetmind import APPLICATION_NAME, MeetMindSchemaError, create_meetmind_engine
from insighta_desktop.db.synced_interviews import meetmind_copy
from insighta_desktop.interviews.meetmind_sync import MeetMindSync, sync_meetmind
from insighta_desktop.interviews.model import SOURCE_JSON, SOURCE_NONE, SOURCE_TURNS
from insighta_desktop.interviews.transcript import get_transcript
from tests.meetmind_db import INTERVIEW

ASSESSMENT = {"observation": "Concrete answers with measured results.", "highlights": ["EXPLAIN ANALYZE"],
              "red_flags": ["Vague on rate limits"]}


async def sync(db, meetmind, clock, **kwargs):  # noqa: F811
    return await sync_meetmind(db, meetmind.url, retrying=clock.retrying(), **kwargs)


def count(db, table: sa.Table) -> int:
    with db.connect() as conn:
        return conn.execute(sa.select(sa.func.count()).select_from(table)).scalar_one()


async def test_turns_json_both_and_neither(db, meetmind, clock):  # noqa: F811
    turns_only = meetmind.add_interview("Turns Only", turns=INTERVIEW)
    json_only = meetmind.add_interview("Json Only", json_turns=INTERVIEW)
    json_fuller = meetmind.add_interview("Json Fuller", turns=INTERVIEW[:3], json_turns=INTERVIEW)
    turns_fuller = meetmind.add_interview("Turns Fuller", turns=INTERVIEW, json_turns=INTERVIEW[:2])
    neither = meetmind.add_interview("Nobody Spoke", status="draft")
    no_session = meetmind.add_interview("No Session", turns=INTERVIEW[:2], session=False)

    report = await sync(db, meetmind, clock)

    assert (report.new, report.updated, report.unchanged) == (6, 0, 0)
    by_id = {i.id: i for i in report.interviews}
    expected = {turns_only: (SOURCE_TURNS, 6), json_only: (SOURCE_JSON, 6), json_fuller: (SOURCE_JSON, 6),
                turns_fuller: (SOURCE_TURNS, 6), neither: (SOURCE_NONE, 0), no_session: (SOURCE_TURNS, 2)}
    for ident, (source, turns) in expected.items():
        transcript = await get_transcript(db, ident, clock.retrying())  # the app's own reading, MeetMind's id
        assert (transcript.source, len(transcript.turns)) == (source, turns), by_id[ident].candidate_name
        assert (by_id[ident].transcript_source, by_id[ident].turns) == (source, turns)
        copy = meetmind_copy(db, ident)
        assert copy is not None and copy.transcript_source == source
    transcript = await get_transcript(db, json_fuller, clock.retrying())
    assert "Rebuilt" in transcript.note
    assert [t.speaker_label for t in transcript.turns] == ["Interviewer", "Candidate", "Interviewer", "Candidate",
                                                           "Interviewer", "Candidate"]
    assert [t.elapsed for t in transcript.turns][:3] == ["00:00:00", "00:00:12", "00:00:41"]
    assert meetmind_copy(db, turns_only).speakers == {"Interviewer": ["Meet Mind"], "Candidate": ["Turns Only"]}
    with db.connect() as conn:
        row = conn.execute(sa.select(schema.interviews).where(schema.interviews.c.id == neither)).one()
    assert (row.candidate_name, row.role, row.status) == ("Nobody Spoke", "Backend Engineer", "draft")
    assert json.loads(row.rubric_json) == ["Python", "Databases"]


async def test_notes_are_kept_apart_and_meetmind_assessment_is_copied(db, meetmind, clock):  # noqa: F811
    with_notes = INTERVIEW[:2] + [("user", "Strong on SQL, probe system design next time.", 20),
                                  ("assistant", "Noted: system design follow-up.", 21)] + INTERVIEW[2:4]
    in_table = meetmind.add_interview("Table Notes", turns=with_notes, assessment=ASSESSMENT)
    in_json = meetmind.add_interview("Json Notes", json_turns=with_notes, assessment="{not json")

    numbered_apart = meetmind.add_interview("Own Numbering", turns=INTERVIEW[:4])
    meetmind.add_turns(numbered_apart, with_notes[2:4], first_seq=1)  # notes numbered 1, 2 beside turns 1-4

    await sync(db, meetmind, clock)

    for ident, source in ((in_table, SOURCE_TURNS), (in_json, SOURCE_JSON), (numbered_apart, SOURCE_TURNS)):
        transcript = await get_transcript(db, ident, clock.retrying())
        assert transcript.source == source and len(transcript.turns) == 4
        assert all(t.speaker in ("ai", "candidate") for t in transcript.turns)
        copy = meetmind_copy(db, ident)
        assert [(n.speaker, n.content) for n in copy.notes] == [
            ("user", "Strong on SQL, probe system design next time."), ("assistant", "Noted: system design follow-up.")]
        assert copy.notes[0].source == source
    assert meetmind_copy(db, in_table).assessment == ASSESSMENT
    assert meetmind_copy(db, in_json).assessment is None  # unreadable: nothing shown rather than garbage


async def test_sync_is_idempotent_and_new_turns_arrive_on_the_next_sync(db, meetmind, clock):  # noqa: F811
    live = meetmind.add_interview("Live Interview", turns=INTERVIEW[:2])
    meetmind.add_interview("Finished", turns=INTERVIEW, json_turns=INTERVIEW)
    first = await sync(db, meetmind, clock)
    before = await get_transcript(db, live, clock.retrying())
    with db.begin() as conn:  # the app's own work on the synced interview must survive a later sync
        conn.execute(schema.chat_messages.insert().values(id="c1", interview_id=live, role="user", content="Hi?",
                                                          created_at=datetime.now(UTC)))
    sizes = {t.name: count(db, t) for t in (schema.interviews, schema.interview_sessions, schema.transcript_turns,
                                            schema.meetmind_interviews, schema.interview_notes)}

    second = await sync(db, meetmind, clock)

    assert (first.new, second.new, second.updated, second.unchanged) == (2, 0, 0, 2)
    assert {t.name: count(db, t) for t in (schema.interviews, schema.interview_sessions, schema.transcript_turns,
                                           schema.meetmind_interviews, schema.interview_notes)} == sizes
    assert {i.outcome for i in second.interviews} == {"unchanged"}
    assert {i.candidate_name for i in second.interviews} == {"Live Interview", "Finished"}

    meetmind.add_turns(live, INTERVIEW[2:5], first_seq=3)
    third = await sync(db, meetmind, clock)

    assert (third.new, third.updated, third.unchanged) == (0, 1, 1)
    after = await get_transcript(db, live, clock.retrying())
    assert len(after.turns) == 5 and after.turns[:2] == before.turns  # same ids and times for the earlier turns
    assert count(db, schema.chat_messages) == 1


async def test_extra_columns_are_ignored_and_missing_optional_ones_read_as_empty(db, meetmind, clock):  # noqa: F811
    meetmind.execute("ALTER TABLE interviews ADD COLUMN recording_url text DEFAULT 'https://example.com/r'")
    meetmind.execute("ALTER TABLE interview_transcript_turns ADD COLUMN sentiment real")
    meetmind.execute("ALTER TABLE interview_sessions ADD COLUMN language varchar(8) DEFAULT 'en'")
    ident = meetmind.add_interview("Tolerant Reader", turns=INTERVIEW, json_turns=INTERVIEW[:2],
                                   assessment=ASSESSMENT)
    for column in ("interviews.started_at", "interviews.candidate_id", "interview_sessions.rubric_json",
                   "interview_transcript_turns.speaker_name", "interview_summaries.generated_at"):
        table, name = column.split(".")
        meetmind.execute(f"ALTER TABLE {table} DROP COLUMN {name}")

    report = await sync(db, meetmind, clock)

    assert report.new == 1
    assert {"interviews.started_at", "interview_sessions.rubric_json",
            "interview_transcript_turns.speaker_name"} <= set(report.missing_columns)
    transcript = await get_transcript(db, ident, clock.retrying())
    assert transcript.source == SOURCE_TURNS and len(transcript.turns) == 6
    assert meetmind_copy(db, ident).assessment == ASSESSMENT
    again = await sync(db, meetmind, clock)
    assert (again.new, again.updated, again.unchanged) == (0, 0, 1)


async def test_interviews_without_a_session_link_in_an_older_database(db, meetmind, clock):  # noqa: F811
    ident = meetmind.add_interview("Old Schema", turns=INTERVIEW[:4], json_turns=INTERVIEW)
    meetmind.execute("ALTER TABLE interviews DROP COLUMN session_id")
    report = await sync(db, meetmind, clock)
    assert report.new == 1 and "interviews.session_id" in report.missing_columns
    transcript = await get_transcript(db, ident, clock.retrying())
    assert transcript.source == SOURCE_TURNS and len(transcript.turns) == 4  # no JSON to fall back on
    assert report.interviews[0].candidate_name == "Unknown candidate"  # the name lives on the session


async def test_a_dropped_connection_is_retried_mid_sync(db, meetmind, clock):  # noqa: F811
    ids = [meetmind.add_interview(f"Candidate {n}", turns=INTERVIEW) for n in range(3)]
    engine = create_meetmind_engine(meetmind.url)
    terminated, events, progress = [], [], []

    def on_progress(p):
        progress.append((p.stage, p.done, p.total))
        if p.stage == "copying" and p.done == 1 and not terminated:
            terminated.append(meetmind.terminate_connections(APPLICATION_NAME))

    try:
        report = await MeetMindSync(db, engine, retrying=clock.retrying(), batch_size=1).run(
            on_progress=on_progress, on_retry=events.append)
    finally:
        engine.dispose()

    assert terminated == [1]  # the pooled connection was killed between two batches
    assert [e.task_name for e in events] == ["Read MeetMind interviews"] and clock.waits == [1.0]
    assert report.new == 3 and {i.id for i in report.interviews} == set(ids)
    assert [p for p in progress if p[0] == "copying"] == [("copying", 0, 3), ("copying", 1, 3), ("copying", 2, 3),
                                                         ("copying", 3, 3)]


def test_the_meetmind_connection_is_read_only(meetmind):  # noqa: F811
    engine = create_meetmind_engine(meetmind.url)
    try:
        with pytest.raises(sa.exc.InternalError) as raised, engine.begin() as conn:
            conn.exec_driver_sql("DELETE FROM interviews")
        assert isinstance(raised.value.orig, psycopg.errors.ReadOnlySqlTransaction)
    finally:
        engine.dispose()


async def test_a_database_that_is_not_meetmind_is_refused_clearly(db, meetmind, clock):  # noqa: F811
    meetmind.execute("DROP TABLE interviews CASCADE")
    with pytest.raises(MeetMindSchemaError, match="no MeetMind interviews table"):
        await sync(db, meetmind, clock)
    assert clock.waits == []  # not a transient failure: no retry


async def test_synced_interviews_travel_in_a_review_pack(db, meetmind, clock, tmp_path):  # noqa: F811
    from insighta_desktop.packs import open_pack
    from insighta_desktop.packs.offline import PackInterviewServices
    from tests.integration.packs.packdata import PASSPHRASE, export_test_pack

    ids = [meetmind.add_interview("Turns", turns=INTERVIEW), meetmind.add_interview("Json", json_turns=INTERVIEW)]
    await sync(db, meetmind, clock)
    export_test_pack(db, ids, tmp_path / "meetmind.insighta-pack", redact=False)  # unmasked: every turn as synced
    pack = open_pack(tmp_path / "meetmind.insighta-pack", PASSPHRASE)
    try:
        services = PackInterviewServices(pack)
        for ident in ids:
            assert await services.transcript(ident) == await get_transcript(db, ident, clock.retrying())
    finally:
        pack.close()
