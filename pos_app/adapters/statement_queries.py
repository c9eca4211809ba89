"""A wallet's statement as stored: the wallet, its balance and its newest ledger entries."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select

from pos_app.adapters import tables as t
from pos_app.adapters.uow import UnitOfWork


@dataclass(frozen=True)
class WalletRow:
    wallet_id: int
    patient_name: str
    balance_minor: int


@dataclass(frozen=True)
class EntryRow:
    kind: str
    amount_minor: int
    balance_after_minor: int
    receipt_no: str | None
    created_at: datetime


def wallet_of(uow: UnitOfWork, mrn: str) -> WalletRow | None:
    """The wallet of the patient with `mrn`, if there is one."""
    row = uow.execute(
        select(t.wallets.c.id, t.patients.c.name, t.wallets.c.balance_minor)
        .join(t.patients, t.patients.c.id == t.wallets.c.patient_id)
        .where(t.patients.c.mrn == mrn)
    ).first()
    return None if row is None else WalletRow(row.id, row.name, row.balance_minor)


def newest_entries(uow: UnitOfWork, wallet_id: int, limit: int) -> list[EntryRow]:
    e = t.wallet_entries
    rows = uow.execute(
        select(e.c.kind, e.c.amount_minor, e.c.balance_after_minor, e.c.receipt_no, e.c.created_at)
        .where(e.c.wallet_id == wallet_id)
        .order_by(e.c.id.desc())
        .limit(limit)
    ).all()
    return [EntryRow(**row._mapping) for row in rows]
