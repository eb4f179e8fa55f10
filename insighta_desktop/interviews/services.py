"""The interview services as one small object graph, shared by the Interviews tab and the CLI."""
from __future__ import annotations

import builtins
import os
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from sqlalchemy.engine import Engine

from insighta_desktop.integrations.gemini import GeminiClient, GeminiConfig
from insighta_desktop.integrations.resend_mail import ResendConfig, ResendMailer
from insighta_desktop.interviews import repository
from insighta_desktop.interviews.ask_across import AskAcrossService
from insighta_desktop.interviews.assessments import AssessmentService
from insighta_desktop.interviews.chat import ChatService
from insighta_desktop.interviews.compare import Comparison, compare_interviews
from insighta_desktop.interviews.email import OutboxService
from insighta_desktop.interviews.highlights import HighlightService
from insighta_desktop.interviews.model import (
    Assessment,
    ChatMessage,
    Interview,
    InterviewSummary,
    Transcript,
    TranscriptExport,
)
from insighta_desktop.interviews.transcript import build_transcript, get_transcript, get_transcript_export
from insighta_desktop.interviews.transcript_search import TranscriptSearchService
from insighta_desktop.resilience import CircuitBreaker, RetryEvent, Retrying, format_seconds, status_code_of

_BUSY_CODES = {429, 500, 502, 503, 504}


def retry_notice(service: str, event: RetryEvent) -> str:
    """A calm status line: "Gemini busy — retrying 2/3 in 2 s"."""
    state = "busy" if status_code_of(event.error) in _BUSY_CODES else "not answering"
    return f"{service} {state} — retrying {event.next_attempt}/{event.max_attempts} in {format_seconds(event.delay)}"


@dataclass
class InterviewServices:
    engine: Engine
    gemini: GeminiClient | None
    mailer: ResendMailer | None
    retrying: Retrying = field(default_factory=lambda: Retrying(jitter=0.5))
    now: Callable[[], datetime] = lambda: datetime.now(UTC)
    # one per Gemini client: assessments and the chat pause together after repeated transient failures
    gemini_breaker: CircuitBreaker = field(default_factory=lambda: CircuitBreaker("Gemini"))

    def __post_init__(self) -> None:
        self.assessments = AssessmentService(self.engine, self.gemini, self.retrying, self.now,
                                             breaker=self.gemini_breaker)
        self.chat = ChatService(self.engine, self.gemini, self.retrying, self.now, breaker=self.gemini_breaker)
        self.outbox = OutboxService(self.engine, self.mailer, self.retrying, self.now)
        self.search = TranscriptSearchService(self.engine, self.retrying)
        self.ask_across = AskAcrossService(self.engine, self.gemini, self.retrying, self.search.stats,
                                           breaker=self.gemini_breaker)
        self.highlights = HighlightService(self.engine, self.retrying, self.now)

    @classmethod
    def from_settings(cls, engine: Engine, settings: Any = None, credentials: Any = None,
                      env: Mapping[str, str] | None = None, retrying: Retrying | None = None,
                      gemini_breaker: CircuitBreaker | None = None) -> InterviewServices:
        env = os.environ if env is None else env
        gemini = GeminiClient(GeminiConfig.resolve(settings, credentials, env))
        mailer = ResendMailer(ResendConfig.resolve(settings, credentials, env))
        return cls(engine, gemini, mailer, retrying or Retrying(jitter=0.5),
                   gemini_breaker=gemini_breaker or CircuitBreaker("Gemini"))

    async def list(self) -> list[InterviewSummary]:
        return await self.retrying.run_in_thread(repository.list_interviews, self.engine,
                                                 task_name="Load interviews")

    async def interview(self, interview_id: str) -> Interview:
        return await self.retrying.run_in_thread(repository.get_interview, self.engine, interview_id,
                                                 task_name="Load interview")

    async def transcript(self, interview_id: str, on_retry: Callable[[RetryEvent], Any] | None = None) -> Transcript:
        return await get_transcript(self.engine, interview_id, self.retrying, on_retry)

    async def open_view(self, interview_id: str, on_retry: Callable[[RetryEvent], Any] | None = None
                        ) -> tuple[Transcript, Assessment | None, builtins.list[ChatMessage]]:
        """What opening an interview shows — transcript, latest assessment, chat history — in one round trip."""
        view = await self.retrying.run_in_thread(repository.load_interview_view, self.engine, interview_id,
                                                 task_name="Load interview", on_retry=on_retry)
        return build_transcript(view.transcript), view.assessment, view.chat

    async def export(self, interview_id: str, fmt: str) -> TranscriptExport:
        return await get_transcript_export(self.engine, interview_id, fmt, self.retrying)

    async def compare(self, interview_ids: Sequence[str]) -> Comparison:
        """2 to 4 interviews of one role side by side (CompareError says why not)."""
        return await compare_interviews(self.engine, interview_ids, self.retrying)

    async def aclose(self) -> None:
        if self.gemini is not None:
            await self.gemini.aclose()
