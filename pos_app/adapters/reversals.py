"""Reversals (refunds) as stored: the reversal row, its items and its payouts."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import bindparam, insert, select

from pos_app.adapters import tables as t
from pos_app.adapters.uow import UnitOfWork
from pos_app.domain.effects import ReversalRecorded


def record(uow: UnitOfWork, reversal: ReversalRecorded, at: datetime) -> None:
    """Write the reversal, its payouts and its items. The rows under the reversal name it
    by its receipt number (unique), so all go in one round trip, its id never read back."""
    uow.write(
        _REVERSAL,
        {
            "payment_id": reversal.payment_id,
            "receipt_no": reversal.receipt_no,
            "reason": reversal.reason,
            "amount_minor": reversal.amount_minor,
            "cashier_id": reversal.cashier_id,
            "requested_by": reversal.requested_by,
            "approved_by": reversal.approved_by,
            "request_id": reversal.request_id,
            "workstation": reversal.workstation,
            "shift_id": reversal.shift_id,
            "idempotency_key": reversal.idempotency_key,
            "created_at": at,
        },
    )
    receipt = {"of_receipt": reversal.receipt_no}
    for p in reversal.payouts:  # none when the payer had paid it all
        uow.write(
            _PAYOUT,
            {
                **receipt,
                "method": p.method,
                "amount_minor": p.amount_minor,
                "reference": p.reference,
            },
        )
    for i in reversal.items:
        uow.write(
            _ITEM, {**receipt, "bill_item_id": i.bill_item_id, "amount_minor": i.amount_minor}
        )


_REVERSAL = insert(t.reversals).inline()
_REVERSAL_ID = (
    select(t.reversals.c.id)
    .where(t.reversals.c.receipt_no == bindparam("of_receipt"))
    .scalar_subquery()
)
_PAYOUT = insert(t.refund_payouts).values(reversal_id=_REVERSAL_ID).inline()
_ITEM = insert(t.reversal_items).values(reversal_id=_REVERSAL_ID).inline()
