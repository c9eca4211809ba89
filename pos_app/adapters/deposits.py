"""Deposits: wallet top-ups taken at the till."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import insert

from pos_app.adapters import tables as t
from pos_app.adapters.uow import UnitOfWork
from pos_app.domain.effects import DepositRecorded


def record(uow: UnitOfWork, deposit: DepositRecorded, at: datetime) -> None:
    """Write the deposit row."""
    uow.write(
        _DEPOSIT,
        {
            "receipt_no": deposit.receipt_no,
            "patient_id": deposit.patient_id,
            "wallet_id": deposit.wallet_id,
            "method": deposit.method,
            "amount_minor": deposit.amount_minor,
            "reference": deposit.reference,
            "cashier_id": deposit.cashier_id,
            "workstation": deposit.workstation,
            "idempotency_key": deposit.idempotency_key,
            "created_at": at,
            "shift_id": deposit.shift_id,
        },
    )


_DEPOSIT = insert(t.deposits).inline()
