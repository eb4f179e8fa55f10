"""Candidates side by side: 2 to 4 interviews of one role, skill by skill, with the evidence behind each score.

For each interview: the recommendation, a score per rubric skill with its evidence (a quote and the turn it comes
from, so a reader can jump there), the assessment's highlights and red flags, the recruiter's own highlights, and
the talk-time. An interview without a completed assessment is shown as "not assessed", never left out.

The evidence of a score is the quote of an assessment written by hand (found in the transcript to name its turn),
else the first turn its rationale cites as [T4] (quoted from the transcript), else none: the rationale alone.
"""
from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy.engine import Engine

from insighta_desktop.interviews import repository
from insighta_desktop.interviews.chat import parse_citations
from insighta_desktop.interviews.model import (
    Assessment,
    Highlight,
    Interview,
    ResolvedHighlight,
    Transcript,
    Turn,
    resolve_highlights,
)
from insighta_desktop.interviews.talk_time import TalkTime, talk_time
from insighta_desktop.interviews.transcript import build_transcript
from insighta_desktop.resilience import Retrying

MIN_COMPARED, MAX_COMPARED = 2, 4
NOT_ASSESSED = "not assessed"
QUOTE_CHARS = 220
_QUOTES = "\"'“”‘’«»"


class CompareError(ValueError):
    """A selection that cannot be compared; str() says why and what to choose instead, in one line."""

    transient = False


@dataclass(frozen=True)
class SkillEvidence:
    skill: str
    score: int | None  # None: not assessed
    quote: str | None
    turn_id: str | None  # the turn the quote comes from, when found in the transcript
    sequence_no: int | None
    elapsed: str | None
    rationale: str

    @property
    def assessed(self) -> bool:
        return self.score is not None

    def to_json(self) -> dict[str, Any]:
        return {"skill": self.skill, "score": self.score, "assessed": self.assessed,
                "quote": self.quote, "turn_id": self.turn_id, "turn": f"T{self.sequence_no}"
                if self.sequence_no is not None else None, "elapsed": self.elapsed, "rationale": self.rationale}


@dataclass(frozen=True)
class ComparedInterview:
    interview: Interview
    assessment_status: str | None  # None: never assessed
    assessment_source: str | None  # gemini | manual, for a completed assessment
    recommendation: str | None  # None: not assessed
    summary: str
    scores: list[SkillEvidence]  # one per skill of the comparison, in its order
    highlights: list[str]  # the assessment's
    red_flags: list[str]
    marked: list[ResolvedHighlight]  # the recruiter's highlights in the transcript
    talk_time: TalkTime
    turns: int

    @property
    def id(self) -> str:
        return self.interview.summary.id

    @property
    def candidate_name(self) -> str:
        return self.interview.summary.candidate_name

    @property
    def assessed(self) -> bool:
        return self.recommendation is not None

    def score_for(self, skill: str) -> SkillEvidence | None:
        return next((s for s in self.scores if s.skill == skill), None)

    def to_json(self) -> dict[str, Any]:
        s = self.interview.summary
        return {"id": s.id, "candidate_name": s.candidate_name, "role": s.role, "status": s.status,
                "scheduled_at": s.scheduled_at.isoformat() if s.scheduled_at else None,
                "assessment": {"status": self.assessment_status, "source": self.assessment_source},
                "recommendation": self.recommendation or NOT_ASSESSED, "summary": self.summary,
                "scores": [e.to_json() for e in self.scores], "highlights": self.highlights,
                "red_flags": self.red_flags, "recruiter_highlights": [h.to_json() for h in self.marked],
                "talk_time": self.talk_time.to_json(), "turns": self.turns}


@dataclass(frozen=True)
class Comparison:
    role: str
    skills: list[str]
    interviews: list[ComparedInterview]

    def best_score(self, skill: str) -> int | None:
        scores = [e.score for i in self.interviews if (e := i.score_for(skill)) is not None and e.score is not None]
        return max(scores) if scores else None

    def to_json(self) -> dict[str, Any]:
        return {"role": self.role, "skills": self.skills, "interviews": [i.to_json() for i in self.interviews]}


@dataclass(frozen=True)
class CompareInput:
    interview: Interview
    transcript: Transcript
    assessment: Assessment | None
    highlights: list[Highlight]


def chosen_ids(ids: Iterable[str]) -> list[str]:
    """The ids once each, in order; CompareError unless there are 2 to 4."""
    unique = list(dict.fromkeys(i.strip() for i in ids if i.strip()))
    if not MIN_COMPARED <= len(unique) <= MAX_COMPARED:
        raise CompareError(f"Choose {MIN_COMPARED} to {MAX_COMPARED} interviews to compare "
                           f"({len(unique)} {'was' if len(unique) == 1 else 'were'} chosen)")
    return unique


def _role_key(role: str) -> str:
    return " ".join(role.split()).casefold()


def check_same_role(interviews: Sequence[Interview]) -> str:
    """The role they share; CompareError naming who is for which role when they differ."""
    roles: dict[str, list[Interview]] = {}
    for interview in interviews:
        roles.setdefault(_role_key(interview.summary.role), []).append(interview)
    if len(roles) > 1:
        groups = "; ".join(f"{group[0].summary.role.strip() or '(no role)'}: "
                           + ", ".join(i.summary.candidate_name for i in group) for group in roles.values())
        raise CompareError(f"These interviews are for different roles ({groups}); compare interviews of one role")
    return interviews[0].summary.role.strip()


def _normalise(text: str) -> str:
    return " ".join(text.strip().strip(_QUOTES).split()).casefold()


def _quote_of(turn: Turn) -> str:
    text = " ".join(turn.content.split())
    return text if len(text) <= QUOTE_CHARS else text[:QUOTE_CHARS - 1].rstrip() + "…"


def find_quote(transcript: Transcript, quote: str) -> Turn | None:
    """The first turn holding the quote (case, spacing and surrounding quotation marks ignored)."""
    wanted = _normalise(quote)
    if not wanted:
        return None
    return next((t for t in transcript.turns if wanted in " ".join(t.content.split()).casefold()), None)


def skill_evidence(skill: str, item: dict[str, Any] | None, transcript: Transcript) -> SkillEvidence:
    if item is None:
        return SkillEvidence(skill, None, None, None, None, None, "Not assessed.")
    raw_score = item.get("score")
    score = raw_score if isinstance(raw_score, int) and not isinstance(raw_score, bool) else None
    rationale = str(item.get("rationale") or "")
    evidence = re.sub(r"\s+", " ", str(item.get("evidence") or "")).strip()
    cited = parse_citations(rationale, transcript)
    turn: Turn | None = None
    if evidence:
        turn = find_quote(transcript, evidence)
    if turn is None and cited:
        turn = transcript.turn_by_id(cited[0].turn_id)
    quote = evidence or (_quote_of(turn) if turn is not None else None)
    return SkillEvidence(skill, score, quote, turn.id if turn else None, turn.sequence_no if turn else None,
                         turn.elapsed if turn else None, rationale)


def _skills(inputs: Sequence[CompareInput]) -> list[str]:
    """The rubric's skills (the union, in order), then any other skill an assessment scored."""
    skills: dict[str, None] = {}
    for item in inputs:
        skills.update(dict.fromkeys(item.interview.rubric))
    for item in inputs:
        content = _completed(item.assessment)
        for score in (content or {}).get("scores") or []:
            if isinstance(score, dict) and score.get("skill"):
                skills.setdefault(str(score["skill"]), None)
    return list(skills)


def _completed(assessment: Assessment | None) -> dict[str, Any] | None:
    if assessment is None or assessment.status != "completed" or not assessment.content:
        return None
    return assessment.content


def _strings(value: Any) -> list[str]:
    return [str(v) for v in value if str(v).strip()] if isinstance(value, list) else []


def compare_one(item: CompareInput, skills: Sequence[str]) -> ComparedInterview:
    content = _completed(item.assessment)
    by_skill: dict[str, dict[str, Any]] = {}
    for score in (content or {}).get("scores") or []:
        if isinstance(score, dict) and score.get("skill"):
            by_skill[str(score["skill"])] = score
    recommendation = (str(content.get("recommendation") or "") or None) if content else None
    return ComparedInterview(
        interview=item.interview, assessment_status=item.assessment.status if item.assessment else None,
        assessment_source=item.assessment.source if content and item.assessment else None,
        recommendation=recommendation, summary=str((content or {}).get("summary") or ""),
        scores=[skill_evidence(skill, by_skill.get(skill), item.transcript) for skill in skills],
        highlights=_strings((content or {}).get("highlights")), red_flags=_strings((content or {}).get("red_flags")),
        marked=resolve_highlights(item.highlights, item.transcript), talk_time=talk_time(item.transcript.turns),
        turns=len(item.transcript.turns))


def build_comparison(inputs: Sequence[CompareInput]) -> Comparison:
    """The side-by-side model of 2 to 4 interviews of one role (CompareError otherwise)."""
    chosen_ids(i.interview.summary.id for i in inputs)
    role = check_same_role([i.interview for i in inputs])
    skills = _skills(inputs)
    return Comparison(role, skills, [compare_one(item, skills) for item in inputs])


def load_compare_inputs(engine: Engine, interview_ids: Sequence[str]) -> list[CompareInput]:
    """Blocking: what a comparison needs, read in one go (repository.load_for_review)."""
    loaded = repository.load_for_review(engine, chosen_ids(interview_ids))
    return [CompareInput(item.interview, build_transcript(item.transcript), item.assessment, item.highlights)
            for item in loaded]


async def compare_interviews(engine: Engine, interview_ids: Sequence[str],
                             retrying: Retrying | None = None) -> Comparison:
    retrying = retrying or Retrying()
    inputs = await retrying.run_in_thread(load_compare_inputs, engine, list(interview_ids),
                                          task_name="Load interviews to compare")
    return build_comparison(inputs)
