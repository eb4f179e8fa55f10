"""The interview list says which interviews have something to read, so the first selection can skip the rest."""
from __future__ import annotations

import uuid

from insighta_desktop.db import schema
from insighta_desktop.interviews import repository
from tests.integration.interviews.seed import START, seed_interview


def test_the_list_knows_which_interviews_have_a_transcript(db):
    in_table = seed_interview(db, with_json=False, candidate="Table Only")
    in_json = seed_interview(db, in_table=0, candidate="Json Only")
    empty = seed_interview(db, in_table=0, with_json=False, candidate="Empty Session")
    no_session = str(uuid.uuid4())
    with db.begin() as conn:
        conn.execute(schema.interviews.insert().values(
            id=no_session, candidate_name="Not Yet Held", role="Backend Engineer", status="scheduled",
            rubric_json="[]", scheduled_at=START, created_at=START))
        conn.execute(schema.interview_sessions.update().where(schema.interview_sessions.c.interview_id == empty)
                     .values(transcript_json="[]"))
    listed = {i.candidate_name: i.has_transcript for i in repository.list_interviews(db)}
    assert listed == {"Table Only": True, "Json Only": True, "Empty Session": False, "Not Yet Held": False}
    assert {in_table, in_json} < {i.id for i in repository.list_interviews(db)}
