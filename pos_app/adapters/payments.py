"""Payments as stored: recorded with their items, tenders and lab orders; found and locked
for refunds, with what each item paid and what each method can still give back."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, insert, select, update

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


def record(uow: UnitOfWork, payment: PaymentRecorded, at: datetime) -> int:
    """Write the payment, its items, its tenders and its pending lab results; its id."""
    payment_id = uow.execute(insert(t.payments).values(
        receipt_no=payment.receipt_no, patient_id=payment.patient_id,
        amount_minor=payment.amount_minor, change_minor=payment.change_minor,
        wallet_balance_after_minor=payment.wallet_balance_after_minor,
        cashier_id=payment.cashier_id, workstation=payment.workstation,
        idempotency_key=payment.idempotency_key, created_at=at, shift_id=payment.shift_id,
    ).returning(t.payments.c.id)).scalar_one()
    uow.execute(insert(t.payment_items), [
        {"payment_id": payment_id, "bill_item_id": item.bill_item_id,
         "amount_minor": item.amount_minor} for item in payment.items])
    if payment.tenders:  # none when fully waived items are settled for nothing
        uow.execute(insert(t.tenders), [
            {"payment_id": payment_id, "method": tender.method,
             "amount_minor": tender.amount_minor, "reference": tender.reference,
             "cash_tendered_minor": tender.cash_tendered_minor,
             "change_minor": tender.change_minor} for tender in payment.tenders])
    if payment.lab_results:
        uow.execute(insert(t.lab_results), [
            {"bill_item_id": lab.bill_item_id, "payment_id": payment_id,
             "lab_test_code": lab.lab_test_code, "status": lab.status, "created_at": at}
            for lab in payment.lab_results])
    return payment_id


def find(uow: UnitOfWork, receipt_no: str) -> PaymentRow:
    """The payment behind a receipt number, or `unknown_receipt`."""
    row = uow.execute(
        select(t.payments.c.id, t.payments.c.receipt_no, t.patients.c.mrn,
               t.payments.c.cashier_id, t.users.c.username, t.payments.c.status,
               t.payments.c.amount_minor)
        .join(t.patients, t.patients.c.id == t.payments.c.patient_id)
        .join(t.users, t.users.c.id == t.payments.c.cashier_id)
        .where(t.payments.c.receipt_no == receipt_no)
    ).first()
    if row is None:
        raise NotFound(f"No payment has receipt number {receipt_no}.", code="unknown_receipt")
    return PaymentRow(*row)


def lock_completed(uow: UnitOfWork, payment: PaymentRow) -> None:
    """Lock the payment row (so refunds of it take turns); refuse a reversed payment."""
    status = uow.execute(select(t.payments.c.status).where(t.payments.c.id == payment.id)
                         .with_for_update()).scalar_one()
    if status != PaymentStatus.COMPLETED:
        raise Refused(f"Payment {payment.receipt_no} was already reversed.",
                      code="already_reversed")


def mark_reversed(uow: UnitOfWork, reversed_: PaymentReversed) -> None:
    uow.execute(update(t.payments).where(t.payments.c.id == reversed_.payment_id)
                .values(status=PaymentStatus.REVERSED.value))


def paid_items(uow: UnitOfWork, payment_id: int) -> dict[int, int]:
    """{bill item: amount} the payment paid."""
    return dict(uow.execute(
        select(t.payment_items.c.bill_item_id, t.payment_items.c.amount_minor)
        .where(t.payment_items.c.payment_id == payment_id)).all())


def refunded_items(uow: UnitOfWork, payment_id: int) -> set[int]:
    """The payment's items earlier refunds took."""
    return set(uow.execute(
        select(t.reversal_items.c.bill_item_id)
        .join(t.reversals, t.reversals.c.id == t.reversal_items.c.reversal_id)
        .where(t.reversals.c.payment_id == payment_id)).scalars())


def tendered(uow: UnitOfWork, payment_id: int) -> list[tuple[str, int, str | None]]:
    """(method, amount, reference) of each of the payment's tenders, in the order taken."""
    return [tuple(row) for row in uow.execute(
        select(t.tenders.c.method, t.tenders.c.amount_minor, t.tenders.c.reference)
        .where(t.tenders.c.payment_id == payment_id).order_by(t.tenders.c.id))]


def paid_back(uow: UnitOfWork, payment_id: int) -> dict[str, int]:
    """{method: amount} earlier refunds of the payment gave back."""
    return {method: int(given) for method, given in uow.execute(
        select(t.refund_payouts.c.method, func.sum(t.refund_payouts.c.amount_minor))
        .join(t.reversals, t.reversals.c.id == t.refund_payouts.c.reversal_id)
        .where(t.reversals.c.payment_id == payment_id)
        .group_by(t.refund_payouts.c.method))}
