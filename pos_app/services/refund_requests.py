"""Refund requests: a cashier asks for a payment's reversal, a supervisor decides.

A request may name some of the payment's items (a partial refund); without items it
asks for whatever the payment still has. The approver is neither the cashier who
took the payment nor the one who asked; approving reverses the payment (or those
items, paid back the way the money came) and marks the request in the same
transaction.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy import ColumnElement, func, insert, select, update
from sqlalchemy.exc import IntegrityError

from pos_app.adapters import idempotency, ledger
from pos_app.adapters import tables as t
from pos_app.adapters.types import utcnow
from pos_app.adapters.uow import UnitOfWork
from pos_app.domain.actors import Actor, Role
from pos_app.domain.errors import NotFound, Refused
from pos_app.services import sessions
from pos_app.services.refund_plan import Parts, items_to_refund
from pos_app.services.reversal import ReversalResult, check_reason, find_payment, reverse_once


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
        return {"request_id": self.request_id, "payment_receipt_no": self.payment_receipt_no,
                "mrn": self.mrn, "amount": str(self.amount), "requested_by": self.requested_by,
                "reason": self.reason, "status": self.status, "at": self.at,
                "items": list(self.items)}


def request_refund(uow: UnitOfWork, *, actor: Actor, workstation: str, receipt_no: str,
                   reason: str, item_ids: list[int] | None = None) -> RefundRequest:
    """A cashier asks for a payment's refund (or some items'); a supervisor must approve."""
    reason = check_reason(reason)
    parts = Parts.of(item_ids, None)
    with uow:
        actor = sessions.authorize(uow, actor, Role.CASHIER, "request refunds")
        currency = uow.facility().currency
        payment = find_payment(uow, receipt_no)
        if payment.status != "completed":
            raise Refused(f"Payment {receipt_no} was already reversed.",
                          code="already_reversed")
        refund = items_to_refund(uow, payment.id, payment.receipt_no, parts.item_ids)
        slot = ledger.take_slot(uow, workstation, with_receipt=False)
        try:
            request_id = uow.execute(insert(t.refund_requests).values(
                payment_id=payment.id, requested_by=actor.user_id, workstation=workstation,
                reason=reason, status="pending", created_at=slot.at,
            ).returning(t.refund_requests.c.id)).scalar_one()
        except IntegrityError as exc:
            raise Refused(f"A refund of {receipt_no} is already waiting for approval.",
                          code="refund_already_requested") from exc
        items = parts.item_ids or ()
        if items:
            uow.execute(insert(t.refund_request_items), [
                {"request_id": request_id, "bill_item_id": i} for i in items])
        ledger.append_event(uow, slot, actor=actor, action="refund.request",
                            receipt_no=receipt_no,
                            details={"request_id": request_id, "reason": reason,
                                     **({"items": list(items)} if items else {})})
        uow.commit()
    return RefundRequest(request_id, receipt_no, payment.mrn,
                         currency.from_minor(sum(refund.values())), actor.username, reason,
                         "pending", slot.at.isoformat(), items)


def pending_requests(uow: UnitOfWork, *, actor: Actor) -> list[RefundRequest]:
    """Refund requests waiting for a supervisor, oldest first."""
    with uow:
        actor = sessions.authorize(uow, actor, Role.SUPERVISOR, "see refund requests")
        currency = uow.facility().currency
        rows = uow.execute(
            select(t.refund_requests, t.payments.c.receipt_no, _asked_minor().label("asked"),
                   t.patients.c.mrn, t.users.c.username)
            .join(t.payments, t.payments.c.id == t.refund_requests.c.payment_id)
            .join(t.patients, t.patients.c.id == t.payments.c.patient_id)
            .join(t.users, t.users.c.id == t.refund_requests.c.requested_by)
            .where(t.refund_requests.c.status == "pending")
            .order_by(t.refund_requests.c.id)).all()
        items = _request_items(uow, [r.id for r in rows])
    return [RefundRequest(r.id, r.receipt_no, r.mrn, currency.from_minor(r.asked),
                          r.username, r.reason, r.status, r.created_at.isoformat(),
                          items.get(r.id, ()))
            for r in rows]


def _asked_minor() -> ColumnElement[int]:
    """What a request would refund: its items, else what the payment has not refunded."""
    pi, ri, v = t.payment_items, t.refund_request_items, t.reversals
    items = (select(func.sum(pi.c.amount_minor))
             .join(ri, ri.c.bill_item_id == pi.c.bill_item_id)
             .where(ri.c.request_id == t.refund_requests.c.id,
                    pi.c.payment_id == t.refund_requests.c.payment_id).scalar_subquery())
    refunded = (select(func.coalesce(func.sum(v.c.amount_minor), 0))
                .where(v.c.payment_id == t.payments.c.id).scalar_subquery())
    return func.coalesce(items, t.payments.c.amount_minor - refunded)


def _request_items(uow: UnitOfWork, request_ids: list[int]) -> dict[int, tuple[int, ...]]:
    """The items each request names, by request id (absent: the whole payment)."""
    found: dict[int, list[int]] = {}
    for row in uow.execute(select(t.refund_request_items)
                           .where(t.refund_request_items.c.request_id.in_(request_ids))
                           .order_by(t.refund_request_items.c.bill_item_id)):
        found.setdefault(row.request_id, []).append(row.bill_item_id)
    return {request_id: tuple(ids) for request_id, ids in found.items()}


def decide_request(uow: UnitOfWork, *, actor: Actor, workstation: str, request_id: int,
                   approve: bool, key: str) -> ReversalResult | None:
    """Approve (reverse the payment) or reject a pending request, in one transaction.

    An approved refund is issued on the requesting workstation's receipt numbers and paid
    out of the requesting cashier's open shift there; `workstation` is where the
    supervisor decides (a rejection is audited there).
    """
    idempotency.check_key(key)
    with uow:
        actor = sessions.authorize(uow, actor, Role.SUPERVISOR, "approve refunds")
        row = uow.execute(
            select(t.refund_requests, t.payments.c.receipt_no, t.users.c.username,
                   t.users.c.role)
            .join(t.payments, t.payments.c.id == t.refund_requests.c.payment_id)
            .join(t.users, t.users.c.id == t.refund_requests.c.requested_by)
            .where(t.refund_requests.c.id == request_id)).first()
        if row is None:
            raise NotFound(f"No refund request has id {request_id}.", code="unknown_request")
        if row.requested_by == actor.user_id:
            raise Refused("Another supervisor must decide a refund you asked for.",
                          code="same_person")
        result = None
        if approve:
            requester = Actor(row.requested_by, row.username, Role(row.role))
            items = _request_items(uow, [request_id]).get(request_id)
            # The refund is paid out at the asking cashier's till, from their shift.
            result = reverse_once(
                uow, actor=actor, requester=requester, workstation=row.workstation,
                receipt_no=row.receipt_no, reason=row.reason, key=key, request_id=request_id,
                parts=Parts(item_ids=items),
                before=lambda: _mark_request(uow, request_id, actor, "approved"))
        else:
            _mark_request(uow, request_id, actor, "rejected")
            ledger.record(uow, workstation, actor=actor, action="refund.reject",
                          receipt_no=row.receipt_no, details={"request_id": request_id})
        uow.commit()
    return result


def _mark_request(uow: UnitOfWork, request_id: int, actor: Actor, status: str) -> None:
    changed = uow.execute(
        update(t.refund_requests)
        .where(t.refund_requests.c.id == request_id, t.refund_requests.c.status == "pending")
        .values(status=status, decided_by=actor.user_id, decided_at=utcnow())).rowcount
    if changed != 1:
        raise Refused(f"Refund request {request_id} was already decided.",
                      code="request_decided")
