"""Receipts: the numbered document each money command issues, carrying its event's hash."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import insert

from pos_app.adapters import tables as t
from pos_app.adapters.uow import UnitOfWork
from pos_app.domain.effects import ReceiptIssued


def issue(uow: UnitOfWork, receipt: ReceiptIssued, at: datetime, audit_hash: str) -> None:
    """Write the receipt row; `audit_hash` is the hash of the event that records it."""
    uow.write(
        _RECEIPT,
        {
            "receipt_no": receipt.receipt_no,
            "workstation": receipt.workstation,
            "seq": receipt.seq,
            "kind": receipt.kind,
            "patient_id": receipt.patient_id,
            "cashier_id": receipt.cashier_id,
            "created_at": at,
            "audit_hash": audit_hash,
        },
    )


_RECEIPT = insert(t.receipts).inline()
