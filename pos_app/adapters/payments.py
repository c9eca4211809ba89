"""Payments as stored: recorded with their items, tenders and lab orders; found and locked
for refunds, with what each item paid and what each method can still give back."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import bindparam, func, insert, select, update

from pos_app.adapters import tables as t
from pos_app.adapters.uow import UnitOfWork
from pos_app.domain.effects import PaymentRecorded, PaymentReversed
from pos_app.domain.errors import NotFound, Refused
from pos_app.domain.kinds import PaymentStatus


@dataclass(frozen=True)
class PaymentRow:
    id: int
    receipt_no: str
    mrn: str
    cashier_id: int
    cashier: str
    status: str
    amount_minor: int


def record(uow: UnitOfWork, payment: PaymentRecorded, at: datetime) -> None:
    """Write the payment, its items, its tenders and its pending lab results.

    The rows under the payment name it by its receipt number (unique), so all of them
    go in the same round trip as the payment itself, its id never read back."""
    uow.write(
        _PAYMENT,
        {
            "receipt_no": payment.receipt_no,
            "patient_id": payment.patient_id,
            "amount_minor": payment.amount_minor,
            "change_minor": payment.change_minor,
            "wallet_balance_after_minor": payment.wallet_balance_after_minor,
            "cashier_id": payment.cashier_id,
            "workstation": payment.workstation,
            "idempotency_key": payment.idempotency_key,
            "created_at": at,
            "shift_id": payment.shift_id,
        },
    )
    receipt = {"of_receipt": payment.receipt_no}
    for item in payment.items:
        uow.write(
            _ITEM, {**receipt, "bill_item_id": item.bill_item_id, "amount_minor": item.amount_minor}
        )
    for tender in payment.tenders:  # none when fully waived items are settled for nothing
        uow.write(
            _TENDER,
            {
                **receipt,
                "method": tender.method,
                "amount_minor": tender.amount_minor,
                "reference": tender.reference,
                "cash_tendered_minor": tender.cash_tendered_minor,
                "change_minor": tender.change_minor,
            },
        )
    for lab in payment.lab_results:
        uow.write(
            _LAB,
            {
                **receipt,
                "bill_item_id": lab.bill_item_id,
                "lab_test_code": lab.lab_test_code,
                "status": lab.status,
                "created_at": at,
            },
        )


# built once: the statements every payment sends
_PAYMENT = insert(t.payments).inline()
_PAYMENT_ID = (
    select(t.payments.c.id)
    .where(t.payments.c.receipt_no == bindparam("of_receipt"))
    .scalar_subquery()
)
_ITEM = insert(t.payment_items).values(payment_id=_PAYMENT_ID).inline()
_TENDER = insert(t.tenders).values(payment_id=_PAYMENT_ID).inline()
_LAB = insert(t.lab_results).values(payment_id=_PAYMENT_ID).inline()


def find(uow: UnitOfWork, receipt_no: str) -> PaymentRow:
    """The payment behind a receipt number, or `unknown_receipt`."""
    row = uow.execute(
        select(
            t.payments.c.id,
            t.payments.c.receipt_no,
            t.patients.c.mrn,
            t.payments.c.cashier_id,
            t.users.c.username,
            t.payments.c.status,
            t.payments.c.amount_minor,
        )
        .join(t.patients, t.patients.c.id == t.payments.c.patient_id)
        .join(t.users, t.users.c.id == t.payments.c.cashier_id)
        .where(t.payments.c.receipt_no == receipt_no)
    ).first()
    if row is None:
        raise NotFound(f"No payment has receipt number {receipt_no}.", code="unknown_receipt")
    return PaymentRow(*row)


def lock_completed(uow: UnitOfWork, payment: PaymentRow) -> None:
    """Lock the payment row (so refunds of it take turns); refuse a reversed payment."""
    status = uow.execute(
        select(t.payments.c.status).where(t.payments.c.id == payment.id).with_for_update()
    ).scalar_one()
    if status != PaymentStatus.COMPLETED:
        raise Refused(
            f"Payment {payment.receipt_no} was already reversed.", code="already_reversed"
        )


def mark_reversed(uow: UnitOfWork, reversed_: PaymentReversed) -> None:
    """The payment row was locked by the refund (`lock_completed`): the update waits."""
    uow.write(_REVERSED, {"payment_id": reversed_.payment_id})


_REVERSED = (
    update(t.payments)
    .where(t.payments.c.id == bindparam("payment_id"))
    .values(status=PaymentStatus.REVERSED.value)
)


def paid_items(uow: UnitOfWork, payment_id: int) -> dict[int, int]:
    """{bill item: amount} the payment paid."""
    return dict(
        uow.execute(
            select(t.payment_items.c.bill_item_id, t.payment_items.c.amount_minor).where(
                t.payment_items.c.payment_id == payment_id
            )
        ).all()
    )


def refunded_items(uow: UnitOfWork, payment_id: int) -> set[int]:
    """The payment's items earlier refunds took."""
    return set(
        uow.execute(
            select(t.reversal_items.c.bill_item_id)
            .join(t.reversals, t.reversals.c.id == t.reversal_items.c.reversal_id)
            .where(t.reversals.c.payment_id == payment_id)
        ).scalars()
    )


def tendered(uow: UnitOfWork, payment_id: int) -> list[tuple[str, int, str | None]]:
    """(method, amount, reference) of each of the payment's tenders, in the order taken."""
    return [
        tuple(row)
        for row in uow.execute(
            select(t.tenders.c.method, t.tenders.c.amount_minor, t.tenders.c.reference)
            .where(t.tenders.c.payment_id == payment_id)
            .order_by(t.tenders.c.id)
        )
    ]


def paid_back(uow: UnitOfWork, payment_id: int) -> dict[str, int]:
    """{method: amount} earlier refunds of the payment gave back."""
    return {
        method: int(given)
        for method, given in uow.execute(
            select(t.refund_payouts.c.method, func.sum(t.refund_payouts.c.amount_minor))
            .join(t.reversals, t.reversals.c.id == t.refund_payouts.c.reversal_id)
            .where(t.reversals.c.payment_id == payment_id)
            .group_by(t.refund_payouts.c.method)
        )
    }
