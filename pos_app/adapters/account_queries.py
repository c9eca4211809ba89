"""Receivable accounts as statements, settlements and ageing read them, and the writes
beyond an entry: a settlement's row and allocations, and a patient's credit limit.

A charge (a payer share or a patient's credit) stays open by what no settlement has
allocated to it yet; settlements pay open charges oldest first unless told otherwise.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, insert, select, update

from pos_app.adapters import tables as t
from pos_app.adapters.uow import UnitOfWork
from pos_app.domain.effects import SettlementAllocated, SettlementRecorded

CHARGES = ("payer_share", "credit")


@dataclass(frozen=True)
class EntryRow:
    id: int
    kind: str
    amount_minor: int
    balance_after_minor: int
    receipt_no: str | None
    created_at: datetime


@dataclass(frozen=True)
class OpenCharge:
    entry_id: int
    receipt_no: str | None
    created_at: datetime
    open_minor: int


def account_id(
    uow: UnitOfWork, *, payer_id: int | None = None, patient_id: int | None = None
) -> int | None:
    """The debtor's account id; None while nothing was ever posted for them."""
    accounts = t.receivable_accounts
    column = accounts.c.payer_id if payer_id is not None else accounts.c.patient_id
    return uow.execute(
        select(accounts.c.id).where(column == (payer_id if payer_id is not None else patient_id))
    ).scalar_one_or_none()


def entries(uow: UnitOfWork, account: int) -> list[EntryRow]:
    e = t.receivable_entries
    rows = uow.execute(
        select(
            e.c.id,
            e.c.kind,
            e.c.amount_minor,
            e.c.balance_after_minor,
            e.c.receipt_no,
            e.c.created_at,
        )
        .where(e.c.account_id == account)
        .order_by(e.c.id)
    ).all()
    return [EntryRow(*row) for row in rows]


def open_charges(uow: UnitOfWork, account: int) -> list[OpenCharge]:
    """The account's charges with what is still open on each, oldest first."""
    e, a = t.receivable_entries, t.settlement_allocations
    paid = (
        select(a.c.charge_entry_id, func.sum(a.c.amount_minor).label("paid"))
        .group_by(a.c.charge_entry_id)
        .subquery()
    )
    rows = uow.execute(
        select(
            e.c.id, e.c.receipt_no, e.c.created_at, e.c.amount_minor - func.coalesce(paid.c.paid, 0)
        )
        .outerjoin(paid, paid.c.charge_entry_id == e.c.id)
        .where(e.c.account_id == account, e.c.kind.in_(CHARGES))
        .order_by(e.c.created_at, e.c.id)
    ).all()
    # PostgreSQL sums BIGINT as NUMERIC: back to whole minor units.
    return [OpenCharge(row[0], row[1], row[2], int(row[3])) for row in rows if row[3] > 0]


def every_open_charge(uow: UnitOfWork) -> dict[int, list[OpenCharge]]:
    """Every account's open charges (the ageing report), by account id."""
    e = t.receivable_entries
    found: dict[int, list[OpenCharge]] = {}
    for account in uow.execute(select(e.c.account_id).distinct()).scalars():
        charges = open_charges(uow, account)
        if charges:
            found[account] = charges
    return found


def debtors(uow: UnitOfWork) -> dict[int, str]:
    """Each account's debtor as the reports name it: `payer CODE` or `patient MRN`."""
    accounts = t.receivable_accounts
    rows = uow.execute(
        select(accounts.c.id, t.payers.c.code, t.patients.c.mrn)
        .outerjoin(t.payers, t.payers.c.id == accounts.c.payer_id)
        .outerjoin(t.patients, t.patients.c.id == accounts.c.patient_id)
    ).all()
    return {row.id: f"payer {row.code}" if row.code else f"patient {row.mrn}" for row in rows}


def batch_receipts(uow: UnitOfWork, payer_id: int, batch_no: str) -> set[str] | None:
    """The receipts whose payer shares a claim batch of this payer holds; None: no such
    batch for this payer."""
    b = t.claim_batches
    found = uow.execute(
        select(b.c.id).where(b.c.batch_no == batch_no, b.c.payer_id == payer_id)
    ).scalar_one_or_none()
    if found is None:
        return None
    rows = uow.execute(
        select(t.payments.c.receipt_no)
        .distinct()
        .select_from(t.claim_items)
        .join(t.payer_shares, t.payer_shares.c.id == t.claim_items.c.payer_share_id)
        .join(t.payments, t.payments.c.id == t.payer_shares.c.payment_id)
        .where(t.claim_items.c.batch_id == found)
    ).scalars()
    return set(rows)


def allocate(uow: UnitOfWork, allocated: SettlementAllocated) -> None:
    """Write a settlement's allocations against the settlement entry on its receipt."""
    e = t.receivable_entries
    settlement = uow.execute(
        select(e.c.id).where(
            e.c.receipt_no == allocated.receipt_no,
            e.c.account_id == allocated.account_id,
            e.c.kind == "settlement",
        )
    ).scalar_one()
    if allocated.allocations:
        uow.execute(
            insert(t.settlement_allocations),
            [
                {
                    "settlement_entry_id": settlement,
                    "charge_entry_id": charge,
                    "amount_minor": amount,
                }
                for charge, amount in allocated.allocations
            ],
        )


def record_settlement(uow: UnitOfWork, settled: SettlementRecorded, at: datetime) -> None:
    """Write the settlement's own row: its method, reference and shift."""
    uow.execute(
        insert(t.settlements).values(
            receipt_no=settled.receipt_no,
            account_id=settled.account_id,
            method=settled.method,
            amount_minor=settled.amount_minor,
            reference=settled.reference,
            cashier_id=settled.cashier_id,
            workstation=settled.workstation,
            shift_id=settled.shift_id,
            idempotency_key=settled.idempotency_key,
            created_at=at,
        )
    )


def set_credit_limit(uow: UnitOfWork, account: int, limit_minor: int) -> None:
    accounts = t.receivable_accounts
    uow.execute(
        update(accounts).where(accounts.c.id == account).values(credit_limit_minor=limit_minor)
    )


def credit_limit_minor(uow: UnitOfWork, account: int) -> int:
    accounts = t.receivable_accounts
    return uow.execute(
        select(accounts.c.credit_limit_minor).where(accounts.c.id == account)
    ).scalar_one()
