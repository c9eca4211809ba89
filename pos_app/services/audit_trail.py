"""The audit trail for supervisors: events filtered by workstation, action, user and time,
and a verification of every workstation's hash chain."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from pos_app.adapters import audit_queries
from pos_app.adapters.uow import UnitOfWork
from pos_app.domain.actors import Actor, Role
from pos_app.services import sessions
from pos_app.services.check import Finding, run_check

CHAIN_RULES = (
    "audit_chain_linked",
    "audit_chain_complete",
    "receipts_match_audit",
    "audit_hashes_valid",
)


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


def audit_events(
    uow: UnitOfWork,
    *,
    actor: Actor,
    workstation: str | None = None,
    action: str | None = None,
    user: str | None = None,
    since: datetime | None = None,
    until: datetime | None = None,
    limit: int = 500,
    replica: UnitOfWork | None = None,
) -> list[AuditRow]:
    """The newest `limit` events matching every filter given (action matches as a prefix);
    read from `replica` when given (see `reports.daily_report`), the session checked on
    `uow`."""
    where = audit_queries.EventFilter(workstation, action, user, since, until)
    with uow:
        sessions.authorize(uow, actor, Role.SUPERVISOR, "see the audit trail")
        if replica is None:
            rows = audit_queries.newest(uow, where, limit)
    if replica is not None:
        with replica:
            rows = audit_queries.newest(replica, where, limit)
    return [
        AuditRow(
            r.workstation,
            r.seq,
            r.at.isoformat(),
            r.username,
            r.action,
            r.receipt_no,
            r.details,
            r.hash,
        )
        for r in rows
    ]


def verify_chain(uow: UnitOfWork, *, actor: Actor) -> list[Finding]:
    """Every break in the audit hash chains (and receipts not matching them); [] if intact."""
    return [f for f in run_check(uow, actor=actor) if f.rule in CHAIN_RULES]
