"""Withdrawals: wallet balances paid out in cash, approved by a supervisor."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import insert

from pos_app.adapters import tables as t
from pos_app.adapters.uow import UnitOfWork
from pos_app.domain.effects import WithdrawalRecorded


def record(uow: UnitOfWork, withdrawal: WithdrawalRecorded, at: datetime) -> None:
    """Write the withdrawal row."""
    uow.execute(
        insert(t.withdrawals).values(
            receipt_no=withdrawal.receipt_no,
            patient_id=withdrawal.patient_id,
            wallet_id=withdrawal.wallet_id,
            amount_minor=withdrawal.amount_minor,
            reason=withdrawal.reason,
            cashier_id=withdrawal.cashier_id,
            approved_by=withdrawal.approved_by,
            workstation=withdrawal.workstation,
            shift_id=withdrawal.shift_id,
            idempotency_key=withdrawal.idempotency_key,
            created_at=at,
        )
    )
