"""Approval requests as stored: asked for, listed, locked while deciding, decided; limits."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Select, insert, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import aliased

from pos_app.adapters import settings_repo
from pos_app.adapters import tables as t
from pos_app.adapters.ledger import canonical
from pos_app.adapters.uow import UnitOfWork
from pos_app.domain.approvals import Status
from pos_app.domain.errors import NotFound

ONE_PENDING = "uq_approval_requests_one_pending"


@dataclass(frozen=True)
class RequestRow:
    id: int
    kind: str
    subject: str
    amount_minor: int
    reason: str
    payload: dict[str, Any]
    requested_by: int
    requester: str
    requester_role: str
    workstation: str
    created_at: datetime
    status: str
    decided_by: str | None
    decided_at: datetime | None
    decision_reason: str | None
    result: dict[str, Any] | None


@dataclass(frozen=True)
class NewRequest:
    kind: str
    subject: str
    amount_minor: int
    reason: str
    payload: dict[str, Any]
    requested_by: int
    workstation: str


def add(uow: UnitOfWork, new: NewRequest, at: datetime) -> int | None:
    """Insert a pending request; None when one of its kind is pending for that subject."""
    try:
        return uow.execute(
            insert(t.approval_requests)
            .values(
                kind=new.kind,
                subject=new.subject,
                amount_minor=new.amount_minor,
                reason=new.reason,
                payload=canonical(new.payload),
                requested_by=new.requested_by,
                workstation=new.workstation,
                created_at=at,
                status=Status.PENDING.value,
            )
            .returning(t.approval_requests.c.id)
        ).scalar_one()
    except IntegrityError as exc:  # the caller refuses: the transaction rolls back
        # PostgreSQL names the index; SQLite names its columns.
        if ONE_PENDING in str(exc) or "approval_requests.kind, approval_requests.subject" in str(
            exc
        ):
            return None
        raise


def _query() -> Select:
    r, asker = t.approval_requests, t.users
    decider = aliased(t.users)
    return (
        select(
            r.c.id,
            r.c.kind,
            r.c.subject,
            r.c.amount_minor,
            r.c.reason,
            r.c.payload,
            r.c.requested_by,
            asker.c.username,
            asker.c.role,
            r.c.workstation,
            r.c.created_at,
            r.c.status,
            decider.c.username,
            r.c.decided_at,
            r.c.decision_reason,
            r.c.result,
        )
        .join(asker, asker.c.id == r.c.requested_by)
        .outerjoin(decider, decider.c.id == r.c.decided_by)
    )


def _row(row: Any) -> RequestRow:
    values = list(row)
    values[5] = json.loads(values[5])
    values[15] = None if values[15] is None else json.loads(values[15])
    return RequestRow(*values)


def find(
    uow: UnitOfWork,
    *,
    status: str | None = None,
    requested_by: int | None = None,
    kind: str | None = None,
    limit: int = 500,
) -> list[RequestRow]:
    """Requests, pending ones oldest first, decided ones newest first."""
    r = t.approval_requests
    query = _query()
    if status is not None:
        query = query.where(r.c.status == status)
    if requested_by is not None:
        query = query.where(r.c.requested_by == requested_by)
    if kind is not None:
        query = query.where(r.c.kind == kind)
    order = r.c.id if status == Status.PENDING else r.c.id.desc()
    return [_row(row) for row in uow.execute(query.order_by(order).limit(limit))]


def get(uow: UnitOfWork, request_id: int, *, lock: bool = False) -> RequestRow:
    """One request (its row locked FOR UPDATE when `lock`), or `unknown_request`."""
    if lock:  # lock the request's own row: the joined users rows stay free
        uow.execute(
            select(t.approval_requests.c.id)
            .where(t.approval_requests.c.id == request_id)
            .with_for_update()
        )
    row = uow.execute(_query().where(t.approval_requests.c.id == request_id)).first()
    if row is None:
        raise NotFound(f"No approval request has id {request_id}.", code="unknown_request")
    return _row(row)


def decide(
    uow: UnitOfWork,
    request_id: int,
    *,
    status: str,
    decided_by: int,
    at: datetime,
    reason: str | None,
    result: dict[str, Any] | None,
) -> bool:
    """Mark a pending request decided; False when it was no longer pending."""
    return (
        uow.execute(
            update(t.approval_requests)
            .where(
                t.approval_requests.c.id == request_id,
                t.approval_requests.c.status == Status.PENDING.value,
            )
            .values(
                status=status,
                decided_by=decided_by,
                decided_at=at,
                decision_reason=reason,
                result=None if result is None else canonical(result),
            )
        ).rowcount
        == 1
    )


def limit_minor(uow: UnitOfWork, key: str) -> int | None:
    """A limit set in the settings (minor units), None when never set."""
    value = settings_repo.value(uow, key)
    return None if value is None else int(value)


def set_limit_minor(uow: UnitOfWork, key: str, minor: int) -> None:
    settings_repo.put(uow, {key: str(minor)})
