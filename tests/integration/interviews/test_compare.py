"""Comparing candidates on SQLite and PostgreSQL: one role, 2 to 4 interviews, the evidence behind every score."""
from __future__ import annotations

from datetime import UTC, datetime

import pytest
import sqlalchemy as sa

from insighta_desktop.db import assessment_claims as claims
from insighta_desktop.interviews import repository
from insighta_desktop.interviews.compare import NOT_ASSESSED, CompareError
from insighta_desktop.interviews.model import MANUAL_MODEL
from insighta_desktop.interviews.ownership import this_process
from insighta_desktop.interviews.repository import NotFound
from insighta_desktop.interviews.transcript import get_transcript
from tests.integration.interviews.seed import seed_interview

GEMINI_STYLE = {"summary": "Concrete answers.", "highlights": ["Reads query plans [T4]"],
                "red_flags": ["Vague on Python"], "recommendation": "advance",
                "scores": [{"skill": "Python", "score": 2, "rationale": "Little said about Python."},
                           {"skill": "Databases", "score": 5, "rationale": "EXPLAIN ANALYZE, composite index [T4]."},
                           {"skill": "Communication", "score": 4, "rationale": "Clear throughout [T2, T6]."}]}


def store_assessment(engine, interview_id: str, content: dict | None, model: str = "gemini-test", *,
                     error: str | None = None) -> None:
    """An assessment written as a run of this process writes it: claimed, then completed (or failed)."""
    now, me = datetime.now(UTC), this_process()
    claimed = claims.claim_assessment(engine, interview_id, model, now, me, lambda _claim: False)
    assert not isinstance(claimed, claims.Claim)
    claims.finish_assessment(engine, claimed.id, me, now, content=content, error=error)


@pytest.fixture
def three(db, services):
    """Three Backend Engineer interviews: a Gemini assessment, one written by hand, none; and a Data Analyst."""
    ids = [seed_interview(db, candidate=name) for name in ("Amara Diallo", "Paul Sidibé", "Kofi Mensah")]
    store_assessment(db, ids[0], GEMINI_STYLE)
    analyst = seed_interview(db, candidate="Kwame Asante", role="Data Analyst")
    return ids, analyst


async def test_side_by_side_with_the_evidence_behind_each_score(db, services, three):
    ids, _ = three
    await services.assessments.save_manual(ids[1], {
        "recommendation": "strong_advance", "summary": "Excellent.", "highlights": "Backoff with jitter",
        "red_flags": "", "scores": [
            {"skill": "Databases", "score": 4, "evidence": "“add a composite index   MATCHING the filter”"},
            {"skill": "Communication", "score": 3, "evidence": "words the transcript never had"}]})
    await services.highlights.add(ids[2], "T6", note="Ask about circuit breakers")

    comparison = await services.compare([ids[0], ids[1], ids[2], ids[0]])  # a repeated id counts once
    assert comparison.role == "Backend Engineer"
    assert comparison.skills == ["Python", "Databases", "Communication"]
    assert [i.candidate_name for i in comparison.interviews] == ["Amara Diallo", "Paul Sidibé", "Kofi Mensah"]
    gemini, manual, unassessed = comparison.interviews
    turns = {t.sequence_no: t for t in (await get_transcript(db, ids[0])).turns}

    assert gemini.recommendation == "advance" and gemini.assessment_source == "gemini"
    python, databases, communication = gemini.scores
    assert (python.score, python.quote, python.turn_id, python.rationale) == (
        2, None, None, "Little said about Python.")
    assert databases.score == 5 and databases.sequence_no == 4 and databases.turn_id == turns[4].id
    assert databases.quote == turns[4].content and databases.elapsed == "00:00:55"
    assert communication.sequence_no == 2  # the first turn its rationale cites
    assert gemini.highlights == ["Reads query plans [T4]"] and gemini.red_flags == ["Vague on Python"]

    manual_turns = {t.sequence_no: t for t in (await get_transcript(db, ids[1])).turns}
    assert manual.recommendation == "strong_advance" and manual.assessment_source == "manual"
    m_python, m_databases, m_communication = manual.scores
    assert m_python.score is None and not m_python.assessed
    assert m_databases.quote == "“add a composite index MATCHING the filter”"
    assert m_databases.turn_id == manual_turns[4].id  # found whatever its spacing, case and quotation marks
    assert m_communication.quote == "words the transcript never had" and m_communication.turn_id is None

    assert unassessed.recommendation is None and unassessed.assessment_status is None
    assert all(not e.assessed and e.rationale == "Not assessed." for e in unassessed.scores)
    assert [h.range_tag for h in unassessed.marked] == ["T6"]
    assert comparison.best_score("Databases") == 5 and comparison.best_score("Python") == 2

    data = comparison.to_json()
    assert data["interviews"][2]["recommendation"] == NOT_ASSESSED
    assert data["interviews"][2]["scores"][0] == {
        "skill": "Python", "score": None, "assessed": False, "quote": None, "turn_id": None, "turn": None,
        "elapsed": None, "rationale": "Not assessed."}
    assert data["interviews"][0]["scores"][1]["turn"] == "T4"
    assert data["interviews"][2]["recruiter_highlights"][0]["note"] == "Ask about circuit breakers"
    talk = data["interviews"][0]["talk_time"]
    assert [s["label"] for s in talk["speakers"]] == ["Interviewer", "Candidate", "Hiring manager"]
    assert sum(s["time_share"] for s in talk["speakers"]) == pytest.approx(1.0, abs=1e-3)


async def test_a_failed_or_pending_assessment_is_not_assessed(db, services, three):
    ids, _ = three
    store_assessment(db, ids[2], None, error="Gemini refused the key")
    comparison = await services.compare(ids[1:])
    assert [(i.assessment_status, i.recommendation) for i in comparison.interviews] == [(None, None),
                                                                                        ("failed", None)]


async def test_only_one_role_and_two_to_four_interviews(db, services, three):
    ids, analyst = three
    with pytest.raises(CompareError, match=r"^These interviews are for different roles \(Backend Engineer: Amara "
                                           r"Diallo, Paul Sidibé; Data Analyst: Kwame Asante\); compare interviews "
                                           r"of one role$"):
        await services.compare([ids[0], ids[1], analyst])
    with pytest.raises(CompareError, match=r"Choose 2 to 4 interviews to compare \(1 was chosen\)"):
        await services.compare([ids[0], ids[0]])
    extra = [seed_interview(db, candidate=f"Extra {n}") for n in range(2)]
    with pytest.raises(CompareError, match=r"\(5 were chosen\)"):
        await services.compare(ids + extra)
    with pytest.raises(NotFound):
        await services.compare([ids[0], "no-such-interview"])
    four = await services.compare(ids + extra[:1])
    assert len(four.interviews) == 4


async def test_roles_match_whatever_their_case_and_spacing(db, services):
    first = seed_interview(db, role="Backend Engineer")
    second = seed_interview(db, role="  backend   engineer ", rubric=("Python", "Go"))
    comparison = await services.compare([first, second])
    assert comparison.role == "Backend Engineer"
    assert comparison.skills == ["Python", "Databases", "Communication", "Go"]  # the rubrics' union, in order


async def test_manual_assessments_are_told_apart(db, services, three):
    ids, _ = three
    store_assessment(db, ids[1], {**GEMINI_STYLE, "recommendation": "hold"}, model=MANUAL_MODEL)
    comparison = await services.compare(ids[:2])
    assert [i.assessment_source for i in comparison.interviews] == ["gemini", "manual"]


async def test_one_read_gives_what_the_per_interview_reads_give_in_five_statements(db, services):
    from insighta_desktop.db import highlights_store
    from insighta_desktop.demo.loader import load_demo_data
    from insighta_desktop.interviews.file_import import ImportOptions, import_path
    from tests.integration.interviews.test_file_import import DATA

    load_demo_data(db, profiles=5)  # turns in the table, only in the JSON, a dropped write, no transcript yet
    imported = import_path(db, DATA / "zoom.vtt", ImportOptions(candidate_speaker="Ngozi Okafor"))  # named speakers
    ids = [i.id for i in repository.list_interviews(db)]
    assert imported.interview_id in ids
    await services.highlights.add(ids[3], "T2", "T3", note="a note")
    statements: list[str] = []

    def record(conn, cursor, statement, *rest):
        statements.append(statement)

    sa.event.listen(db, "before_cursor_execute", record)
    try:
        loaded = repository.load_for_review(db, ids)
    finally:
        sa.event.remove(db, "before_cursor_execute", record)
    assert len([s for s in statements if s.lstrip().upper().startswith("SELECT")]) == 5
    for item, interview_id in zip(loaded, ids, strict=True):
        assert item.interview == repository.get_interview(db, interview_id)
        assert item.transcript == repository.load_transcript_sources(db, interview_id)
        assert item.assessment == repository.get_assessment(db, interview_id)
        assert item.highlights == highlights_store.list_highlights(db, [interview_id])
    assert sum(len(i.highlights) for i in loaded) == 1 and len(loaded) == 9
    assert any(i.transcript.speakers for i in loaded)
