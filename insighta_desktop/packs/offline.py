"""The interview services over an open review pack: the same interface as the live ones, read-only and offline.

Listing, transcripts, exports, the stored assessment and the stored chat come from the pack through the same
repository code as a live database. Nothing here holds a Gemini or Resend client, so no network call can be
made: the chat answers from a local search of the transcript and says so; generating an assessment and
sending email raise `OfflineUnavailable` with the reason the UI shows.
"""
from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

from insighta_desktop.db import highlights_store
from insighta_desktop.interviews import repository
from insighta_desktop.interviews.local_search import local_answer
from insighta_desktop.interviews.model import (
    Assessment,
    ChatAnswer,
    ChatMessage,
    Highlight,
    Interview,
    InterviewSummary,
    OutboxItem,
    ResolvedHighlight,
    Transcript,
    TranscriptExport,
    resolve_highlights,
)
from insighta_desktop.interviews.transcript import get_transcript, get_transcript_export
from insighta_desktop.packs.reader import ReviewPack
from insighta_desktop.resilience import Retrying

OFFLINE_NOTICE = "Offline review pack: no AI is used."
REGENERATE_UNAVAILABLE = ("Regenerating the assessment is unavailable in a review pack: it is opened read-only and "
                          "offline. Open the interview in the live database to regenerate it.")
HIGHLIGHT_UNAVAILABLE = ("Highlighting is unavailable in a review pack: it is opened read-only. Highlight the "
                         "interview in the live database instead.")
EMAIL_UNAVAILABLE = ("Sending email is unavailable in a review pack: it is opened read-only and offline. "
                     "Email the assessment from the live database instead.")


class OfflineUnavailable(RuntimeError):
    """An action a read-only, offline pack cannot do; str() is the reason to show."""

    transient = False


class PackAssessments:
    def __init__(self, services: PackInterviewServices) -> None:
        self._services = services
        self.unavailable_reason = REGENERATE_UNAVAILABLE

    async def get(self, interview_id: str) -> Assessment | None:
        return await self._services.retrying.run_in_thread(repository.get_assessment, self._services.engine,
                                                           interview_id, task_name="Load assessment")

    async def recover_interrupted(self, older_than: timedelta | None = None) -> int:
        return 0  # a pack is never written to

    async def generate(self, interview_id: str, on_retry: Callable[..., Any] | None = None) -> Assessment:
        raise OfflineUnavailable(REGENERATE_UNAVAILABLE)


class PackChat:
    def __init__(self, services: PackInterviewServices) -> None:
        self._services = services
        self.notice = OFFLINE_NOTICE

    async def history(self, interview_id: str) -> list[ChatMessage]:
        return await self._services.retrying.run_in_thread(repository.list_chat, self._services.engine,
                                                           interview_id, task_name="Load chat history")

    async def ask(self, interview_id: str, question: str, *, on_text: Callable[[str], Any] | None = None,
                  on_retry: Callable[..., Any] | None = None) -> ChatAnswer:
        question = question.strip()
        if not question:
            raise ValueError("Ask a question first")
        transcript = await get_transcript(self._services.engine, interview_id, self._services.retrying)
        text, citations = local_answer(transcript, question, OFFLINE_NOTICE)
        if on_text is not None:
            on_text(text)
        return ChatAnswer(question, text, citations, "local", notice=OFFLINE_NOTICE, stored=False)


class PackHighlights:
    """The highlights exported with the interviews, read-only."""

    def __init__(self, services: PackInterviewServices) -> None:
        self._services = services
        self.unavailable_reason = HIGHLIGHT_UNAVAILABLE

    async def list(self, interview_id: str, transcript: Transcript | None = None) -> list[ResolvedHighlight]:
        if transcript is None:
            transcript = await self._services.transcript(interview_id)
        stored = await self._services.retrying.run_in_thread(
            highlights_store.list_highlights, self._services.engine, [interview_id], task_name="Load highlights")
        return resolve_highlights(stored, transcript)

    async def add(self, interview_id: str, first: str, last: str | None = None,
                  note: str | None = None) -> ResolvedHighlight:
        raise OfflineUnavailable(HIGHLIGHT_UNAVAILABLE)

    async def delete(self, highlight_id: str) -> Highlight:
        raise OfflineUnavailable(HIGHLIGHT_UNAVAILABLE)


class PackOutbox:
    def __init__(self) -> None:
        self.unavailable_reason = EMAIL_UNAVAILABLE

    async def queue_assessment(self, interview_id: str, to: str, include_transcript: bool = False) -> OutboxItem:
        raise OfflineUnavailable(EMAIL_UNAVAILABLE)

    async def deliver(self, item_id: str, on_retry: Callable[..., Any] | None = None) -> OutboxItem:
        raise OfflineUnavailable(EMAIL_UNAVAILABLE)

    async def deliver_pending(self, on_retry: Callable[..., Any] | None = None) -> list[OutboxItem]:
        return []

    async def items(self, interview_id: str | None = None) -> list[OutboxItem]:
        return []


class PackInterviewServices:
    """The interface of `interviews.services.InterviewServices` over a pack, without any client at all.

    Deliberately not a subclass: the live services import the Gemini and Resend SDKs, and a pack needs neither
    (the pack window opens faster, and the SDKs are not even loaded).
    """

    offline = True
    read_only = True
    gemini = None
    mailer = None

    def __init__(self, pack: ReviewPack) -> None:
        self.pack = pack
        self.engine = pack.engine
        self.retrying = Retrying(max_retries=1)  # a local file does not fail transiently: one attempt, no waits
        self.assessments = PackAssessments(self)
        self.chat = PackChat(self)
        self.outbox = PackOutbox()
        self.highlights = PackHighlights(self)

    @property
    def source_label(self) -> str:
        return self.pack.label

    async def list(self) -> list[InterviewSummary]:
        return await self.retrying.run_in_thread(repository.list_interviews, self.engine, task_name="Load interviews")

    async def interview(self, interview_id: str) -> Interview:
        return await self.retrying.run_in_thread(repository.get_interview, self.engine, interview_id,
                                                 task_name="Load interview")

    async def transcript(self, interview_id: str, on_retry: Callable[..., Any] | None = None) -> Transcript:
        return await get_transcript(self.engine, interview_id, self.retrying, on_retry)

    async def export(self, interview_id: str, fmt: str) -> TranscriptExport:
        return await get_transcript_export(self.engine, interview_id, fmt, self.retrying)

    async def aclose(self) -> None:
        self.pack.close()
