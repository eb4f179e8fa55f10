"""Email through a persisted outbox: queued → sent | failed | canceled, with one Idempotency-Key per item.

The key is fixed when the item is queued and sent on every attempt, so Resend delivers an item at
most once even when an answer is lost and the send is tried again (now, later or on demand). Asking
again for an email that is still unsent reuses its item, and so its key, rather than queueing a second.
"""
from __future__ import annotations

import asyncio
import html
import logging
import re
import uuid
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from sqlalchemy.engine import Engine

from insighta_desktop.db import outbox_store
from insighta_desktop.interviews import repository
from insighta_desktop.interviews.export import to_text
from insighta_desktop.interviews.failures import describe_failure
from insighta_desktop.interviews.model import Assessment, EmailDraft, Interview, OutboxItem, Transcript
from insighta_desktop.interviews.transcript import get_transcript
from insighta_desktop.resilience import RetryEvent, Retrying

log = logging.getLogger(__name__)

MAX_ATTEMPTS = 12  # across every try of one item; after that it waits for a person
_ADDRESS = re.compile(r"^[^@\s<>,;]+@[^@\s<>,;]+\.[^@\s<>,;]+$")
RESEND_TEST_SENDER = "onboarding@resend.dev"


class EmailError(ValueError):
    transient = False


def sender_warning(sender: str) -> str | None:
    """A warning when Resend's shared test address sends: it delivers only to the Resend account's own address."""
    if RESEND_TEST_SENDER not in sender.lower():
        return None
    return (f"The sender is Resend's test address {RESEND_TEST_SENDER}: Resend delivers it only to the address "
            "of your own Resend account. To reach anyone else, verify a domain at Resend and set a sender on it "
            "in Settings.")


def _score_line(score: dict[str, Any]) -> str:
    value = score.get("score")
    line = f"  • {score.get('skill')}: {value if value is not None else 'n/a'}/5"
    if score.get("rationale"):
        line += f" — {score['rationale']}"
    if score.get("evidence"):
        line += f" — “{score['evidence']}”"
    return line


def check_address(address: str) -> str:
    address = address.strip()
    if not _ADDRESS.match(address):
        raise EmailError(f"Not an email address: {address!r}")
    return address


def compose(interview: Interview, assessment: Assessment, transcript: Transcript | None) -> tuple[str, str, str]:
    """Subject, plain text and HTML of an assessment email."""
    s = interview.summary
    c = assessment.content or {}
    subject = f"Interview assessment: {s.candidate_name} — {s.role}"
    lines = [subject, "", f"Recommendation: {c.get('recommendation', '—')}", "", c.get("summary", ""), ""]
    if c.get("highlights"):
        lines += ["Highlights:"] + [f"  • {h}" for h in c["highlights"]] + [""]
    if c.get("red_flags"):
        lines += ["Red flags:"] + [f"  • {r}" for r in c["red_flags"]] + [""]
    if c.get("scores"):
        lines += ["Scores:"] + [_score_line(x) for x in c["scores"]] + [""]
    if transcript is not None:
        lines += ["Transcript:", "", to_text(interview, transcript)]
    text = "\n".join(lines).rstrip() + "\n"
    body = "".join(f"<p>{html.escape(p).replace(chr(10), '<br>')}</p>" for p in text.split("\n\n") if p.strip())
    return subject, text, f"<html><body style=\"font-family: sans-serif\">{body}</body></html>"


class OutboxService:
    def __init__(self, engine: Engine, mailer: Any, retrying: Retrying | None = None,
                 now: Callable[[], datetime] = lambda: datetime.now(UTC)) -> None:
        self.engine = engine
        self.mailer = mailer
        self.retrying = retrying or Retrying()
        self.now = now
        self._sending: set[str] = set()

    @property
    def sender(self) -> str:
        config = getattr(self.mailer, "config", None)
        return str(getattr(config, "sender", "") or "")

    @property
    def configured(self) -> bool:
        """False when no Resend key is set: an email can be queued but will wait in the outbox."""
        return bool(getattr(getattr(self.mailer, "config", None), "available", False))

    async def draft(self, interview_id: str, to: str, include_transcript: bool = False) -> EmailDraft:
        """The email exactly as it would be queued, for a preview."""
        to = check_address(to)
        run = self.retrying.run_in_thread
        interview = await run(repository.get_interview, self.engine, interview_id, task_name="Load interview")
        assessment = await run(repository.get_assessment, self.engine, interview_id, task_name="Load assessment")
        if assessment is None or assessment.status != "completed":
            raise EmailError("This interview has no completed assessment to send yet")
        transcript = await get_transcript(self.engine, interview_id, self.retrying) if include_transcript else None
        subject, text, body_html = compose(interview, assessment, transcript)
        return EmailDraft(interview_id, to, self.sender, subject, text, body_html)

    async def queue(self, draft: EmailDraft) -> tuple[OutboxItem, bool]:
        """Queue the draft; True when the same email was already waiting unsent and its item is reused."""
        item_id = str(uuid.uuid4())
        return await self.retrying.run_in_thread(outbox_store.queue_email, self.engine, draft, item_id,
                                                 f"insighta-outbox-{item_id}", self.now(), task_name="Queue email")

    async def queue_assessment(self, interview_id: str, to: str, include_transcript: bool = False) -> OutboxItem:
        item, _reused = await self.queue(await self.draft(interview_id, to, include_transcript))
        return item

    async def deliver(self, item_id: str, on_retry: Callable[[RetryEvent], Any] | None = None,
                      on_failure: Callable[[BaseException], Any] | None = None) -> OutboxItem:
        """Try to send one item (with retries); a sent or cancelled item is left alone.

        `on_failure` receives the error of a failed delivery, so a caller can say what to do about it.
        """
        run = self.retrying.run_in_thread
        row = await run(outbox_store.get_outbox_row, self.engine, item_id, task_name="Load outbox item")
        if row.status not in ("queued", "failed") or item_id in self._sending:
            return outbox_store.outbox_item(row)
        self._sending.add(item_id)
        attempts = 0

        async def attempt() -> str:
            nonlocal attempts
            attempts += 1
            return str(await self.mailer.send(to=row.to_address, subject=row.subject, text=row.body_text,
                                              html=row.body_html, idempotency_key=row.idempotency_key))

        try:
            message_id = await self.retrying.run(attempt, task_name="Send email", on_retry=on_retry, service="Resend")
        except asyncio.CancelledError:
            outbox_store.record_outbox_result(self.engine, item_id, self.now(), attempts,
                                              error="Stopped before it was sent; it will be retried.")
            raise
        except Exception as exc:
            log.error("Email %s to %s failed: %s", item_id, row.to_address, exc)
            if on_failure is not None:
                on_failure(exc)
            return await run(outbox_store.record_outbox_result, self.engine, item_id, self.now(), attempts,
                             error=describe_failure(exc), task_name="Record email failure")
        finally:
            self._sending.discard(item_id)
        return await run(outbox_store.record_outbox_result, self.engine, item_id, self.now(), attempts,
                         message_id=message_id, task_name="Record sent email")

    async def deliver_pending(self, on_retry: Callable[[RetryEvent], Any] | None = None) -> list[OutboxItem]:
        """Retry every queued or failed item that has attempts left."""
        ids = await self.retrying.run_in_thread(outbox_store.unsent_outbox_ids, self.engine, MAX_ATTEMPTS,
                                                task_name="Load unsent email")
        return [await self.deliver(item_id, on_retry) for item_id in ids]

    async def cancel(self, item_id: str) -> OutboxItem:
        """Cancel an unsent item; one already sent cannot be called back."""
        item = await self.retrying.run_in_thread(outbox_store.cancel_outbox_item, self.engine, item_id, self.now(),
                                                 task_name="Cancel email")
        if item.status == "sent":
            raise EmailError(f"The email to {item.to_address} was already sent; it cannot be cancelled")
        return item

    async def items(self, interview_id: str | None = None) -> list[OutboxItem]:
        return await self.retrying.run_in_thread(outbox_store.list_outbox, self.engine, interview_id,
                                                 task_name="Load outbox")
