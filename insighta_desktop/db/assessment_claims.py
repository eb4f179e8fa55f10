"""Who is generating an assessment, and the statements that claim, keep and finish one.

While an assessment is `generating`, its row names its owner: the host and process id of the app doing the
work, and a heartbeat that app refreshes. Whether an owner is gone is the caller's decision (interviews/ownership.py);
here every change to a claimed row is a compare-and-set on what was read, so two apps never both take over one
assessment, and an owner that was presumed dead cannot overwrite the run that replaced it.
"""
from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.exc import IntegrityError

from insighta_desktop.db import schema
from insighta_desktop.interviews.model import Assessment, assessment_id

asm = schema.assessments
GENERATING = "generating"
_CLAIM_TRIES = 3
# What an Assessment is read from: never the owner columns, which a review pack written before them lacks.
ASSESSMENT_FIELDS = (asm.c.id, asm.c.interview_id, asm.c.status, asm.c.content_json, asm.c.error, asm.c.model,
                     asm.c.updated_at)


@dataclass(frozen=True)
class Owner:
    """An app process generating assessments."""

    host: str
    pid: int


@dataclass(frozen=True)
class Claim:
    """An assessment row being generated, and who by (`owner` None: written by a version without owners)."""

    assessment_id: str
    status: str
    owner: Owner | None
    started_at: datetime | None
    heartbeat_at: datetime | None
    updated_at: datetime | None

    @property
    def last_sign_of_life(self) -> datetime | None:
        return self.heartbeat_at or self.started_at or self.updated_at


def assessment_from_row(row: Any) -> Assessment:
    content = None
    if row.content_json:
        try:
            content = json.loads(row.content_json)
        except ValueError:
            content = None
    return Assessment(row.id, row.interview_id, row.status, content, row.error, row.model, row.updated_at)


def _claim_of(row: Any) -> Claim:
    owner = Owner(row.owner_host, int(row.owner_pid)) if row.owner_host is not None and row.owner_pid is not None \
        else None
    return Claim(row.id, row.status, owner, row.started_at, row.heartbeat_at, row.updated_at)


def _unchanged(claim: Claim) -> sa.ColumnElement[bool]:
    """The row still holds what `claim` read (NULLs compare equal)."""
    return sa.and_(asm.c.id == claim.assessment_id, asm.c.status == claim.status,
                   asm.c.owner_host.is_not_distinct_from(claim.owner.host if claim.owner else None),
                   asm.c.owner_pid.is_not_distinct_from(claim.owner.pid if claim.owner else None),
                   asm.c.heartbeat_at.is_not_distinct_from(claim.heartbeat_at))


def _owned_by(ident: str, owner: Owner) -> sa.ColumnElement[bool]:
    return sa.and_(asm.c.id == ident, asm.c.status == GENERATING, asm.c.owner_host == owner.host,
                   asm.c.owner_pid == owner.pid)


def claim_assessment(engine: Engine, interview_id: str, model: str, now: datetime, owner: Owner,
                     owner_is_gone: Callable[[Claim], bool]) -> Assessment | Claim:
    """Make `owner` the generator of the interview's assessment, or return the live run that refuses it.

    A row left `generating` by an owner that `owner_is_gone` is taken over.
    """
    ident = assessment_id(interview_id)
    mine = {"status": GENERATING, "model": model, "error": None, "started_at": now, "heartbeat_at": now,
            "owner_host": owner.host, "owner_pid": owner.pid, "updated_at": now, "completed_at": None}
    for _ in range(_CLAIM_TRIES):
        try:
            with engine.begin() as conn:
                row = conn.execute(sa.select(asm).where(asm.c.id == ident)).first()
                if row is None:
                    conn.execute(asm.insert().values(id=ident, interview_id=interview_id, created_at=now, **mine))
                    return _read(conn, ident)
                current = _claim_of(row)
                if current.status == GENERATING and not owner_is_gone(current):
                    return current
                if conn.execute(asm.update().where(_unchanged(current)).values(**mine)).rowcount == 1:
                    return _read(conn, ident)
        except IntegrityError:  # another app inserted the row first: read it again
            continue
    raise RuntimeError("The assessment kept changing while it was being claimed; try again")


def _read(conn: Connection, ident: str) -> Assessment:
    return assessment_from_row(conn.execute(sa.select(*ASSESSMENT_FIELDS).where(asm.c.id == ident)).one())


def beat(engine: Engine, ident: str, owner: Owner, now: datetime) -> bool:
    """Refresh the owner's heartbeat; False when the row is no longer this owner's (finished or taken over)."""
    with engine.begin() as conn:
        return conn.execute(asm.update().where(_owned_by(ident, owner)).values(heartbeat_at=now)).rowcount == 1


def finish_assessment(engine: Engine, ident: str, owner: Owner, now: datetime, *,
                      content: dict[str, Any] | None = None, error: str | None = None) -> Assessment | None:
    """Completed with `content`, or failed with `error`; None when the row is no longer this owner's."""
    values: dict[str, Any] = {"updated_at": now, "owner_host": None, "owner_pid": None, "heartbeat_at": None}
    if error is None:
        values.update(status="completed", content_json=json.dumps(content, ensure_ascii=False), error=None,
                      completed_at=now)
    else:
        values.update(status="failed", error=error[:2000])
    with engine.begin() as conn:
        if conn.execute(asm.update().where(_owned_by(ident, owner)).values(**values)).rowcount != 1:
            return None
        return _read(conn, ident)


def running_claims(engine: Engine) -> list[Claim]:
    with engine.connect() as conn:
        return [_claim_of(row) for row in conn.execute(sa.select(asm).where(asm.c.status == GENERATING))]


def fail_claims(engine: Engine, claims: Iterable[Claim], now: datetime, error: str) -> int:
    """Mark these runs failed, each only if its row has not changed since it was read (its owner came back)."""
    failed = 0
    with engine.begin() as conn:
        for claim in claims:
            failed += conn.execute(asm.update().where(_unchanged(claim)).values(
                status="failed", error=error, updated_at=now, owner_host=None, owner_pid=None,
                heartbeat_at=None)).rowcount or 0
    return failed


def fail_stale_pending(engine: Engine, now: datetime, older_than: timedelta, error: str) -> int:
    """Rows an older version left `pending` by a crash."""
    with engine.begin() as conn:
        return conn.execute(asm.update().where(asm.c.status == "pending", asm.c.updated_at < now - older_than)
                            .values(status="failed", updated_at=now, error=error)).rowcount or 0
