"""Every SQL statement of the email outbox (blocking: the outbox service runs them on a worker thread).

An item is queued → sent | failed; failed items are retried; a person can cancel an unsent one. Queueing the same
email to the same address again while an earlier one is unsent reuses that item (and its Idempotency-Key), so a
re-send after a failure can never deliver twice.
"""
from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine

from insighta_desktop.db import schema
from insighta_desktop.interviews.model import UNSENT_STATUSES, EmailDraft, OutboxItem
from insighta_desktop.timestamps import as_utc

outbox_t = schema.email_outbox
SUPERSEDED = "Replaced by a newer email to the same address before it was sent."


class OutboxItemNotFound(LookupError):
    transient = False


def outbox_item(row: Any) -> OutboxItem:
    return OutboxItem(row.id, row.interview_id, row.to_address, row.subject, row.status, row.attempts,
                      row.last_error, row.idempotency_key, row.provider_message_id, as_utc(row.sent_at),
                      as_utc(row.created_at), as_utc(row.updated_at))


def _load(conn: Connection, item_id: str) -> OutboxItem:
    row = conn.execute(sa.select(outbox_t).where(outbox_t.c.id == item_id)).first()
    if row is None:
        raise OutboxItemNotFound(f"No outbox item with id {item_id}")
    return outbox_item(row)


def queue_email(engine: Engine, draft: EmailDraft, item_id: str, idempotency_key: str,
                now: datetime) -> tuple[OutboxItem, bool]:
    """Queue `draft`, or return the unsent item already holding this very email (True: reused).

    An unsent item to the same address about the same interview with different content (the assessment was
    regenerated, the transcript added) is cancelled in the same transaction: one email goes out, the newest.
    """
    unsent = (sa.select(outbox_t)
              .where(outbox_t.c.interview_id == draft.interview_id,
                     sa.func.lower(outbox_t.c.to_address) == draft.to_address.lower(),
                     outbox_t.c.status.in_(UNSENT_STATUSES))
              .order_by(outbox_t.c.created_at.desc()))
    with engine.begin() as conn:
        stale = []
        for row in conn.execute(unsent):
            if (row.subject, row.body_text, row.body_html or "") == (draft.subject, draft.body_text,
                                                                      draft.body_html):
                return outbox_item(row), True
            stale.append(row.id)
        if stale:
            conn.execute(outbox_t.update().where(outbox_t.c.id.in_(stale), outbox_t.c.status.in_(UNSENT_STATUSES))
                         .values(status="canceled", last_error=SUPERSEDED, updated_at=now))
        conn.execute(outbox_t.insert().values(
            id=item_id, interview_id=draft.interview_id, to_address=draft.to_address, subject=draft.subject,
            body_text=draft.body_text, body_html=draft.body_html, status="queued", attempts=0,
            idempotency_key=idempotency_key, created_at=now, updated_at=now))
        return _load(conn, item_id), False


def get_outbox_row(engine: Engine, item_id: str) -> Any:
    """The whole row, bodies included, for sending."""
    with engine.connect() as conn:
        row = conn.execute(sa.select(outbox_t).where(outbox_t.c.id == item_id)).first()
    if row is None:
        raise OutboxItemNotFound(f"No outbox item with id {item_id}")
    return row


def unsent_outbox_ids(engine: Engine, max_attempts: int) -> list[str]:
    with engine.connect() as conn:
        return list(conn.execute(sa.select(outbox_t.c.id)
                                 .where(outbox_t.c.status.in_(UNSENT_STATUSES), outbox_t.c.attempts < max_attempts)
                                 .order_by(outbox_t.c.created_at)).scalars())


def list_outbox(engine: Engine, interview_id: str | None = None) -> list[OutboxItem]:
    query = sa.select(outbox_t).order_by(outbox_t.c.created_at)
    if interview_id is not None:
        query = query.where(outbox_t.c.interview_id == interview_id)
    with engine.connect() as conn:
        return [outbox_item(r) for r in conn.execute(query)]


def record_outbox_result(engine: Engine, item_id: str, now: datetime, attempts: int, *,
                         message_id: str | None = None, error: str | None = None) -> OutboxItem:
    """Count the attempts and record how they ended, unless the item was settled meanwhile.

    A sent item stays sent, whatever a late, concurrent attempt reports. A delivery is recorded even when the
    item was cancelled while Resend was accepting it (the email did go out); a late failure is not.
    """
    if error is None:
        outcome: dict[str, Any] = {"status": "sent", "provider_message_id": message_id, "sent_at": now,
                                   "last_error": None}
        settled: tuple[str, ...] = ("sent",)
    else:
        outcome = {"status": "failed", "last_error": error[:2000]}
        settled = ("sent", "canceled")
    keep = outbox_t.c.status.in_(settled)
    values: dict[str, Any] = {"attempts": outbox_t.c.attempts + attempts, "updated_at": now}
    values.update({name: sa.case((keep, outbox_t.c[name]), else_=sa.literal(value, outbox_t.c[name].type))
                   for name, value in outcome.items()})
    with engine.begin() as conn:
        conn.execute(outbox_t.update().where(outbox_t.c.id == item_id).values(**values))
        return _load(conn, item_id)


def cancel_outbox_item(engine: Engine, item_id: str, now: datetime) -> OutboxItem:
    """Cancel an unsent item; a sent or already cancelled item is returned unchanged."""
    with engine.begin() as conn:
        conn.execute(outbox_t.update().where(outbox_t.c.id == item_id, outbox_t.c.status.in_(UNSENT_STATUSES))
                     .values(status="canceled", updated_at=now))
        return _load(conn, item_id)
