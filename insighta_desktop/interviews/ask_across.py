"""Ask a question across all interviews ("Which candidates mentioned Kubernetes?").

The question's content words find the best-matching turns (all of the words first, then any of them); Gemini
answers from those passages only, citing each as [I2.T14] (interview 2 of the prompt, turn 14), in the brackets
of the single-interview chat (citations.MARKER). Without a key, with the service down, or once retries are exhausted
(or a circuit breaker refuses the call), the answer is the list of matching passages, labelled as such. Nothing is
stored.
"""
from __future__ import annotations

import asyncio
import logging
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sqlalchemy.engine import Engine

from insighta_desktop.db.lexeme_stats import LexemeStatsCache
from insighta_desktop.db.transcript_search import Clause, TextQuery, search_turns, turns_at
from insighta_desktop.interviews.chat import EmptyAnswer, offline_reason
from insighta_desktop.interviews.citations import MARKER
from insighta_desktop.interviews.local_search import STOPWORDS
from insighta_desktop.interviews.model import ROLE_INTERVIEWER
from insighta_desktop.interviews.search_text import WORD
from insighta_desktop.interviews.transcript_search import TranscriptHit, hit_of
from insighta_desktop.resilience import CircuitBreaker, RetryEvent, Retrying

log = logging.getLogger(__name__)

PASSAGES = 12
MAX_KEYWORDS = 12
# Words that shape a question about interviews without naming what was said in them.
QUESTION_WORDS = frozenset("""
who whose which what candidates candidate people person anyone anybody someone somebody mention mentioned mentions
mentioning talk talked talks talking discuss discussed discusses speak spoke said says say ever interviews
interviewee interviewees applicant applicants list show give find name names many much also
""".split())
_CITED = re.compile(r"I\s*(\d+)\s*[.:/ -]?\s*T\s*(\d+)", re.IGNORECASE)


@dataclass(frozen=True)
class CrossCitation:
    tag: str  # I2.T14
    interview_id: str
    candidate_name: str
    turn_id: str
    sequence_no: int
    elapsed: str
    speaker_label: str

    def to_json(self) -> dict[str, Any]:
        return {"tag": self.tag, "interview_id": self.interview_id, "candidate": self.candidate_name,
                "turn_id": self.turn_id, "sequence_no": self.sequence_no, "time": self.elapsed,
                "speaker": self.speaker_label}


@dataclass(frozen=True)
class CrossAnswer:
    question: str
    text: str
    citations: list[CrossCitation]
    passages: list[CrossCitation]  # what the answer was drawn from, in prompt order
    source: str  # gemini | local (the passages themselves) | none (nothing matched)
    notice: str | None = None

    def to_json(self) -> dict[str, Any]:
        return {"question": self.question, "answer": self.text, "source": self.source, "notice": self.notice,
                "citations": [c.to_json() for c in self.citations],
                "passages": [p.to_json() for p in self.passages]}


def question_keywords(question: str) -> list[str]:
    words = [w.lower() for w in WORD.findall(question)]
    kept = [w for w in words if w not in STOPWORDS and w not in QUESTION_WORDS and (len(w) > 1 or w.isdigit())]
    return list(dict.fromkeys(kept))[:MAX_KEYWORDS]


def _word_forms(word: str) -> tuple[tuple[str, ...], ...]:
    """The word and its singular ("dashboards" finds "dashboard" too): the index does not stem."""
    forms = [word]
    if len(word) > 3 and word.endswith("s") and not word.endswith("ss"):
        forms.append(word[:-1])
    return tuple((f,) for f in forms)


def find_passages(engine: Engine, question: str, limit: int = PASSAGES,
                  stats: LexemeStatsCache | None = None) -> list[TranscriptHit]:
    """Blocking: the turns that contain all of the question's content words, then those with any of them; a
    matching interviewer question brings the candidate's reply along (that is where the answer usually is)."""
    keywords = question_keywords(question)
    if not keywords:
        return []
    any_of = TextQuery((Clause(tuple(form for w in keywords for form in _word_forms(w))),))
    matches = search_turns(engine, TextQuery(tuple(Clause(_word_forms(w)) for w in keywords)), limit=limit,
                           stats=stats)
    if len(matches) < limit and len(keywords) > 1:
        seen = {(m.session_id, m.sequence_no) for m in matches}
        matches += [m for m in search_turns(engine, any_of, limit=limit, stats=stats)
                    if (m.session_id, m.sequence_no) not in seen][: limit - len(matches)]
    hits = [hit_of(m, any_of) for m in matches]
    replies = {(r.session_id, r.sequence_no): hit_of(r, any_of) for r in turns_at(engine, [
        (h.session_id, h.sequence_no + 1) for h in hits if h.speaker_role == ROLE_INTERVIEWER])}
    passages, seen = [], set()
    for hit in hits:
        reply = replies.get((hit.session_id, hit.sequence_no + 1))
        for turn in (hit, reply):
            if turn is not None and (turn.session_id, turn.sequence_no) not in seen and \
                    (turn is hit or turn.speaker_role != ROLE_INTERVIEWER):
                seen.add((turn.session_id, turn.sequence_no))
                passages.append(turn)
    return passages


def label_passages(hits: list[TranscriptHit]) -> list[CrossCitation]:
    """I<n> numbers interviews in order of first appearance; T<n> is the turn's sequence number."""
    numbers: dict[str, int] = {}
    labelled = []
    for hit in hits:
        number = numbers.setdefault(hit.interview_id, len(numbers) + 1)
        labelled.append(CrossCitation(f"I{number}.T{hit.sequence_no}", hit.interview_id, hit.candidate_name,
                                      hit.turn_id, hit.sequence_no, hit.elapsed, hit.speaker_label))
    return labelled


def system_prompt(hits: list[TranscriptHit], labels: list[CrossCitation]) -> str:
    lines = [
        "You help a recruiter compare several job interviews. Answer only from the transcript passages below; "
        "they are the passages that best match the question, not whole interviews.",
        "Cite every passage you rely on by its tag in brackets, for example [I2.T14] or [I1.T3, I2.T14], and name "
        "the candidates. If the passages do not answer the question, say so plainly. Be concise.", ""]
    for group in by_interview(hits, labels):
        hit, label = group[0]
        when = f", {hit.scheduled_at:%Y-%m-%d}" if hit.scheduled_at else ""
        lines += ["", f"Interview {label.tag.split('.')[0]}: {hit.candidate_name} ({hit.role}{when})"]
        lines += [f"[{label.tag}] {h.elapsed} {h.speaker_label}: {h.content}" for h, label in group]
    return "\n".join(lines)


def by_interview(hits: list[TranscriptHit], labels: list[CrossCitation]
                 ) -> list[list[tuple[TranscriptHit, CrossCitation]]]:
    """Passages grouped by interview (best interview first), each group in transcript order."""
    groups: dict[str, list[tuple[TranscriptHit, CrossCitation]]] = {}
    for hit, label in zip(hits, labels, strict=True):
        groups.setdefault(hit.interview_id, []).append((hit, label))
    return [sorted(group, key=lambda pair: pair[0].sequence_no) for group in groups.values()]


def parse_cross_citations(text: str, labels: list[CrossCitation]) -> list[CrossCitation]:
    """[I2.T14]-style tags naming passages that were given, in order of first mention, once each."""
    by_tag = {label.tag: label for label in labels}
    cited: dict[str, CrossCitation] = {}
    for group in MARKER.findall(text):
        for match in _CITED.finditer(group):
            tag = f"I{int(match.group(1))}.T{int(match.group(2))}"
            if tag in by_tag:
                cited.setdefault(tag, by_tag[tag])
    return list(cited.values())


def passages_text(hits: list[TranscriptHit], labels: list[CrossCitation], reason: str) -> str:
    lines = [f"{reason} Matching passages (not an AI answer):"]
    lines += [f"• [{label.tag}] {hit.candidate_name}, {hit.elapsed}, {hit.speaker_label}: {hit.snippet.text}"
              for group in by_interview(hits, labels) for hit, label in group]
    return "\n".join(lines)


class AskAcrossService:
    """With a `breaker` (the Gemini circuit breaker), a paused Gemini is not called: the passages are listed."""

    def __init__(self, engine: Engine, gemini: Any, retrying: Retrying | None = None,
                 stats: LexemeStatsCache | None = None, *, breaker: CircuitBreaker | None = None) -> None:
        self.engine = engine
        self.gemini = gemini
        self.retrying = retrying or Retrying()
        self.stats = stats or LexemeStatsCache()
        self.breaker = breaker

    async def ask(self, question: str, *, on_text: Callable[[str], Any] | None = None,
                  on_retry: Callable[[RetryEvent], Any] | None = None) -> CrossAnswer:
        question = question.strip()
        if not question:
            raise ValueError("Ask a question first")
        hits = await self.retrying.run_in_thread(find_passages, self.engine, question, PASSAGES, self.stats,
                                                 task_name="Search transcripts")
        labels = label_passages(hits)
        if not hits:
            text = "No transcript passage matches the question's words, so there is nothing to answer from."
            if on_text is not None:
                on_text(text)
            return CrossAnswer(question, text, [], [], "none")

        failure: BaseException | None = None
        answer: str | None = None
        if self.gemini is not None and getattr(getattr(self.gemini, "config", None), "available", True):
            try:
                answer = await self.retrying.run(self._stream_once, question, system_prompt(hits, labels), on_text,
                                                 task_name="Answer across interviews", on_retry=on_retry,
                                                 breaker=self.breaker, service="Gemini")
            except asyncio.CancelledError:
                raise
            except Exception as exc:  # an open circuit or an exhausted retry: the passages still help
                log.warning("Ask-across falls back to the matching passages: %s", exc)
                failure = exc
        if answer is None:
            notice = offline_reason(failure, self.retrying.max_retries)
            text = passages_text(hits, labels, notice)
            if on_text is not None:
                on_text(text)
            return CrossAnswer(question, text, labels, labels, "local", notice)
        return CrossAnswer(question, answer, parse_cross_citations(answer, labels), labels, "gemini")

    async def _stream_once(self, question: str, system: str, on_text: Callable[[str], Any] | None) -> str:
        text = ""
        if on_text is not None:
            on_text(text)
        async for piece in self.gemini.stream_text([("user", question)], system=system):
            text += piece
            if on_text is not None:
                on_text(text)
        if not text.strip():
            raise EmptyAnswer("Gemini's answer was empty")
        return text
