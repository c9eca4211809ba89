"""One approval workflow (SPEC rule 12): a request of any kind, a decision, one execution.

A request (kind, subject, amount, reason, the action's parameters as `payload`) is made
by one user and decided by another who holds the approving role and whose limit for
the kind covers the amount (`domain/approvals.py`). Both are audit events
("approval.requested", then "approval.approved" or "approval.rejected").

Approving executes the kind's action in the same transaction: the request row is
locked first (the front of the one lock order), its status checked, then the kind's
executor (`approval_kinds.EXECUTORS`) runs the action's money command through
`kernel.execute` at the request's workstation with the key `request.execution_key`,
and the decision is recorded on the same workstation counter the action took. So a
request executes at most once: a second decision finds it decided and is refused
`already_decided`, and even a second execution would replay the first by its key.

An on-the-spot sign-off (an approver's name and password at the till) is the same
request decided at once (`decide_at_once`): one transaction records the request, runs
the action and records the decision.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field, replace
from decimal import Decimal
from typing import Any, Protocol

from pos_app.adapters import approvals_repo, idempotency, ledger
from pos_app.adapters.approvals_repo import NewRequest, RequestRow
from pos_app.adapters.uow import UnitOfWork
from pos_app.domain import approvals as rules
from pos_app.domain.actors import Actor, Role
from pos_app.domain.approvals import Kind, Status
from pos_app.domain.errors import BadInput, Refused
from pos_app.domain.money import Currency
from pos_app.domain.rules import require_reason
from pos_app.domain.text import refuse_controls
from pos_app.services import sessions
from pos_app.services.results import JsonResult

MAX_SUBJECT = 64


class Executed(Protocol):
    def to_json(self) -> dict: ...


@dataclass(frozen=True)
class ApprovalRequest(JsonResult):
    """A request as the workflow shows it; `result` is what executing it returned."""

    id: int
    kind: str
    subject: str
    amount: Decimal
    reason: str
    status: str
    requested_by: str
    workstation: str
    created_at: str
    payload: dict = field(default_factory=dict)
    decided_by: str | None = None
    decided_at: str | None = None
    decision_reason: str | None = None
    result: dict | None = None
    requester_id: int = 0
    requester_role: str = Role.CASHIER.value
    replayed: bool = False

    @property
    def requester(self) -> Actor:
        """Who asked, as the executor acts for them (no session: they are not at the till)."""
        return Actor(self.requester_id, self.requested_by, Role(self.requester_role))

    @property
    def execution_key(self) -> str:
        """The idempotency key of the action this request executes: one per request."""
        return f"approval-{self.id}"


# An executor runs the approved action inside the open transaction WITHOUT committing
# (kernel.execute, never kernel.run), at `request.workstation`, for `request.requester`,
# keyed by `request.execution_key`; it returns the action's result.
Executor = Callable[[UnitOfWork, ApprovalRequest, Actor], Executed]


def request(
    uow: UnitOfWork,
    *,
    actor: Actor,
    workstation: str,
    kind: str,
    subject: str,
    amount: str | Decimal,
    reason: str,
    payload: dict[str, Any],
    key: str,
) -> ApprovalRequest:
    """Ask for approval: a pending request, audited; the same key again returns it."""
    idempotency.check_key(key)
    parsed, subject, reason = rules.kind_of(kind), _subject(subject), require_reason(reason)
    with uow:
        actor = sessions.authorize(uow, actor, Role.CASHIER, "ask for approval")
        currency = uow.facility().currency
        minor = currency.to_minor(currency.parse(amount, what="amount", allow_zero=True))
        stored = idempotency.claim(
            uow,
            key,
            "approval.request",
            {
                "kind": parsed.value,
                "subject": subject,
                "amount": minor,
                "reason": reason,
                "payload": payload,
            },
        )
        if stored is not None:
            return ApprovalRequest.from_json(stored, replayed=True)
        asked = add_request(
            uow,
            requester=actor,
            workstation=workstation,
            kind=parsed,
            subject=subject,
            amount_minor=minor,
            reason=reason,
            payload=payload,
        )
        idempotency.store(uow, key, asked.to_json())
        uow.commit()
    return asked


def add_request(
    uow: UnitOfWork,
    *,
    requester: Actor,
    workstation: str,
    kind: Kind,
    subject: str,
    amount_minor: int,
    reason: str,
    payload: dict[str, Any],
) -> ApprovalRequest:
    """Record a pending request and its audit event in the caller's open transaction (no
    commit): for a kind whose service checks its subject in the same transaction."""
    slot = ledger.take_slot(uow, workstation, with_receipt=False)
    asked = _insert(
        uow,
        NewRequest(
            kind.value, subject, amount_minor, reason, payload, requester.user_id, workstation
        ),
        slot.at,
    )
    ledger.append_event(
        uow,
        slot,
        actor=requester,
        action="approval.requested",
        receipt_no=None,
        details=_details(asked),
    )
    return asked


def approve(
    uow: UnitOfWork, *, actor: Actor, workstation: str, request_id: int, key: str
) -> ApprovalRequest:
    """Approve a pending request and execute it, in one transaction; the same key again
    returns the first decision. `workstation` is where the approver sits (audited)."""
    idempotency.check_key(key)
    with uow:
        approver = sessions.authorize(uow, actor, rules.APPROVING_ROLE, "approve requests")
        stored = idempotency.claim(uow, key, "approval.approve", {"request_id": request_id})
        if stored is not None:
            return ApprovalRequest.from_json(stored, replayed=True)
        asked = _of(approvals_repo.get(uow, request_id, lock=True), uow.facility().currency)
        decided = _approve(uow, asked, approver, at=workstation)
        idempotency.store(uow, key, decided.to_json())
        uow.commit()
    return decided


def reject(
    uow: UnitOfWork, *, actor: Actor, workstation: str, request_id: int, reason: str
) -> ApprovalRequest:
    """Reject a pending request with a reason; nothing is executed."""
    reason = require_reason(reason)
    with uow:
        approver = sessions.authorize(uow, actor, rules.APPROVING_ROLE, "reject requests")
        asked = _of(approvals_repo.get(uow, request_id, lock=True), uow.facility().currency)
        rules.require_pending(asked.status, request_id=asked.id, decided_by=asked.decided_by)
        rules.require_may_decide(
            uow.facility().currency,
            approver_id=approver.user_id,
            approver_role=approver.role,
            requester_id=asked.requester_id,
            kind=Kind(asked.kind),
            amount_minor=0,
            limit_minor=None,
        )
        decided = _record_decision(
            uow,
            asked,
            approver,
            Status.REJECTED,
            workstation=workstation,
            at=workstation,
            reason=reason,
            result=None,
        )
        uow.commit()
    return decided


def decide_at_once(
    uow: UnitOfWork,
    *,
    requester: Actor,
    approver: Actor,
    workstation: str,
    kind: Kind,
    subject: str,
    amount_minor: int,
    reason: str,
    payload: dict[str, Any],
    key: str,
) -> tuple[ApprovalRequest, Executed | None]:
    """An on-the-spot sign-off, inside the caller's open `with uow:` (requester authorized
    there), committed here: the request, its execution and the decision at once. The
    approver signed in with their password just now; they are checked again here.

    Returns the decided request and what the action returned (None when `key` replays:
    the request's `result` holds it then)."""
    approver = sessions.authorize(uow, approver, rules.APPROVING_ROLE, rules.DECIDING[kind])
    stored = idempotency.claim(
        uow,
        key,
        "approval.at_once",
        {"kind": kind.value, "subject": subject, "amount": amount_minor, "payload": payload},
    )
    if stored is not None:
        return ApprovalRequest.from_json(stored, replayed=True), None
    # The row first (an executed action may name it), the events after the action's locks:
    # the workstation counter comes last in the one lock order.
    asked = _insert(
        uow,
        NewRequest(
            kind.value, subject, amount_minor, reason, payload, requester.user_id, workstation
        ),
        uow.clock(),
    )
    executed = _precheck_and_execute(uow, asked, approver)
    ledger.append_event(
        uow,
        ledger.take_slot(uow, workstation, with_receipt=False),
        actor=requester,
        action="approval.requested",
        receipt_no=None,
        details=_details(asked),
    )
    decided = _record_decision(
        uow,
        asked,
        approver,
        Status.APPROVED,
        workstation=workstation,
        at=workstation,
        reason=None,
        result=dict(executed.to_json()),
    )
    idempotency.store(uow, key, decided.to_json())
    uow.commit()
    return decided, executed


def list_requests(
    uow: UnitOfWork,
    *,
    actor: Actor,
    status: str | None = None,
    mine: bool = False,
    kind: str | None = None,
) -> list[ApprovalRequest]:
    """Requests of every kind (approvers), or the actor's own (`mine`, any user)."""
    wanted = None if status is None else rules.status_of(status).value
    with uow:
        actor = sessions.authorize(
            uow,
            actor,
            Role.CASHIER if mine else rules.APPROVING_ROLE,
            "see your requests" if mine else "see approval requests",
        )
        currency = uow.facility().currency
        rows = approvals_repo.find(
            uow, status=wanted, kind=kind, requested_by=actor.user_id if mine else None
        )
    return [_of(row, currency) for row in rows]


def limit_minor(uow: UnitOfWork, role: Role, kind: Kind) -> int | None:
    """`role`'s limit for `kind` in minor units (None: no limit), in an open transaction;
    e.g. what a cashier may adjust alone."""
    if role is Role.ADMIN:
        return None
    found = approvals_repo.limit_minor(uow, rules.limit_key(role, kind))
    if found is not None:
        return found
    return rules.default_limit_minor(uow.facility().currency, role, kind)


def set_limit(
    uow: UnitOfWork, *, actor: Actor, workstation: str, role: str, kind: str, amount: str | Decimal
) -> Decimal:
    """Set what a cashier or supervisor may decide (or do alone) of a kind (admin)."""
    parsed = rules.kind_of(kind)
    try:
        who = Role(role)
    except ValueError:
        who = None
    if who not in rules.LIMIT_ROLES:
        raise BadInput(
            "Limits are set for the cashier or supervisor role; an administrator has none.",
            code="invalid_role",
        )
    with uow:
        actor = sessions.authorize(uow, actor, Role.ADMIN, "set approval limits")
        currency = uow.facility().currency
        minor = currency.to_minor(currency.parse(amount, what="limit", allow_zero=True))
        before = limit_minor(uow, who, parsed)
        approvals_repo.set_limit_minor(uow, rules.limit_key(who, parsed), minor)
        ledger.record(
            uow,
            workstation,
            actor=actor,
            action="approval.limit",
            details={
                "role": who.value,
                "kind": parsed.value,
                "before": None if before is None else currency.text(before),
                "after": currency.text(minor),
            },
        )
        uow.commit()
    return currency.from_minor(minor)


def _approve(
    uow: UnitOfWork, asked: ApprovalRequest, approver: Actor, *, at: str
) -> ApprovalRequest:
    executed = _precheck_and_execute(uow, asked, approver)
    return _record_decision(
        uow,
        asked,
        approver,
        Status.APPROVED,
        workstation=asked.workstation,
        at=at,
        reason=None,
        result=dict(executed.to_json()),
    )


def _precheck_and_execute(uow: UnitOfWork, asked: ApprovalRequest, approver: Actor) -> Executed:
    rules.require_pending(asked.status, request_id=asked.id, decided_by=asked.decided_by)
    kind, currency = Kind(asked.kind), uow.facility().currency
    rules.require_may_decide(
        currency,
        approver_id=approver.user_id,
        approver_role=approver.role,
        requester_id=asked.requester_id,
        kind=kind,
        amount_minor=currency.to_minor(asked.amount),
        limit_minor=limit_minor(uow, approver.role, kind),
    )
    return _executor(kind)(uow, asked, approver)


def _executor(kind: Kind) -> Executor:
    # Imported here: the kinds' services import this module to make their requests.
    from pos_app.services.approval_kinds import EXECUTORS

    found = EXECUTORS.get(kind)
    if found is None:
        raise Refused(f"Requests of kind {kind.value} cannot be executed yet.", code="unknown_kind")
    return found


def _record_decision(
    uow: UnitOfWork,
    asked: ApprovalRequest,
    approver: Actor,
    status: Status,
    *,
    workstation: str,
    at: str,
    reason: str | None,
    result: dict[str, Any] | None,
) -> ApprovalRequest:
    """Mark the request decided and audit it on `workstation`'s chain (an approval: the
    request's workstation, whose counter the action holds already)."""
    slot = ledger.take_slot(uow, workstation, with_receipt=False)
    if not approvals_repo.decide(
        uow,
        asked.id,
        status=status.value,
        decided_by=approver.user_id,
        at=slot.at,
        reason=reason,
        result=result,
    ):
        raise Refused(
            f"Request {asked.id} was already decided: nothing was done.", code="request_decided"
        )
    decided = replace(
        asked,
        status=status.value,
        decided_by=approver.username,
        decided_at=slot.at.isoformat(),
        decision_reason=reason,
        result=result,
    )
    details = {**_details(decided), "decided_at_workstation": at}
    if result is not None:
        details["result"] = {
            k: v for k, v in result.items() if k in ("receipt_no", "audit_hash", "amount", "status")
        }
    ledger.append_event(
        uow,
        slot,
        actor=approver,
        action=f"approval.{status.value}",
        receipt_no=None,
        details=details,
    )
    return decided


def _insert(uow: UnitOfWork, new: NewRequest, at: Any) -> ApprovalRequest:
    request_id = approvals_repo.add(uow, new, at)
    if request_id is None:
        raise Refused(
            f"A {new.kind.replace('_', ' ')} request for {new.subject} is already "
            "waiting for approval.",
            code="already_requested",
        )
    return _of(approvals_repo.get(uow, request_id), uow.facility().currency)


def _details(asked: ApprovalRequest) -> dict[str, Any]:
    """What the audit event keeps of a request: every stored column but the decision's."""
    return {
        "request_id": asked.id,
        "kind": asked.kind,
        "subject": asked.subject,
        "amount": str(asked.amount),
        "reason": asked.reason,
        "payload": asked.payload,
        "requested_by": asked.requested_by,
        "workstation": asked.workstation,
        **({"decision_reason": asked.decision_reason} if asked.decision_reason else {}),
    }


def _subject(subject: str) -> str:
    text = refuse_controls(str(subject).strip(), what="subject")
    if not text or len(text) > MAX_SUBJECT:
        raise BadInput(
            f"A request names what it is about in 1 to {MAX_SUBJECT} characters.",
            code="invalid_subject",
        )
    return text


def _of(row: RequestRow, currency: Currency) -> ApprovalRequest:
    return ApprovalRequest(
        id=row.id,
        kind=row.kind,
        subject=row.subject,
        amount=currency.from_minor(row.amount_minor),
        reason=row.reason,
        status=row.status,
        requested_by=row.requester,
        workstation=row.workstation,
        created_at=row.created_at.isoformat(),
        payload=row.payload,
        decided_by=row.decided_by,
        decided_at=None if row.decided_at is None else row.decided_at.isoformat(),
        decision_reason=row.decision_reason,
        result=row.result,
        requester_id=row.requested_by,
        requester_role=row.requester_role,
    )
