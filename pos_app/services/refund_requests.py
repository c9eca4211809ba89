"""Refund requests: the "refund" kind of the approval workflow (`approvals`).

A cashier asks for a payment's reversal, naming some of its items (a partial refund)
or none (whatever the payment still has). Approving runs the reversal: the approver is
neither the cashier who took the payment nor the one who asked, and the refund is
issued on the asking workstation's receipt numbers, paid out of the asking cashier's
open shift there. `pending_requests` and `decide_request` keep the refund-only names
of the first release (the `payment requests|approve|reject` commands) for one release.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from pos_app.adapters import payments
from pos_app.adapters.uow import UnitOfWork
from pos_app.domain import rules
from pos_app.domain.actors import Actor, Role
from pos_app.domain.approvals import Kind, Status
from pos_app.domain.errors import Refused
from pos_app.domain.kinds import PaymentStatus
from pos_app.services import approvals, kernel, sessions
from pos_app.services.approvals import ApprovalRequest
from pos_app.services.refund_plan import Parts, items_to_refund
from pos_app.services.reversal import Reversal, ReversalResult


@dataclass(frozen=True)
class RefundRequest:
    """A cashier's request that a supervisor reverse a payment."""

    request_id: int
    payment_receipt_no: str
    mrn: str
    amount: Decimal
    requested_by: str
    reason: str
    status: str
    at: str
    items: tuple[int, ...] = ()  # empty: whatever the payment has left

    def to_json(self) -> dict:
        return {
            "request_id": self.request_id,
            "payment_receipt_no": self.payment_receipt_no,
            "mrn": self.mrn,
            "amount": str(self.amount),
            "requested_by": self.requested_by,
            "reason": self.reason,
            "status": self.status,
            "at": self.at,
            "items": list(self.items),
        }


def request_refund(
    uow: UnitOfWork,
    *,
    actor: Actor,
    workstation: str,
    receipt_no: str,
    reason: str,
    item_ids: list[int] | None = None,
) -> RefundRequest:
    """A cashier asks for a payment's refund (or some items'); a supervisor must approve."""
    reason = rules.require_reason(reason)
    parts = Parts.of(item_ids, None)
    with uow:
        actor = sessions.authorize(uow, actor, Role.CASHIER, "request refunds")
        payment = payments.find(uow, receipt_no)
        if payment.status != PaymentStatus.COMPLETED:
            raise Refused(f"Payment {receipt_no} was already reversed.", code="already_reversed")
        refund = items_to_refund(uow, payment.id, payment.receipt_no, parts.item_ids)
        asked = approvals.add_request(
            uow,
            requester=actor,
            workstation=workstation,
            kind=Kind.REFUND,
            subject=payment.receipt_no,
            amount_minor=sum(refund.values()),
            reason=reason,
            payload={
                "receipt_no": payment.receipt_no,
                "mrn": payment.mrn,
                "items": list(parts.item_ids or ()),
            },
        )
        uow.commit()
    return _refund(asked)


def pending_requests(uow: UnitOfWork, *, actor: Actor) -> list[RefundRequest]:
    """Refund requests waiting for a supervisor, oldest first."""
    return [
        _refund(r)
        for r in approvals.list_requests(
            uow, actor=actor, status=Status.PENDING.value, kind=Kind.REFUND.value
        )
    ]


def decide_request(
    uow: UnitOfWork,
    *,
    actor: Actor,
    workstation: str,
    request_id: int,
    approve: bool,
    key: str,
    reason: str = "Rejected by the supervisor.",
) -> ReversalResult | None:
    """Approve (reverse the payment) or reject a pending refund request."""
    if not approve:
        approvals.reject(
            uow, actor=actor, workstation=workstation, request_id=request_id, reason=reason
        )
        return None
    decided = approvals.approve(
        uow, actor=actor, workstation=workstation, request_id=request_id, key=key
    )
    return ReversalResult.from_json(decided.result or {}, replayed=decided.replayed)


def execute(uow: UnitOfWork, request: ApprovalRequest, approver: Actor) -> ReversalResult:
    """The approved refund: the reversal of the payment (or the items) the request names."""
    items = tuple(request.payload.get("items") or ()) or None
    return kernel.execute(
        uow,
        Reversal(
            approver,
            request.requester,
            request.workstation,
            uow.facility(),
            request.payload["receipt_no"],
            request.reason,
            request.execution_key,
            Parts(item_ids=items),
        ),
    )


def _refund(asked: ApprovalRequest) -> RefundRequest:
    return RefundRequest(
        asked.id,
        asked.subject,
        asked.payload.get("mrn", ""),
        asked.amount,
        asked.requested_by,
        asked.reason,
        asked.status,
        asked.created_at,
        tuple(asked.payload.get("items") or ()),
    )
