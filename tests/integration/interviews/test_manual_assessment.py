"""An assessment written by hand from the rubric template (no Gemini key needed), stored with source "manual"."""
from __future__ import annotations

import json

import pytest

from insighta_desktop.integrations.gemini import GeminiClient, GeminiConfig
from insighta_desktop.interviews import repository
from insighta_desktop.interviews.assessments import AssessmentService, GeminiNotConfigured
from insighta_desktop.interviews.failures import SETTINGS, explain
from insighta_desktop.interviews.manual import ManualAssessmentError, manual_assessment, rubric_template
from tests.integration.interviews.seed import seed_interview
from tests.integration.interviews.test_assessments import GOOD

FILLED = {"recommendation": "advance", "summary": "Solid on databases.",
          "highlights": "Reads query plans\n\n  Measures before and after  ", "red_flags": "",
          "scores": [{"skill": "Python", "score": 3, "evidence": ""},
                     {"skill": "Databases", "score": 5, "evidence": "I read the EXPLAIN ANALYZE plan"},
                     {"skill": "Communication", "score": None, "evidence": ""}]}


async def test_without_a_key_generate_points_to_settings_and_the_template_is_saved_as_manual(db, services):
    interview = seed_interview(db)
    no_key = AssessmentService(db, GeminiClient(GeminiConfig(api_key=None)), services.retrying)
    with pytest.raises(GeminiNotConfigured) as raised:
        await no_key.generate(interview)
    assert explain(raised.value, "Gemini").fix == SETTINGS
    assert await no_key.get(interview) is None  # nothing half-written

    template = await no_key.manual_template(interview)
    assert template["recommendation"] is None and template["highlights"] == []
    assert [(s["skill"], s["score"], s["evidence"]) for s in template["scores"]] == [
        ("Python", None, ""), ("Databases", None, ""), ("Communication", None, "")]

    saved = await no_key.save_manual(interview, FILLED)
    assert saved.status == "completed" and saved.source == "manual" and saved.to_json()["source"] == "manual"
    assert saved.content["highlights"] == ["Reads query plans", "Measures before and after"]
    assert saved.content["red_flags"] == []
    assert saved.content["scores"][1] == {"skill": "Databases", "score": 5, "rationale": "",
                                          "evidence": "I read the EXPLAIN ANALYZE plan"}
    assert saved.content["scores"][2]["score"] is None
    assert (await no_key.get(interview)) == saved
    [summary] = repository.list_interviews(db)
    assert summary.assessment_status == "completed"


async def test_the_template_starts_from_the_current_assessment_and_gemini_can_replace_a_manual_one(
        db, services, fake_gemini):
    interview = seed_interview(db)
    fake_gemini.answer(json.dumps(GOOD))
    generated = await services.assessments.generate(interview)
    assert generated.source == "gemini"
    template = await services.assessments.manual_template(interview)
    assert template["recommendation"] == "advance" and template["summary"] == GOOD["summary"]
    assert [s["score"] for s in template["scores"]] == [4, 5, None]

    manual = await services.assessments.save_manual(interview, {**template, "recommendation": "hold",
                                                                "scores": FILLED["scores"]})
    assert manual.id == generated.id and manual.source == "manual" and manual.content["recommendation"] == "hold"
    fake_gemini.answer(json.dumps(GOOD))
    again = await services.assessments.generate(interview)
    assert again.source == "gemini" and again.content["recommendation"] == "advance"


@pytest.mark.parametrize(("change", "message"), [
    ({"recommendation": None}, "Choose a recommendation"),
    ({"scores": [{"skill": "Python", "score": 7, "evidence": ""}]}, "from 1 to 5"),
    ({"scores": [{"skill": "Python", "score": None, "evidence": "a quote"}]}, "Give Python a score"),
    ({"scores": []}, "Score at least one rubric skill"),
])
def test_an_incomplete_form_says_what_to_fix(change, message):
    with pytest.raises(ManualAssessmentError, match=message):
        manual_assessment({**FILLED, **change}, ["Python", "Databases", "Communication"])


def test_an_interview_without_a_rubric_is_scored_overall():
    assert [s["skill"] for s in rubric_template([])["scores"]] == ["Overall"]
    content = manual_assessment({"recommendation": "reject", "scores": [{"skill": "Overall", "score": 2}]}, [])
    assert content["scores"] == [{"skill": "Overall", "score": 2, "rationale": "", "evidence": ""}]
