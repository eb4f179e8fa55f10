"""Email through a persisted outbox: queued → sent | failed, with one Idempotency-Key per item.

The key is fixed when the item is queued and sent on every attempt, so Resend delivers an item at
most once even when an answer is lost and the send is tried again (now, later or on demand).
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

from insighta_desktop.interviews import repository
from insighta_desktop.interviews.assessments import describe_failure
from insighta_desktop.interviews.export import to_text
from insighta_desktop.interviews.model import Assessment, Interview, OutboxItem, Transcript
from insighta_desktop.interviews.transcript import get_transcript
from insighta_desktop.resilience import RetryEvent, Retrying

log = logging.getLogger(__name__)

MAX_ATTEMPTS = 12  # across every try of one item; after that it waits for a person
_ADDRESS = re.compile(r"^[^@\s<>,;]+@[^@\s<>,;]+\.[^@\s<>,;]+$")


class EmailError(ValueError):
    transient = False


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
        lines += ["Scores:"] + [f"  • {x['skill']}: {x['score'] if x.get('score') is not None else 'n/a'}/5 — "
                                f"{x.get('rationale', '')}" for x in c["scores"]] + [""]
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

    async def queue_assessment(self, interview_id: str, to: str, include_transcript: bool = False) -> OutboxItem:
        to = check_address(to)
        run = self.retrying.run_in_thread
        interview = await run(repository.get_interview, self.engine, interview_id, task_name="Load interview")
        assessment = await run(repository.get_assessment, self.engine, interview_id, task_name="Load assessment")
        if assessment is None or assessment.status != "completed":
            raise EmailError("This interview has no completed assessment to send yet")
        transcript = await get_transcript(self.engine, interview_id, self.retrying) if include_transcript else None
        subject, text, body_html = compose(interview, assessment, transcript)
        item_id = str(uuid.uuid4())
        now = self.now()
        values = {"id": item_id, "interview_id": interview_id, "to_address": to, "subject": subject,
                  "body_text": text, "body_html": body_html, "status": "queued", "attempts": 0,
                  "idempotency_key": f"insighta-outbox-{item_id}", "created_at": now, "updated_at": now}
        return await run(repository.insert_outbox, self.engine, values, task_name="Queue email")

    async def deliver(self, item_id: str, on_retry: Callable[[RetryEvent], Any] | None = None) -> OutboxItem:
        """Try to send one item (with retries); a sent item is left alone."""
        run = self.retrying.run_in_thread
        row = await run(repository.get_outbox_row, self.engine, item_id, task_name="Load outbox item")
        if row.status == "sent" or item_id in self._sending:
            return repository.outbox_item(row)
        self._sending.add(item_id)
        attempts = 0

        async def attempt() -> str:
            nonlocal attempts
            attempts += 1
            return await self.mailer.send(to=row.to_address, subject=row.subject, text=row.body_text,
                                          html=row.body_html, idempotency_key=row.idempotency_key)

        try:
            message_id = await self.retrying.run(attempt, task_name="Send email", on_retry=on_retry)
        except asyncio.CancelledError:
            repository.record_outbox_result(self.engine, item_id, self.now(), attempts, error="Cancelled")
            raise
        except Exception as exc:
            log.error("Email %s to %s failed: %s", item_id, row.to_address, exc)
            return await run(repository.record_outbox_result, self.engine, item_id, self.now(), attempts,
                             error=describe_failure(exc), task_name="Record email failure")
        finally:
            self._sending.discard(item_id)
        return await run(repository.record_outbox_result, self.engine, item_id, self.now(), attempts,
                         message_id=message_id, task_name="Record sent email")

    async def deliver_pending(self, on_retry: Callable[[RetryEvent], Any] | None = None) -> list[OutboxItem]:
        """Retry every queued or failed item that has attempts left."""
        ids = await self.retrying.run_in_thread(repository.unsent_outbox_ids, self.engine, MAX_ATTEMPTS,
                                                task_name="Load unsent email")
        return [await self.deliver(item_id, on_retry) for item_id in ids]

    async def items(self, interview_id: str | None = None) -> list[OutboxItem]:
        return await self.retrying.run_in_thread(repository.list_outbox, self.engine, interview_id,
                                                 task_name="Load outbox")
