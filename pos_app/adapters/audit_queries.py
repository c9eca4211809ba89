"""Reading the audit trail: events filtered for supervisors, and whether an event was recorded."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select

from pos_app.adapters import tables as t
from pos_app.adapters.uow import UnitOfWork


@dataclass(frozen=True)
class EventFilter:
    """Every filter given must match; `action` matches as a prefix."""

    workstation: str | None = None
    action: str | None = None
    user: str | None = None
    since: datetime | None = None
    until: datetime | None = None


@dataclass(frozen=True)
class EventRow:
    workstation: str
    seq: int
    at: datetime
    username: str | None
    action: str
    receipt_no: str | None
    details: str
    hash: str


def newest(uow: UnitOfWork, where: EventFilter, limit: int) -> list[EventRow]:
    """The newest `limit` events matching `where`, with the user name of who acted."""
    e = t.audit_events
    query = (
        select(
            e.c.workstation,
            e.c.seq,
            e.c.at,
            t.users.c.username,
            e.c.action,
            e.c.receipt_no,
            e.c.details,
            e.c.hash,
        )
        .outerjoin(t.users, t.users.c.id == e.c.actor_id)
        .order_by(e.c.at.desc(), e.c.workstation, e.c.seq.desc())
        .limit(limit)
    )
    if where.workstation:
        query = query.where(e.c.workstation == where.workstation)
    if where.action:
        query = query.where(e.c.action.startswith(where.action, autoescape=True))
    if where.user:
        query = query.where(t.users.c.username == where.user)
    if where.since:
        query = query.where(e.c.at >= where.since)
    if where.until:
        query = query.where(e.c.at < where.until)
    return [EventRow(**row._mapping) for row in uow.execute(query)]


def any_event(uow: UnitOfWork, *, action: str, details_containing: str) -> bool:
    """Whether an event `action` was recorded whose details contain the given text."""
    e = t.audit_events
    return (
        uow.execute(
            select(e.c.id)
            .where(e.c.action == action, e.c.details.contains(details_containing))
            .limit(1)
        ).first()
        is not None
    )
