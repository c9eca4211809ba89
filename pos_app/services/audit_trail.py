"""The audit trail for supervisors: events filtered by workstation, action, user and time,
and a verification of every workstation's hash chain."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select

from pos_app.adapters import tables as t
from pos_app.adapters.uow import UnitOfWork
from pos_app.domain.actors import Actor, Role
from pos_app.services import sessions
from pos_app.services.check import Finding, run_check

CHAIN_RULES = ("audit_chain_linked", "audit_chain_complete", "receipts_match_audit",
               "audit_hashes_valid")


@dataclass(frozen=True)
class AuditRow:
    workstation: str
    seq: int
    at: str
    user: str | None
    action: str
    receipt_no: str | None
    details: str
    hash: str

    def to_json(self) -> dict:
        return dict(self.__dict__)


def audit_events(uow: UnitOfWork, *, actor: Actor, workstation: str | None = None,
                 action: str | None = None, user: str | None = None,
                 since: datetime | None = None, until: datetime | None = None,
                 limit: int = 500) -> list[AuditRow]:
    """The newest `limit` events matching every filter given (action matches as a prefix)."""
    e = t.audit_events
    query = (select(e, t.users.c.username).outerjoin(t.users, t.users.c.id == e.c.actor_id)
             .order_by(e.c.at.desc(), e.c.workstation, e.c.seq.desc()).limit(limit))
    if workstation:
        query = query.where(e.c.workstation == workstation)
    if action:
        query = query.where(e.c.action.startswith(action, autoescape=True))
    if user:
        query = query.where(t.users.c.username == user)
    if since:
        query = query.where(e.c.at >= since)
    if until:
        query = query.where(e.c.at < until)
    with uow:
        actor = sessions.authorize(uow, actor, Role.SUPERVISOR, "see the audit trail")
        rows = uow.execute(query).all()
    return [AuditRow(r.workstation, r.seq, r.at.isoformat(), r.username, r.action,
                     r.receipt_no, r.details, r.hash) for r in rows]


def verify_chain(uow: UnitOfWork, *, actor: Actor) -> list[Finding]:
    """Every break in the audit hash chains (and receipts not matching them); [] if intact."""
    return [f for f in run_check(uow, actor=actor) if f.rule in CHAIN_RULES]
