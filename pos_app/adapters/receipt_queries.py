"""Issued receipts as stored, for showing and reprinting them: the receipt row and the rows
of its payment, deposit, refund, withdrawal or account settlement."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import func, select, update

from pos_app.adapters import tables as t
from pos_app.adapters.uow import UnitOfWork


@dataclass(frozen=True)
class ReceiptHead:
    """The receipt row with its patient's name and MRN (empty for none)."""

    receipt_no: str
    kind: str
    created_at: datetime
    workstation: str
    cashier_id: int
    patient_name: str | None
    mrn: str | None
    audit_hash: str


@dataclass(frozen=True)
class LineRow:
    name: str
    quantity: int
    unit_price_minor: int
    amount_minor: int  # paid (the item's due) or given back
    bill_item_id: int
    gross_minor: int  # the item's amount before adjustments


@dataclass(frozen=True)
class PaymentRow:
    id: int
    amount_minor: int
    change_minor: int
    wallet_balance_after_minor: int | None
    status: str


@dataclass(frozen=True)
class TenderRow:
    method: str
    amount_minor: int
    reference: str | None
    cash_tendered_minor: int | None
    change_minor: int


@dataclass(frozen=True)
class DepositRow:
    method: str
    amount_minor: int
    reference: str | None


@dataclass(frozen=True)
class ReversalRow:
    id: int
    amount_minor: int
    reason: str
    cashier_id: int
    requested_by: int
    approved_by: int
    payment_receipt_no: str


@dataclass(frozen=True)
class PayoutRow:
    method: str
    amount_minor: int
    reference: str | None


@dataclass(frozen=True)
class WithdrawalRow:
    amount_minor: int
    reason: str
    cashier_id: int
    approved_by: int


@dataclass(frozen=True)
class SettlementRow:
    """A settlement with its debtor: a payer's code and name, or none for a patient."""

    method: str
    amount_minor: int
    reference: str | None
    payer_code: str | None
    payer_name: str | None
    balance_after_minor: int


@dataclass(frozen=True)
class AllocationRow:
    """What a settlement paid of one charge, and the receipt that charge came with."""

    receipt_no: str | None
    amount_minor: int


def _one(cls: type, row: Any) -> Any:
    return cls(**row._mapping)


def any_issued(uow: UnitOfWork) -> bool:
    """Whether any receipt was ever issued (money was taken)."""
    return bool(uow.execute(select(func.count()).select_from(t.receipts)).scalar_one())


def head(uow: UnitOfWork, receipt_no: str) -> ReceiptHead | None:
    r = t.receipts
    row = uow.execute(
        select(
            r.c.receipt_no,
            r.c.kind,
            r.c.created_at,
            r.c.workstation,
            r.c.cashier_id,
            t.patients.c.name.label("patient_name"),
            t.patients.c.mrn,
            r.c.audit_hash,
        )
        .outerjoin(t.patients, t.patients.c.id == r.c.patient_id)
        .where(r.c.receipt_no == receipt_no)
    ).first()
    return None if row is None else _one(ReceiptHead, row)


def count_reprint(uow: UnitOfWork, receipt_no: str) -> int:
    """Count one more reprint of the receipt; returns its copy number."""
    r = t.receipts
    return uow.execute(
        update(r)
        .where(r.c.receipt_no == receipt_no)
        .values(reprints=r.c.reprints + 1)
        .returning(r.c.reprints)
    ).scalar_one()


def lines(
    uow: UnitOfWork, *, payment_id: int | None = None, reversal_id: int | None = None
) -> list[LineRow]:
    """What a payment paid for, or what one reversal of it gave back, by bill item."""
    table = t.payment_items if reversal_id is None else t.reversal_items
    owner = (
        t.payment_items.c.payment_id == payment_id
        if reversal_id is None
        else t.reversal_items.c.reversal_id == reversal_id
    )
    rows = uow.execute(
        select(
            t.services.c.name,
            t.bill_items.c.quantity,
            t.bill_items.c.unit_price_minor,
            table.c.amount_minor,
            t.bill_items.c.id.label("bill_item_id"),
            t.bill_items.c.amount_minor.label("gross_minor"),
        )
        .join(t.bill_items, t.bill_items.c.id == table.c.bill_item_id)
        .join(t.services, t.services.c.id == t.bill_items.c.service_id)
        .where(owner)
        .order_by(t.bill_items.c.id)
    ).all()
    return [_one(LineRow, row) for row in rows]


def payment(uow: UnitOfWork, receipt_no: str) -> PaymentRow:
    p = t.payments
    return _one(
        PaymentRow,
        uow.execute(
            select(
                p.c.id,
                p.c.amount_minor,
                p.c.change_minor,
                p.c.wallet_balance_after_minor,
                p.c.status,
            ).where(p.c.receipt_no == receipt_no)
        ).one(),
    )


def tenders(uow: UnitOfWork, payment_id: int) -> list[TenderRow]:
    x = t.tenders
    rows = uow.execute(
        select(
            x.c.method, x.c.amount_minor, x.c.reference, x.c.cash_tendered_minor, x.c.change_minor
        )
        .where(x.c.payment_id == payment_id)
        .order_by(x.c.id)
    ).all()
    return [_one(TenderRow, row) for row in rows]


def refund_receipt_nos(uow: UnitOfWork, payment_id: int) -> list[str]:
    """The receipts of the payment's refunds, oldest first."""
    return list(
        uow.execute(
            select(t.reversals.c.receipt_no)
            .where(t.reversals.c.payment_id == payment_id)
            .order_by(t.reversals.c.id)
        ).scalars()
    )


def deposit(uow: UnitOfWork, receipt_no: str) -> DepositRow:
    d = t.deposits
    return _one(
        DepositRow,
        uow.execute(
            select(d.c.method, d.c.amount_minor, d.c.reference).where(d.c.receipt_no == receipt_no)
        ).one(),
    )


def reversal(uow: UnitOfWork, receipt_no: str) -> ReversalRow:
    v = t.reversals
    return _one(
        ReversalRow,
        uow.execute(
            select(
                v.c.id,
                v.c.amount_minor,
                v.c.reason,
                v.c.cashier_id,
                v.c.requested_by,
                v.c.approved_by,
                t.payments.c.receipt_no.label("payment_receipt_no"),
            )
            .join(t.payments, t.payments.c.id == v.c.payment_id)
            .where(v.c.receipt_no == receipt_no)
        ).one(),
    )


def payouts(uow: UnitOfWork, reversal_id: int) -> list[PayoutRow]:
    o = t.refund_payouts
    rows = uow.execute(
        select(o.c.method, o.c.amount_minor, o.c.reference)
        .where(o.c.reversal_id == reversal_id)
        .order_by(o.c.id)
    ).all()
    return [_one(PayoutRow, row) for row in rows]


def withdrawal(uow: UnitOfWork, receipt_no: str) -> WithdrawalRow:
    w = t.withdrawals
    return _one(
        WithdrawalRow,
        uow.execute(
            select(w.c.amount_minor, w.c.reason, w.c.cashier_id, w.c.approved_by).where(
                w.c.receipt_no == receipt_no
            )
        ).one(),
    )


def settlement(uow: UnitOfWork, receipt_no: str) -> SettlementRow:
    s, e = t.settlements, t.receivable_entries
    return _one(
        SettlementRow,
        uow.execute(
            select(
                s.c.method,
                s.c.amount_minor,
                s.c.reference,
                t.payers.c.code.label("payer_code"),
                t.payers.c.name.label("payer_name"),
                e.c.balance_after_minor,
            )
            .join(t.receivable_accounts, t.receivable_accounts.c.id == s.c.account_id)
            .outerjoin(t.payers, t.payers.c.id == t.receivable_accounts.c.payer_id)
            .join(
                e,
                (e.c.receipt_no == s.c.receipt_no)
                & (e.c.account_id == s.c.account_id)
                & (e.c.kind == "settlement"),
            )
            .where(s.c.receipt_no == receipt_no)
        ).one(),
    )


def allocations(uow: UnitOfWork, receipt_no: str) -> list[AllocationRow]:
    """The charges the settlement on `receipt_no` paid, oldest charge first."""
    paid, charge = t.receivable_entries.alias("paid"), t.receivable_entries.alias("charge")
    a = t.settlement_allocations
    rows = uow.execute(
        select(charge.c.receipt_no, a.c.amount_minor)
        .join(paid, paid.c.id == a.c.settlement_entry_id)
        .join(charge, charge.c.id == a.c.charge_entry_id)
        .where(paid.c.receipt_no == receipt_no, paid.c.kind == "settlement")
        .order_by(charge.c.id)
    ).all()
    return [_one(AllocationRow, row) for row in rows]


def wallet_balance_after(uow: UnitOfWork, receipt_no: str, kind: str) -> int | None:
    """The balance its wallet ledger entry of `kind` recorded, if the receipt has one."""
    e = t.wallet_entries
    return uow.execute(
        select(e.c.balance_after_minor).where(e.c.receipt_no == receipt_no, e.c.kind == kind)
    ).scalar_one_or_none()


def event_details(uow: UnitOfWork, receipt_no: str, audit_hash: str) -> str:
    """The details (JSON text) of the audit event the receipt was issued with."""
    e = t.audit_events
    return uow.execute(
        select(e.c.details).where(e.c.hash == audit_hash, e.c.receipt_no == receipt_no)
    ).scalar_one()
