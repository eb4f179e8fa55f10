"""AI assessments through Gemini's structured output, with a status lifecycle that never stays stuck.

pending → generating → completed | failed. Any failure after retries (or a cancellation) sets `failed`
with the reason; `recover_interrupted` turns rows a crash left `generating` into `failed` at start-up.
"""
from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy.engine import Engine

from insighta_desktop.interviews import repository
from insighta_desktop.interviews.failures import describe_failure
from insighta_desktop.interviews.manual import manual_assessment, rubric_template
from insighta_desktop.interviews.model import MANUAL_MODEL, RECOMMENDATIONS, Assessment, Interview, Transcript
from insighta_desktop.interviews.transcript import get_transcript
from insighta_desktop.resilience import RetryEvent, Retrying

log = logging.getLogger(__name__)

STALE_AFTER = timedelta(minutes=5)
SYSTEM_PROMPT = (
    "You assess job interviews for a recruiter. Judge only from the transcript. Be specific and fair: quote or "
    "cite turns as [T<number>]. Score every rubric skill from 1 (no evidence) to 5 (outstanding evidence).")


class AssessmentError(RuntimeError):
    transient = False


class GeminiNotConfigured(AssessmentError):
    """No Gemini key: the way forward is Settings, or the rubric template filled in by hand."""


def assessment_schema(rubric: list[str]) -> dict[str, Any]:
    skill: dict[str, Any] = {"type": "string"}
    if rubric:
        skill["enum"] = list(rubric)
    return {
        "type": "object",
        "properties": {
            "summary": {"type": "string", "description": "Overall observation in 2-4 sentences."},
            "highlights": {"type": "array", "items": {"type": "string"}},
            "red_flags": {"type": "array", "items": {"type": "string"}},
            "recommendation": {"type": "string", "enum": RECOMMENDATIONS},
            "scores": {"type": "array", "items": {
                "type": "object",
                "properties": {"skill": skill, "score": {"type": "integer", "minimum": 1, "maximum": 5},
                               "rationale": {"type": "string"}},
                "required": ["skill", "score", "rationale"]}},
        },
        "required": ["summary", "highlights", "red_flags", "recommendation", "scores"],
    }


def assessment_prompt(interview: Interview, transcript: Transcript) -> str:
    s = interview.summary
    lines = [f"Candidate: {s.candidate_name}", f"Role: {s.role}",
             f"Rubric skills: {', '.join(interview.rubric) or '(none given)'}", "", "Transcript:"]
    lines += [f"[{t.tag}] {t.elapsed} {t.speaker_with_role}: {t.content}" for t in transcript.turns]
    return "\n".join(lines)


def normalise_assessment(raw: dict[str, Any], rubric: list[str]) -> dict[str, Any]:
    """Check the model's answer and give it one shape: every rubric skill scored (or marked not assessed)."""
    summary = str(raw.get("summary") or "").strip()
    if not summary:
        raise AssessmentError("Gemini's assessment has no summary")
    recommendation = str(raw.get("recommendation") or "").strip().lower()
    if recommendation not in RECOMMENDATIONS:
        raise AssessmentError(f"Gemini's assessment has an unknown recommendation {recommendation!r}")
    by_skill: dict[str, dict[str, Any]] = {}
    for item in raw.get("scores") or []:
        if not isinstance(item, dict) or not item.get("skill"):
            continue
        given: Any = item.get("score")
        try:
            score: int | None = min(5, max(1, int(given)))
        except (TypeError, ValueError):
            score = None
        by_skill[str(item["skill"])] = {"skill": str(item["skill"]), "score": score,
                                        "rationale": str(item.get("rationale") or "")}
    skills = list(rubric) or list(by_skill)
    scores = [by_skill.get(name, {"skill": name, "score": None, "rationale": "Not assessed."}) for name in skills]
    return {"summary": summary,
            "highlights": [str(h) for h in raw.get("highlights") or [] if str(h).strip()],
            "red_flags": [str(r) for r in raw.get("red_flags") or [] if str(r).strip()],
            "recommendation": recommendation, "scores": scores}


class AssessmentService:
    def __init__(self, engine: Engine, gemini: Any, retrying: Retrying | None = None,
                 now: Callable[[], datetime] = lambda: datetime.now(UTC)) -> None:
        self.engine = engine
        self.gemini = gemini
        self.retrying = retrying or Retrying()
        self.now = now

    async def get(self, interview_id: str) -> Assessment | None:
        return await self.retrying.run_in_thread(repository.get_assessment, self.engine, interview_id,
                                                 task_name="Load assessment")

    async def recover_interrupted(self, older_than: timedelta = STALE_AFTER) -> int:
        count = await self.retrying.run_in_thread(repository.fail_stale_assessments, self.engine, self.now(),
                                                  older_than, task_name="Recover interrupted assessments")
        if count:
            log.warning("Marked %d interrupted assessment(s) as failed", count)
        return count

    async def generate(self, interview_id: str, on_retry: Callable[[RetryEvent], Any] | None = None,
                       on_failure: Callable[[BaseException], Any] | None = None) -> Assessment:
        """Generate (or regenerate) the interview's assessment; returns it completed or failed.

        `on_failure` receives the error behind a failed one, so a caller can say what to do about it.
        """
        interview = await self.retrying.run_in_thread(repository.get_interview, self.engine, interview_id,
                                                      task_name="Load interview")
        if self.gemini is None or not getattr(getattr(self.gemini, "config", None), "available", True):
            raise GeminiNotConfigured("Gemini is not configured (no API key); the assessment was left as it was")
        model = getattr(self.gemini, "model", None) or "gemini"
        claimed = await self.retrying.run_in_thread(repository.claim_assessment, self.engine, interview_id, model,
                                                    self.now(), STALE_AFTER, task_name="Start assessment")
        if claimed is None:
            raise AssessmentError("An assessment of this interview is already being generated")
        try:
            transcript = await get_transcript(self.engine, interview_id, self.retrying)
            if not transcript.turns:
                raise AssessmentError("The interview has no transcript to assess")
            raw = await self.retrying.run(self.gemini.generate_json, assessment_prompt(interview, transcript),
                                          assessment_schema(interview.rubric), system=SYSTEM_PROMPT,
                                          task_name="Generate assessment", on_retry=on_retry)
            content = normalise_assessment(raw, interview.rubric)
        except asyncio.CancelledError:
            # written synchronously: the task is going away and the row must not stay `generating`
            repository.finish_assessment(self.engine, claimed.id, self.now(), error="Cancelled before it finished.")
            raise
        except Exception as exc:
            log.error("Assessment of interview %s failed: %s", interview_id, exc)
            if on_failure is not None:
                on_failure(exc)
            return await self.retrying.run_in_thread(repository.finish_assessment, self.engine, claimed.id,
                                                     self.now(), error=describe_failure(exc),
                                                     task_name="Record failed assessment")
        return await self.retrying.run_in_thread(repository.finish_assessment, self.engine, claimed.id, self.now(),
                                                 content=content, task_name="Save assessment")

    async def manual_template(self, interview_id: str) -> dict[str, Any]:
        """The rubric template to fill in by hand, prefilled from the current assessment when there is one."""
        interview = await self.retrying.run_in_thread(repository.get_interview, self.engine, interview_id,
                                                      task_name="Load interview")
        current = await self.get(interview_id)
        return rubric_template(interview.rubric, current.content if current is not None else None)

    async def save_manual(self, interview_id: str, raw: dict[str, Any]) -> Assessment:
        """Save an assessment written by hand from the rubric template (source "manual")."""
        interview = await self.retrying.run_in_thread(repository.get_interview, self.engine, interview_id,
                                                      task_name="Load interview")
        content = manual_assessment(raw, interview.rubric)
        claimed = await self.retrying.run_in_thread(repository.claim_assessment, self.engine, interview_id,
                                                    MANUAL_MODEL, self.now(), STALE_AFTER, task_name="Save assessment")
        if claimed is None:
            raise AssessmentError("Gemini is generating an assessment of this interview right now; save yours "
                                  "once it has finished")
        return await self.retrying.run_in_thread(repository.finish_assessment, self.engine, claimed.id, self.now(),
                                                 content=content, task_name="Save assessment")
