"""Reversals (refunds) as stored: the reversal row, its items and its payouts."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import insert

from pos_app.adapters import tables as t
from pos_app.adapters.uow import UnitOfWork
from pos_app.domain.effects import ReversalRecorded


def record(uow: UnitOfWork, reversal: ReversalRecorded, at: datetime) -> int:
    """Write the reversal, its payouts and its items; its id."""
    reversal_id = uow.execute(insert(t.reversals).values(
        payment_id=reversal.payment_id, receipt_no=reversal.receipt_no, reason=reversal.reason,
        amount_minor=reversal.amount_minor, cashier_id=reversal.cashier_id,
        requested_by=reversal.requested_by, approved_by=reversal.approved_by,
        request_id=reversal.request_id, workstation=reversal.workstation,
        shift_id=reversal.shift_id, idempotency_key=reversal.idempotency_key,
        created_at=at).returning(t.reversals.c.id)).scalar_one()
    if reversal.payouts:  # none when the payer had paid it all
        uow.execute(insert(t.refund_payouts), [
            {"reversal_id": reversal_id, "method": p.method, "amount_minor": p.amount_minor,
             "reference": p.reference} for p in reversal.payouts])
    uow.execute(insert(t.reversal_items), [
        {"reversal_id": reversal_id, "bill_item_id": i.bill_item_id,
         "amount_minor": i.amount_minor} for i in reversal.items])
    return reversal_id
