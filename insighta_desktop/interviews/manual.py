"""An assessment written by hand from the rubric template: when Gemini has no key, or the recruiter disagrees.

It has the shape of Gemini's (recommendation, summary, highlights, red flags, a score per rubric skill), with a
quote from the transcript as the evidence for each score instead of a model's rationale.
"""
from __future__ import annotations

from typing import Any

from insighta_desktop.interviews.model import RECOMMENDATIONS

OVERALL = "Overall"  # the one skill to score when the interview has no rubric
MAX_LIST_ITEMS = 20
MAX_TEXT = 2000


class ManualAssessmentError(ValueError):
    """The form cannot be saved as it is; str() says what to change."""

    transient = False


def _lines(value: Any) -> list[str]:
    items = value.splitlines() if isinstance(value, str) else list(value or [])
    return [str(i).strip()[:MAX_TEXT] for i in items if str(i).strip()][:MAX_LIST_ITEMS]


def rubric_template(rubric: list[str], current: dict[str, Any] | None = None) -> dict[str, Any]:
    """The form's starting point: every rubric skill unscored, or what the current assessment says."""
    current = current or {}
    by_skill = {str(s.get("skill")): s for s in current.get("scores") or [] if isinstance(s, dict)}
    skills = list(rubric) or [s for s in by_skill if s] or [OVERALL]
    scores = []
    for skill in skills:
        known = by_skill.get(skill, {})
        evidence = known.get("evidence") or ""
        scores.append({"skill": skill, "score": known.get("score"), "evidence": str(evidence)})
    recommendation = current.get("recommendation")
    return {"recommendation": recommendation if recommendation in RECOMMENDATIONS else None,
            "summary": str(current.get("summary") or ""),
            "highlights": _lines(current.get("highlights")), "red_flags": _lines(current.get("red_flags")),
            "scores": scores}


def manual_assessment(raw: dict[str, Any], rubric: list[str]) -> dict[str, Any]:
    """Check a filled-in template and give it the stored shape; raises ManualAssessmentError saying what to fix."""
    recommendation = str(raw.get("recommendation") or "").strip().lower()
    if recommendation not in RECOMMENDATIONS:
        raise ManualAssessmentError("Choose a recommendation (strong advance, advance, hold or reject).")
    skills = list(rubric) or [str(s.get("skill")) for s in raw.get("scores") or [] if s.get("skill")] or [OVERALL]
    given = {str(s.get("skill")): s for s in raw.get("scores") or [] if isinstance(s, dict)}
    scores = []
    for skill in skills:
        item = given.get(skill, {})
        score = item.get("score")
        if score is not None and (not isinstance(score, int) or isinstance(score, bool) or not 1 <= score <= 5):
            raise ManualAssessmentError(f"The score for {skill} must be from 1 to 5, or left empty.")
        evidence = str(item.get("evidence") or "").strip()[:MAX_TEXT]
        if evidence and score is None:
            raise ManualAssessmentError(f"Give {skill} a score for the quote you chose, or remove the quote.")
        scores.append({"skill": skill, "score": score, "rationale": "" if score is not None else "Not assessed.",
                       "evidence": evidence})
    if all(s["score"] is None for s in scores):
        raise ManualAssessmentError("Score at least one rubric skill.")
    return {"summary": str(raw.get("summary") or "").strip()[:MAX_TEXT],
            "highlights": _lines(raw.get("highlights")), "red_flags": _lines(raw.get("red_flags")),
            "recommendation": recommendation, "scores": scores}
