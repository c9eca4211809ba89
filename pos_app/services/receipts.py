"""Receipts from the database: show, reprint (counted and audited) and verify a QR payload.

Every kind is built here: payments (marked REVERSED once refunded), deposits,
refunds and wallet withdrawals.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, replace
from decimal import Decimal

from sqlalchemy import select, update

from pos_app.adapters import ledger
from pos_app.adapters import tables as t
from pos_app.adapters.uow import UnitOfWork
from pos_app.domain.actors import Actor, Role
from pos_app.domain.errors import BadInput, NotFound
from pos_app.domain.kinds import ReceiptKind, TenderMethod, WalletEntryKind
from pos_app.domain.money import Currency
from pos_app.domain.text import refuse_controls
from pos_app.receipts.model import Receipt, ReceiptLine, ReceiptTender, parse_qr_payload
from pos_app.services import sessions

MAX_REASON_LENGTH = 200


@dataclass(frozen=True)
class Verification:
    """Whether a scanned or typed receipt code matches the audit trail, and why not."""

    genuine: bool
    receipt_no: str | None
    reason: str

    def to_json(self) -> dict:
        return {"genuine": self.genuine, "receipt_no": self.receipt_no, "reason": self.reason}


def get_receipt(uow: UnitOfWork, *, actor: Actor, workstation: str, receipt_no: str,
                reprint_reason: str | None = None) -> Receipt:
    """The receipt as issued; with a reason it is a reprint, counted and audited (COPY n)."""
    receipt_no = receipt_no.strip().upper()
    reason = _check_reason(reprint_reason)
    with uow:
        actor = sessions.authorize(uow, actor, Role.CASHIER, "see receipts")
        receipt = _load(uow, receipt_no)
        if reason is None:
            return receipt
        copy = uow.execute(
            update(t.receipts).where(t.receipts.c.receipt_no == receipt_no)
            .values(reprints=t.receipts.c.reprints + 1).returning(t.receipts.c.reprints)
        ).scalar_one()
        ledger.record(uow, workstation, actor=actor, action="receipt.reprint",
                      receipt_no=receipt_no, details={"reason": reason, "copy": copy})
        uow.commit()
    return replace(receipt, copy_number=copy)


def verify_receipt(uow: UnitOfWork, *, actor: Actor, payload: str) -> Verification:
    """Genuine only if the receipt exists, carries this hash, and its audit event is intact."""
    parsed = parse_qr_payload(payload)
    if parsed is None:
        return Verification(False, None, "This is not a CareTill receipt code.")
    receipt_no, digest = parsed
    with uow:
        actor = sessions.authorize(uow, actor, Role.CASHIER, "verify receipts")
        stored = uow.execute(select(t.receipts.c.audit_hash)
                             .where(t.receipts.c.receipt_no == receipt_no)).scalar_one_or_none()
        if stored is None:
            return Verification(False, receipt_no, f"No receipt {receipt_no} was issued.")
        if stored != digest:
            return Verification(False, receipt_no,
                                f"The code does not match receipt {receipt_no}.")
        event = uow.execute(select(t.audit_events).where(
            t.audit_events.c.hash == digest, t.audit_events.c.receipt_no == receipt_no)).first()
    if event is None or ledger.event_hash(
            prev_hash=event.prev_hash, workstation=event.workstation, seq=event.seq,
            at=event.at, actor_id=event.actor_id, action=event.action,
            receipt_no=event.receipt_no, details=event.details) != digest:
        return Verification(False, receipt_no,
                            f"The audit trail does not confirm receipt {receipt_no}.")
    return Verification(True, receipt_no, f"Receipt {receipt_no} is genuine.")


def _check_reason(reason: str | None) -> str | None:
    if reason is None:
        return None
    reason = refuse_controls(" ".join(reason.split()), what="reprint reason")
    if not reason:
        raise BadInput("A reprint needs a reason.", code="missing_reason")
    if len(reason) > MAX_REASON_LENGTH:
        raise BadInput(f"A reprint reason has at most {MAX_REASON_LENGTH} characters.",
                       code="invalid_reason")
    return reason


def _load(uow: UnitOfWork, receipt_no: str) -> Receipt:
    facility = uow.facility()
    row = uow.execute(
        select(t.receipts, t.patients.c.name.label("patient_name"), t.patients.c.mrn)
        .outerjoin(t.patients, t.patients.c.id == t.receipts.c.patient_id)
        .where(t.receipts.c.receipt_no == receipt_no)
    ).first()
    if row is None or row.kind not in LOADERS:
        raise NotFound(f"No receipt {receipt_no} was issued.", code="unknown_receipt")
    base = Receipt(
        facility_name=facility.name, kind=row.kind, receipt_no=row.receipt_no,
        at=row.created_at, workstation=row.workstation,
        cashier=_names(uow, row.cashier_id)[row.cashier_id], patient_name=row.patient_name or "",
        mrn=row.mrn or "", lines=(), total=facility.currency.from_minor(0), tenders=(),
        change=facility.currency.from_minor(0), wallet_balance_after=None,
        currency=facility.currency, audit_hash=row.audit_hash,
    )
    return LOADERS[row.kind](uow, base, facility.currency)


def _names(uow: UnitOfWork, *user_ids: int) -> dict[int, str]:
    """Users as printed on receipts: full name, else user name."""
    rows = uow.execute(select(t.users.c.id, t.users.c.username, t.users.c.full_name)
                       .where(t.users.c.id.in_(set(user_ids)))).all()
    return {row.id: row.full_name or row.username for row in rows}


def _items(uow: UnitOfWork, currency: Currency, *, payment_id: int | None = None,
           reversal_id: int | None = None) -> tuple[ReceiptLine, ...]:
    """What a payment paid for, or what one reversal of it gave back."""
    money = currency.from_minor
    lines = t.payment_items if reversal_id is None else t.reversal_items
    owner = (t.payment_items.c.payment_id == payment_id if reversal_id is None
             else t.reversal_items.c.reversal_id == reversal_id)
    items = uow.execute(
        select(t.services.c.name, t.bill_items.c.quantity, t.bill_items.c.unit_price_minor,
               lines.c.amount_minor)
        .join(t.bill_items, t.bill_items.c.id == lines.c.bill_item_id)
        .join(t.services, t.services.c.id == t.bill_items.c.service_id)
        .where(owner)
        .order_by(t.bill_items.c.id)
    ).all()
    return tuple(ReceiptLine(i.name, i.quantity, money(i.unit_price_minor),
                             money(i.amount_minor)) for i in items)


def _payment(uow: UnitOfWork, base: Receipt, currency: Currency) -> Receipt:
    money = currency.from_minor
    payment = uow.execute(select(t.payments)
                          .where(t.payments.c.receipt_no == base.receipt_no)).one()
    tenders = uow.execute(select(t.tenders).where(t.tenders.c.payment_id == payment.id)
                          .order_by(t.tenders.c.id)).all()
    refunds = uow.execute(select(t.reversals.c.receipt_no)
                          .where(t.reversals.c.payment_id == payment.id)
                          .order_by(t.reversals.c.id)).scalars().all()
    return replace(
        base,
        lines=_items(uow, currency, payment_id=payment.id),
        total=money(payment.amount_minor),
        tenders=tuple(ReceiptTender(
            x.method, money(x.amount_minor), x.reference,
            None if x.cash_tendered_minor is None else money(x.cash_tendered_minor),
            money(x.change_minor)) for x in tenders),
        change=money(payment.change_minor),
        wallet_balance_after=(None if payment.wallet_balance_after_minor is None
                              else money(payment.wallet_balance_after_minor)),
        reversed_by=", ".join(refunds) or None,
        partly_refunded=bool(refunds) and payment.status != "reversed",
    )


def _deposit(uow: UnitOfWork, base: Receipt, currency: Currency) -> Receipt:
    money = currency.from_minor
    row = uow.execute(
        select(t.deposits.c.method, t.deposits.c.amount_minor, t.deposits.c.reference)
        .where(t.deposits.c.receipt_no == base.receipt_no)
    ).one()
    amount = money(row.amount_minor)
    return replace(
        base, lines=(ReceiptLine("Wallet top-up", 1, amount, amount),), total=amount,
        tenders=(ReceiptTender(row.method, amount, row.reference),),
        wallet_balance_after=_balance_after(uow, base, WalletEntryKind.DEPOSIT, currency),
    )


def _refund(uow: UnitOfWork, base: Receipt, currency: Currency) -> Receipt:
    """What a reversal paid back, per method, and who took, asked for and approved it."""
    money = currency.from_minor
    reversal = uow.execute(
        select(t.reversals, t.payments.c.receipt_no.label("payment_receipt_no"))
        .join(t.payments, t.payments.c.id == t.reversals.c.payment_id)
        .where(t.reversals.c.receipt_no == base.receipt_no)).one()
    payouts = uow.execute(select(t.refund_payouts)
                          .where(t.refund_payouts.c.reversal_id == reversal.id)
                          .order_by(t.refund_payouts.c.id)).all()
    names = _names(uow, reversal.cashier_id, reversal.requested_by, reversal.approved_by)
    asked_apart = reversal.requested_by not in (reversal.cashier_id, reversal.approved_by)
    return replace(
        base, lines=_items(uow, currency, reversal_id=reversal.id),
        total=money(reversal.amount_minor),
        tenders=tuple(ReceiptTender(p.method, money(p.amount_minor), p.reference)
                      for p in payouts),
        wallet_balance_after=_balance_after(uow, base, WalletEntryKind.REFUND, currency),
        cashier=names[reversal.cashier_id],
        requested_by=names[reversal.requested_by] if asked_apart else None,
        approved_by=names[reversal.approved_by], reason=reversal.reason,
        reverses_receipt_no=reversal.payment_receipt_no,
    )


def _withdrawal(uow: UnitOfWork, base: Receipt, currency: Currency) -> Receipt:
    """The cash paid out of a wallet, by whom and approved by whom."""
    row = uow.execute(select(t.withdrawals)
                      .where(t.withdrawals.c.receipt_no == base.receipt_no)).one()
    amount = currency.from_minor(row.amount_minor)
    names = _names(uow, row.cashier_id, row.approved_by)
    return replace(
        base, lines=(ReceiptLine("Wallet withdrawal", 1, amount, amount),), total=amount,
        tenders=(ReceiptTender(TenderMethod.CASH.value, amount),),
        wallet_balance_after=_balance_after(uow, base, WalletEntryKind.WITHDRAWAL, currency),
        cashier=names[row.cashier_id], approved_by=names[row.approved_by], reason=row.reason,
    )


def _balance_after(uow: UnitOfWork, base: Receipt, kind: WalletEntryKind,
                   currency: Currency) -> Decimal:
    """The wallet balance right after this receipt, from its wallet ledger entry.

    A refund with no wallet payout has no entry: its balance is the one its audit
    event recorded when it was issued.
    """
    minor = uow.execute(select(t.wallet_entries.c.balance_after_minor).where(
        t.wallet_entries.c.receipt_no == base.receipt_no,
        t.wallet_entries.c.kind == kind.value)).scalar_one_or_none()
    if minor is not None:
        return currency.from_minor(minor)
    details = uow.execute(select(t.audit_events.c.details).where(
        t.audit_events.c.hash == base.audit_hash,
        t.audit_events.c.receipt_no == base.receipt_no)).scalar_one()
    return currency.parse(json.loads(details)["wallet_balance_after"], what="balance",
                          allow_zero=True)


LOADERS: dict[str, Callable[[UnitOfWork, Receipt, Currency], Receipt]] = {
    ReceiptKind.PAYMENT.value: _payment, ReceiptKind.DEPOSIT.value: _deposit,
    ReceiptKind.REFUND.value: _refund, ReceiptKind.WITHDRAWAL.value: _withdrawal,
}

