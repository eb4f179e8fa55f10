"""Opening an interview (issue 11 §2): transcript, latest assessment and chat history in one call (one pipelined round
trip on PostgreSQL) give what the three separate reads give, on both back ends."""
from __future__ import annotations

from datetime import UTC, datetime

import pytest

from insighta_desktop.db import schema
from insighta_desktop.interviews import repository
from insighta_desktop.interviews.transcript import get_transcript
from tests.integration.interviews.seed import seed_interview


@pytest.mark.parametrize("in_table", [None, 3])
async def test_open_view_equals_the_three_reads(services, fake_gemini, db, in_table):
    interview = seed_interview(db, in_table=in_table)
    fake_gemini.answer("They read the EXPLAIN ANALYZE plan [T4].")
    await services.chat.ask(interview, "How do they debug slow queries?")
    with db.begin() as conn:  # two assessments: the latest is the one shown
        for n, minute in ((1, 1), (2, 5)):
            conn.execute(schema.assessments.insert().values(
                id=f"a{n}", interview_id=interview, status="completed", content_json=f'{{"summary": "ok {n}"}}',
                model="test", created_at=datetime(2026, 1, 1, 9, minute, tzinfo=UTC),
                updated_at=datetime(2026, 1, 1, 9, minute, tzinfo=UTC)))

    transcript, assessment, history = await services.open_view(interview)
    assert transcript == await get_transcript(db, interview, services.retrying)
    assert assessment == repository.get_assessment(db, interview)
    assert history == repository.list_chat(db, interview)
    assert len(history) == 2 and transcript.turns and assessment is not None and assessment.id == "a2"
    view = repository.load_interview_view(db, interview)
    assert view.transcript == repository.load_transcript_sources(db, interview)


def test_open_view_of_an_interview_without_a_session_or_at_all(db):
    interview = seed_interview(db)
    with db.begin() as conn:
        conn.exec_driver_sql("DELETE FROM interview_sessions")
    view = repository.load_interview_view(db, interview)
    assert view.transcript == repository.load_transcript_sources(db, interview)
    assert view.transcript.session_id is None and view.assessment is None and view.chat == []
    with pytest.raises(repository.NotFound):
        repository.load_interview_view(db, "no-such-interview")
