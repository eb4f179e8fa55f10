"""The recruiter's chat about one interview: grounded in its transcript and assessment, citing turns.

Answers stream in (`on_text` receives the text so far; a retried stream starts again from ""). Only a
complete exchange is stored. Without a key, without network, while Gemini is paused by its circuit breaker
or asks for a longer wait than a question can, or once retries are exhausted, the answer
is a labelled local search of the transcript; it is stored too, marked `local`, so it is still there when
the recruiter comes back to the interview, and it is never sent to Gemini as part of the conversation.
"""
from __future__ import annotations

import asyncio
import logging
import uuid
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy.engine import Engine

from insighta_desktop.interviews import repository
from insighta_desktop.interviews.citations import cited_turn_numbers
from insighta_desktop.interviews.failures import SETTINGS, describe_failure, explain
from insighta_desktop.interviews.local_search import local_answer
from insighta_desktop.interviews.model import Assessment, ChatAnswer, ChatMessage, Citation, Interview, Transcript
from insighta_desktop.interviews.transcript import get_transcript
from insighta_desktop.resilience import (
    CircuitBreaker,
    CircuitOpenError,
    RetryEvent,
    Retrying,
    ServerAsksToWait,
    describe_error,
    is_daily_quota,
    is_transient,
)

log = logging.getLogger(__name__)

HISTORY_LIMIT = 20


class EmptyAnswer(RuntimeError):
    transient = True  # a stream that ended without text is worth another try


def parse_citations(text: str, transcript: Transcript) -> list[Citation]:
    """[T3], [T3, T5] and [T3-T5] markers that name turns of this transcript, in order, once each."""
    turns = (transcript.turn_by_seq(seq) for seq in cited_turn_numbers(text))
    return [Citation(t.id, t.sequence_no, t.elapsed, t.speaker_label) for t in turns if t is not None]


def system_prompt(interview: Interview, transcript: Transcript, assessment: Assessment | None) -> str:
    s = interview.summary
    lines = [
        "You help a recruiter review one job interview. Answer only from the transcript and assessment below.",
        "Cite the turns you rely on as [T<number>] (for example [T4] or [T4, T6]). If the transcript does not "
        "answer the question, say so plainly. Be concise.",
        "", f"Candidate: {s.candidate_name}. Role: {s.role}.", "", "Transcript:"]
    lines += [f"[{t.tag}] {t.elapsed} {t.speaker_with_role}: {t.content}" for t in transcript.turns]
    if assessment is not None and assessment.status == "completed" and assessment.content:
        c = assessment.content
        lines += ["", "AI assessment:", f"Summary: {c.get('summary', '')}",
                  f"Recommendation: {c.get('recommendation', '')}"]
        lines += [f"- {x.get('skill')}: {x.get('score')} ({x.get('rationale', '')})" for x in c.get("scores", [])]
    return "\n".join(lines)


def offline_reason(exc: BaseException | None, attempts: int) -> str:
    from insighta_desktop.integrations.gemini import GeminiUnavailable

    if exc is None or isinstance(exc, GeminiUnavailable):
        return "Gemini is not configured (no API key)."
    if isinstance(exc, (CircuitOpenError, ServerAsksToWait)):  # the pause, or the server's own wait
        return f"{exc}."
    if is_daily_quota(exc):
        return "Gemini's daily quota is used up."
    if is_transient(exc):
        return f"Gemini could not be reached after {attempts} attempt{'s' if attempts != 1 else ''}."
    return f"Gemini could not answer: {describe_failure(exc).rstrip('.')}."


def offline_fix(exc: BaseException | None) -> str | None:
    """SETTINGS when a key (missing, refused or out of quota) is why the answer is local."""
    return SETTINGS if exc is None else explain(exc, "Gemini").fix


def gemini_conversation(history: list[ChatMessage]) -> list[tuple[str, str]]:
    """The stored history as Gemini's turns, without local exchanges (their question is dropped with the answer)."""
    turns: list[tuple[str, str]] = []
    for m in history:
        if m.role == "assistant" and m.source == "local":
            if turns and turns[-1][0] == "user":
                turns.pop()
            continue
        turns.append(("model" if m.role == "assistant" else "user", m.content))
    return turns


class ChatService:
    """With a `breaker` (the Gemini circuit breaker), a paused Gemini is not called: the answer is local."""

    def __init__(self, engine: Engine, gemini: Any, retrying: Retrying | None = None,
                 now: Callable[[], datetime] = lambda: datetime.now(UTC), *,
                 breaker: CircuitBreaker | None = None) -> None:
        self.engine = engine
        self.gemini = gemini
        self.retrying = retrying or Retrying()
        self.now = now
        self.breaker = breaker

    async def history(self, interview_id: str) -> list[ChatMessage]:
        return await self.retrying.run_in_thread(repository.list_chat, self.engine, interview_id,
                                                 task_name="Load chat history")

    async def ask(self, interview_id: str, question: str, *, on_text: Callable[[str], Any] | None = None,
                  on_retry: Callable[[RetryEvent], Any] | None = None) -> ChatAnswer:
        question = question.strip()
        if not question:
            raise ValueError("Ask a question first")
        run = self.retrying.run_in_thread
        interview = await run(repository.get_interview, self.engine, interview_id, task_name="Load interview")
        transcript = await get_transcript(self.engine, interview_id, self.retrying)
        assessment = await run(repository.get_assessment, self.engine, interview_id, task_name="Load assessment")
        history = await run(repository.list_chat, self.engine, interview_id, task_name="Load chat history")

        failure: BaseException | None = None
        text: str | None = None
        if self.gemini is not None and getattr(getattr(self.gemini, "config", None), "available", True):
            messages = gemini_conversation(history)[-HISTORY_LIMIT:]
            messages.append(("user", question))
            try:
                text = await self.retrying.run(self._stream_once, messages,
                                               system_prompt(interview, transcript, assessment), on_text,
                                               task_name="Answer question", on_retry=on_retry,
                                               breaker=self.breaker, service="Gemini")
            except asyncio.CancelledError:
                raise
            except Exception as exc:
                log.warning("Chat falls back to local search: %s", describe_error(exc))
                failure = exc
        if text is None:
            notice = offline_reason(failure, self.retrying.max_retries)
            answer_text, citations = local_answer(transcript, question, notice)
            if on_text is not None:
                on_text(answer_text)
            stored = await self._store(interview_id, question, answer_text, citations, "local")
            return ChatAnswer(question, answer_text, citations, "local", notice=notice, stored=stored,
                              fix=offline_fix(failure))

        citations = parse_citations(text, transcript)
        stored = await self._store(interview_id, question, text, citations, "gemini")
        return ChatAnswer(question, text, citations, "gemini", stored=stored)

    async def _stream_once(self, messages: list[tuple[str, str]], system: str,
                           on_text: Callable[[str], Any] | None) -> str:
        text = ""
        if on_text is not None:
            on_text(text)
        async for piece in self.gemini.stream_text(messages, system=system):
            text += piece
            if on_text is not None:
                on_text(text)
        if not text.strip():
            raise EmptyAnswer("Gemini's answer was empty")
        return text

    async def _store(self, interview_id: str, question: str, text: str, citations: list[Citation],
                     source: str) -> bool:
        asked = self.now()
        exchange = [
            {"id": str(uuid.uuid4()), "role": "user", "content": question, "citations": [], "source": None,
             "created_at": asked},
            {"id": str(uuid.uuid4()), "role": "assistant", "content": text, "citations": citations,
             "source": source, "created_at": asked + timedelta(microseconds=1)},
        ]
        try:
            await self.retrying.run_in_thread(repository.add_chat_exchange, self.engine, interview_id, exchange,
                                              task_name="Save chat")
        except Exception as exc:
            log.error("The chat answer could not be saved: %s", exc)
            return False
        return True
