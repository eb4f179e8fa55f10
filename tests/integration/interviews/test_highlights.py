"""Highlights on SQLite and PostgreSQL: create, list, delete, resolve against the transcript, exported with it."""
from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa

from insighta_desktop.db import highlights_store, schema
from insighta_desktop.db.highlights_store import HighlightNotFound
from insighta_desktop.interviews.highlights import HighlightError, HighlightService
from insighta_desktop.interviews.repository import NotFound
from insighta_desktop.interviews.transcript import get_transcript, get_transcript_export
from tests.integration.interviews.seed import seed_interview
from tests.integration.interviews.test_transcript_fallback import move_turns_to_json


class Ticks:
    """A clock that moves one second per reading, so creation order is unambiguous on both back ends."""

    def __init__(self) -> None:
        self.at = datetime(2026, 11, 20, 9, 0, tzinfo=UTC)

    def __call__(self) -> datetime:
        self.at += timedelta(seconds=1)
        return self.at


@pytest.fixture
def highlights(db, clock) -> HighlightService:
    return HighlightService(db, clock.retrying(), now=Ticks())


async def test_create_list_and_delete(db, highlights):
    interview = seed_interview(db)
    transcript = await get_transcript(db, interview)
    t = {turn.sequence_no: turn for turn in transcript.turns}
    later = await highlights.add(interview, "T6", note="  Knows Retry-After  ")
    # a range given last turn first is stored first to last; a turn can be named by its id or a prefix of it
    earlier = await highlights.add(interview, t[4].id, t[2].id[:8], note="")
    assert later.range_tag == "T6" and later.note == "Knows Retry-After" and later.speakers == "Candidate"
    assert earlier.range_tag == "T2–T4" and earlier.note is None
    assert (earlier.highlight.first_turn_id, earlier.highlight.last_turn_id) == (t[2].id, t[4].id)
    assert [turn.sequence_no for turn in earlier.turns] == [2, 3, 4]
    assert earlier.speakers == "Candidate, Interviewer" and earlier.elapsed == t[2].elapsed

    listed = await highlights.list(interview)
    assert [h.id for h in listed] == [earlier.id, later.id]  # in transcript order, not creation order
    assert listed == [earlier, later]
    assert listed[0].to_json()["turns"] == ["T2", "T3", "T4"]

    gone = await highlights.delete(earlier.id)
    assert gone.id == earlier.id
    assert [h.id for h in await highlights.list(interview)] == [later.id]
    with pytest.raises(HighlightNotFound, match="No highlight with id"):
        await highlights.delete(earlier.id)


async def test_bad_requests_are_refused_with_one_line(db, highlights):
    interview = seed_interview(db)
    with pytest.raises(HighlightError, match=r"No turn 'T99' in this interview \(turns T1–T7\)"):
        await highlights.add(interview, "T99")
    with pytest.raises(HighlightError, match="No turn 'deadbeefcafe'"):
        await highlights.add(interview, "T1", "deadbeefcafe")
    with pytest.raises(HighlightError, match="Name a turn"):
        await highlights.add(interview, "  ")
    with pytest.raises(HighlightError, match="keep it under 2,000"):
        await highlights.add(interview, "T1", note="x" * 2001)
    empty = seed_interview(db, in_table=0, with_json=False, candidate="Nobody Yet")
    with pytest.raises(HighlightError, match="no transcript to highlight"):
        await highlights.add(empty, "T1")
    with pytest.raises(NotFound):
        await highlights.add("no-such-interview", "T1")
    assert await highlights.list(interview) == []


async def test_highlights_follow_the_turns_whichever_source_serves_them(db, highlights):
    interview = seed_interview(db, with_json=False)
    made = await highlights.add(interview, "T3", "T4", note="indexes")
    move_turns_to_json(db, interview)
    transcript = await get_transcript(db, interview)
    assert transcript.source == "transcript_json"
    [again] = await highlights.list(interview)
    assert again.turns == made.turns and again.range_tag == "T3–T4"


async def test_turns_that_left_the_transcript_are_listed_not_dropped(db, highlights):
    interview = seed_interview(db)
    made = await highlights.add(interview, "T7")
    with db.begin() as conn:  # the last turn disappears from both copies of the transcript
        conn.execute(sa.delete(schema.transcript_turns).where(schema.transcript_turns.c.sequence_no == 7))
        conn.execute(sa.update(schema.interview_sessions).values(transcript_json=None))
    [orphan] = await highlights.list(interview)
    assert orphan.id == made.id and orphan.turns == [] and orphan.range_tag == "?"
    assert orphan.to_json()["missing_turns"] is True
    export = await get_transcript_export(db, interview, "txt")
    assert "(its turns are no longer in the transcript)" in export.text


async def test_deleting_an_interview_deletes_its_highlights(db, highlights):
    interview = seed_interview(db)
    other = seed_interview(db, candidate="Kwame Asante")
    await highlights.add(interview, "T2")
    await highlights.add(other, "T2")
    with db.begin() as conn:
        conn.execute(sa.delete(schema.interviews).where(schema.interviews.c.id == interview))
    assert [h.interview_id for h in highlights_store.list_highlights(db, [interview, other])] == [other]


async def test_exports_carry_the_highlights(db, highlights):
    interview = seed_interview(db)
    await highlights.add(interview, "T3", "T4", note="Great answer --> ask a follow-up\n\nabout partial indexes")
    await highlights.add(interview, "T6")

    text = (await get_transcript_export(db, interview, "txt")).text
    section = text.split("\nHighlights\n", 1)[1]
    assert "* T3–T4 [00:00:41] Interviewer, Candidate: “How do you choose indexes" in section
    assert "— note: Great answer --> ask a follow-up" in section
    assert "* T6 [01:01:40] Candidate: “I retry with exponential backoff" in section

    document = json.loads((await get_transcript_export(db, interview, "json")).text)
    assert [(h["range"], h["note"]) for h in document["highlights"]] == [
        ("T3–T4", "Great answer --> ask a follow-up\n\nabout partial indexes"), ("T6", None)]
    assert document["highlights"][0]["first_turn_id"] == document["turns"][2]["id"]

    vtt = (await get_transcript_export(db, interview, "vtt")).text
    blocks = vtt.split("\n\n")
    note = blocks.index("NOTE Highlight T3–T4 at 00:00:41 (Interviewer, Candidate)\n"
                        "Note: Great answer → ask a follow-up\nabout partial indexes")
    assert blocks[note + 1].startswith("T3\n00:00:41.000 --> ")  # the NOTE comes right before its first cue
    assert "NOTE Highlight T6 at 01:01:40 (Candidate)" in blocks
    assert vtt.count("-->") == 7  # one per cue: none left in a NOTE


async def test_listing_many_interviews_is_one_statement(db, highlights):
    first, second = seed_interview(db), seed_interview(db, candidate="Kwame Asante")
    await highlights.add(first, "T1")
    await highlights.add(second, "T2")
    statements: list[str] = []

    def record(conn, cursor, statement, *rest):
        statements.append(statement)

    sa.event.listen(db, "before_cursor_execute", record)
    try:
        rows = highlights_store.list_highlights(db, [first, second])
    finally:
        sa.event.remove(db, "before_cursor_execute", record)
    assert sorted(r.interview_id for r in rows) == sorted([first, second])
    assert len([s for s in statements if "interview_highlights" in s]) == 1
