"""AI assessments through Gemini's structured output, with a status lifecycle that never stays stuck.

pending → generating → completed | failed. Any failure after retries (or a cancellation) sets `failed`
with the reason. A run records its owner (host, process id) and a heartbeat; a run whose owner is gone (a
killed app) is taken over by the next Generate at once, and `recover_interrupted` marks those runs `failed`
at start-up. A live owner still refuses a second run.
"""
from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy.engine import Engine

from insighta_desktop.db import assessment_claims as claims
from insighta_desktop.db.assessment_claims import Claim, Owner
from insighta_desktop.interviews import repository
from insighta_desktop.interviews.failures import describe_failure
from insighta_desktop.interviews.manual import manual_assessment, rubric_template
from insighta_desktop.interviews.model import MANUAL_MODEL, RECOMMENDATIONS, Assessment, Interview, Transcript
from insighta_desktop.interviews.ownership import (
    HEARTBEAT_INTERVAL,
    UNOWNED_STALE_AFTER,
    describe_owner,
    owner_is_gone,
    this_process,
)
from insighta_desktop.interviews.transcript import get_transcript
from insighta_desktop.resilience import CircuitBreaker, RetryEvent, Retrying, describe_error
from insighta_desktop.resilience.policy import to_thread

log = logging.getLogger(__name__)

INTERRUPTED = "Interrupted before it finished (the app closed or crashed); regenerate it."
SYSTEM_PROMPT = (
    "You assess job interviews for a recruiter. Judge only from the transcript. Be specific and fair: quote or "
    "cite turns as [T<number>]. Score every rubric skill from 1 (no evidence) to 5 (outstanding evidence).")


class AssessmentError(RuntimeError):
    transient = False


class GeminiNotConfigured(AssessmentError):
    """No Gemini key: the way forward is Settings, or the rubric template filled in by hand."""


class AssessmentInProgress(AssessmentError):
    """Another live run (this app or another) is generating the assessment."""


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
    """Generates assessments as one `owner` (this process), keeping its claim alive with a heartbeat.

    With a `breaker` (the Gemini circuit breaker), a pause refuses Generate before anything is written.
    """

    def __init__(self, engine: Engine, gemini: Any, retrying: Retrying | None = None,
                 now: Callable[[], datetime] = lambda: datetime.now(UTC), *, breaker: CircuitBreaker | None = None,
                 owner: Owner | None = None, heartbeat_interval: timedelta = HEARTBEAT_INTERVAL,
                 heartbeat_sleep: Callable[[float], Awaitable[Any]] = asyncio.sleep) -> None:
        self.engine = engine
        self.gemini = gemini
        self.retrying = retrying or Retrying()
        self.now = now
        self.breaker = breaker
        self.owner = owner or this_process()
        self.heartbeat_interval = heartbeat_interval
        self.heartbeat_sleep = heartbeat_sleep

    async def get(self, interview_id: str) -> Assessment | None:
        return await self.retrying.run_in_thread(repository.get_assessment, self.engine, interview_id,
                                                 task_name="Load assessment")

    async def recover_interrupted(self) -> int:
        """Fail the runs whose owner is gone (killed, crashed, silent), so they can be generated again."""
        now = self.now()
        running = await self.retrying.run_in_thread(claims.running_claims, self.engine,
                                                    task_name="Recover interrupted assessments")
        gone = [c for c in running if owner_is_gone(c, now, self.owner, self.heartbeat_interval)]
        count = await self.retrying.run_in_thread(claims.fail_claims, self.engine, gone, now, INTERRUPTED,
                                                  task_name="Recover interrupted assessments") if gone else 0
        count += await self.retrying.run_in_thread(claims.fail_stale_pending, self.engine, now, UNOWNED_STALE_AFTER,
                                                   INTERRUPTED, task_name="Recover interrupted assessments")
        if count:
            log.warning("Marked %d interrupted assessment(s) as failed", count)
        return count

    async def generate(self, interview_id: str, on_retry: Callable[[RetryEvent], Any] | None = None,
                       on_failure: Callable[[BaseException], Any] | None = None) -> Assessment:
        """Generate (or regenerate) the interview's assessment; returns it completed or failed.

        `on_failure` receives the error behind a failed one, so a caller can say what to do about it. Raises,
        leaving the assessment as it was, when Gemini is not configured (`GeminiNotConfigured`), paused by the
        breaker (`CircuitOpenError`) or another live run is generating it (`AssessmentInProgress`).
        """
        interview = await self.retrying.run_in_thread(repository.get_interview, self.engine, interview_id,
                                                      task_name="Load interview")
        if self.gemini is None or not getattr(getattr(self.gemini, "config", None), "available", True):
            raise GeminiNotConfigured("Gemini is not configured (no API key); the assessment was left as it was")
        if self.breaker is not None:
            self.breaker.check()
        model = getattr(self.gemini, "model", None) or "gemini"
        claimed = await self._claim(interview_id, model, "This interview's assessment is already being generated "
                                    "by {owner}; it appears here when it is done.")
        heartbeat = asyncio.ensure_future(self._keep_alive(claimed.id))
        try:
            transcript = await get_transcript(self.engine, interview_id, self.retrying)
            if not transcript.turns:
                raise AssessmentError("The interview has no transcript to assess")
            raw = await self.retrying.run(self.gemini.generate_json, assessment_prompt(interview, transcript),
                                          assessment_schema(interview.rubric), system=SYSTEM_PROMPT,
                                          task_name="Generate assessment", on_retry=on_retry, breaker=self.breaker,
                                          service="Gemini")
            content = normalise_assessment(raw, interview.rubric)
        except asyncio.CancelledError:
            heartbeat.cancel()
            # written synchronously: the task is going away and the row must not stay `generating`
            claims.finish_assessment(self.engine, claimed.id, self.owner, self.now(),
                                     error="Cancelled before it finished.")
            raise
        except Exception as exc:
            heartbeat.cancel()
            log.error("Assessment of interview %s failed: %s", interview_id, describe_error(exc))
            if on_failure is not None:
                on_failure(exc)
            return await self._finish(claimed.id, error=describe_failure(exc))
        heartbeat.cancel()
        return await self._finish(claimed.id, content=content)

    async def _claim(self, interview_id: str, model: str, refusal: str) -> Assessment:
        now, me = self.now(), self.owner

        def gone(claim: Claim) -> bool:
            return owner_is_gone(claim, now, me, self.heartbeat_interval)

        result = await self.retrying.run_in_thread(claims.claim_assessment, self.engine, interview_id, model, now,
                                                   me, gone, task_name="Start assessment")
        if isinstance(result, Claim):
            raise AssessmentInProgress(refusal.format(owner=describe_owner(result, now, me)))
        return result

    async def _keep_alive(self, ident: str) -> None:
        """Refresh the claim's heartbeat until cancelled, or until the claim is no longer ours."""
        while True:
            await self.heartbeat_sleep(self.heartbeat_interval.total_seconds())
            try:
                still_ours = await to_thread(claims.beat, self.engine, ident, self.owner, self.now())
            except Exception as exc:  # the next beat may get through; the claim outlives one missed beat
                log.warning("The heartbeat of assessment %s was not written: %s", ident, describe_error(exc))
                continue
            if not still_ours:
                log.warning("Assessment %s is no longer this process's to finish", ident)
                return

    async def _finish(self, ident: str, *, content: dict[str, Any] | None = None,
                      error: str | None = None) -> Assessment:
        done = await self.retrying.run_in_thread(claims.finish_assessment, self.engine, ident, self.owner,
                                                 self.now(), content=content, error=error,
                                                 task_name="Save assessment" if error is None
                                                 else "Record failed assessment")
        if done is not None:
            return done
        # another run took the assessment over (it believed this one gone): its result stands
        log.warning("Assessment %s was taken over by another run; this run's result is dropped", ident)
        raise AssessmentInProgress("Another run took this assessment over while it was being generated; "
                                   "its result is the one kept.")

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
        claimed = await self._claim(interview_id, MANUAL_MODEL, "Gemini is generating an assessment of this "
                                    "interview right now ({owner}); save yours once it has finished.")
        return await self._finish(claimed.id, content=content)
