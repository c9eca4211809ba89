"""Receipts from the database: show, reprint (counted and audited) and verify a QR payload.

Every kind is built here: payments (marked REVERSED once refunded), deposits,
refunds, wallet withdrawals and account settlements.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import datetime
from decimal import Decimal

from sqlalchemy import select

from pos_app.adapters import (
    adjustments_repo,
    ledger,
    payers_repo,
    receipt_queries,
    users_repo,
)
from pos_app.adapters import tables as t
from pos_app.adapters.uow import UnitOfWork
from pos_app.domain.actors import Actor, Role
from pos_app.domain.errors import BadInput, NotFound
from pos_app.domain.kinds import PaymentStatus, ReceiptKind, TenderMethod, WalletEntryKind
from pos_app.domain.money import Currency
from pos_app.domain.text import refuse_controls
from pos_app.receipts.model import (
    Receipt,
    ReceiptAdjustment,
    ReceiptLine,
    ReceiptTender,
    parse_qr_payload,
)
from pos_app.services import replay_chains, sessions

MAX_REASON_LENGTH = 200


@dataclass(frozen=True)
class Verification:
    """Whether a scanned or typed receipt code matches the audit trail, and why not."""

    genuine: bool
    receipt_no: str | None
    reason: str

    def to_json(self) -> dict:
        return {"genuine": self.genuine, "receipt_no": self.receipt_no, "reason": self.reason}


def get_receipt(
    uow: UnitOfWork,
    *,
    actor: Actor,
    workstation: str,
    receipt_no: str,
    reprint_reason: str | None = None,
) -> Receipt:
    """The receipt as issued; with a reason it is a reprint, counted and audited (COPY n)."""
    receipt_no = receipt_no.strip().upper()
    reason = _check_reason(reprint_reason)
    with uow:
        actor = sessions.authorize(uow, actor, Role.CASHIER, "see receipts")
        receipt = _load(uow, receipt_no)
        if reason is None:
            return receipt
        copy = receipt_queries.count_reprint(uow, receipt_no)
        ledger.record(
            uow,
            workstation,
            actor=actor,
            action="receipt.reprint",
            receipt_no=receipt_no,
            details={"reason": reason, "copy": copy},
        )
        uow.commit()
    return replace(receipt, copy_number=copy)


def verify_receipt(uow: UnitOfWork, *, actor: Actor, payload: str) -> Verification:
    """Genuine only if the receipt exists, carries this hash, and its audit event is intact
    and signed by its workstation's enrolled key."""
    parsed = parse_qr_payload(payload)
    if parsed is None:
        return Verification(False, None, "This is not a CareTill receipt code.")
    receipt_no, digest = parsed
    with uow:
        actor = sessions.authorize(uow, actor, Role.CASHIER, "verify receipts")
        stored = uow.execute(
            select(t.receipts.c.audit_hash).where(t.receipts.c.receipt_no == receipt_no)
        ).scalar_one_or_none()
        if stored is None:
            return Verification(False, receipt_no, f"No receipt {receipt_no} was issued.")
        if stored != digest:
            return Verification(False, receipt_no, f"The code does not match receipt {receipt_no}.")
        event = uow.execute(
            select(t.audit_events).where(
                t.audit_events.c.hash == digest, t.audit_events.c.receipt_no == receipt_no
            )
        ).first()
        signed = event is not None and replay_chains.signed_by_workstation(uow, event)
    if (
        event is None
        or not signed
        or ledger.event_hash(
            prev_hash=event.prev_hash,
            workstation=event.workstation,
            seq=event.seq,
            at=event.at,
            actor_id=event.actor_id,
            action=event.action,
            receipt_no=event.receipt_no,
            details=event.details,
        )
        != digest
    ):
        return Verification(
            False, receipt_no, f"The audit trail does not confirm receipt {receipt_no}."
        )
    return Verification(True, receipt_no, f"Receipt {receipt_no} is genuine.")


def _check_reason(reason: str | None) -> str | None:
    if reason is None:
        return None
    reason = refuse_controls(" ".join(reason.split()), what="reprint reason")
    if not reason:
        raise BadInput("A reprint needs a reason.", code="missing_reason")
    if len(reason) > MAX_REASON_LENGTH:
        raise BadInput(
            f"A reprint reason has at most {MAX_REASON_LENGTH} characters.", code="invalid_reason"
        )
    return reason


def _load(uow: UnitOfWork, receipt_no: str) -> Receipt:
    facility = uow.facility()
    row = receipt_queries.head(uow, receipt_no)
    if row is None or row.kind not in LOADERS:
        raise NotFound(f"No receipt {receipt_no} was issued.", code="unknown_receipt")
    base = Receipt(
        facility_name=facility.name,
        kind=row.kind,
        receipt_no=row.receipt_no,
        at=row.created_at,
        workstation=row.workstation,
        cashier=_names(uow, row.cashier_id)[row.cashier_id],
        patient_name=row.patient_name or "",
        mrn=row.mrn or "",
        lines=(),
        total=facility.currency.from_minor(0),
        tenders=(),
        change=facility.currency.from_minor(0),
        wallet_balance_after=None,
        currency=facility.currency,
        audit_hash=row.audit_hash,
    )
    return LOADERS[row.kind](uow, base, facility.currency)


def _names(uow: UnitOfWork, *user_ids: int) -> dict[int, str]:
    """Users as printed on receipts: full name, else user name."""
    return users_repo.display_names(uow, set(user_ids))


def _refunded_items(
    uow: UnitOfWork, currency: Currency, reversal_id: int
) -> tuple[ReceiptLine, ...]:
    """What one reversal of a payment gave back (what was paid for each item)."""
    money = currency.from_minor
    items = receipt_queries.lines(uow, reversal_id=reversal_id)
    return tuple(
        ReceiptLine(i.name, i.quantity, money(i.unit_price_minor), money(i.amount_minor))
        for i in items
    )


def _paid_items(
    uow: UnitOfWork, currency: Currency, payment_id: int, paid_at: datetime
) -> tuple[ReceiptLine, ...]:
    """What a payment paid for: each item's gross and the adjustments that made its due."""
    money = currency.from_minor
    items = receipt_queries.lines(uow, payment_id=payment_id)
    found: dict[int, list[ReceiptAdjustment]] = {}
    for line in adjustments_repo.lines_until(uow, [i.bill_item_id for i in items], paid_at):
        found.setdefault(line.bill_item_id, []).append(
            ReceiptAdjustment(line.kind, line.reason_code, money(line.amount_minor))
        )
    return tuple(
        ReceiptLine(
            i.name,
            i.quantity,
            money(i.unit_price_minor),
            money(i.gross_minor),
            tuple(found.get(i.bill_item_id, ())),
        )
        for i in items
    )


def _payment(uow: UnitOfWork, base: Receipt, currency: Currency) -> Receipt:
    money = currency.from_minor
    payment = receipt_queries.payment(uow, base.receipt_no)
    tenders = receipt_queries.tenders(uow, payment.id)
    refunds = receipt_queries.refund_receipt_nos(uow, payment.id)
    shares = payers_repo.shares_of_payment(uow, payment.id)
    return replace(
        base,
        payer_name=shares[0].payer_name if shares else None,
        member_no=shares[0].member_no if shares else None,
        payer_share=money(sum(s.amount_minor for s in shares)) if shares else None,
        lines=_paid_items(uow, currency, payment.id, base.at),
        total=money(payment.amount_minor),
        tenders=tuple(
            ReceiptTender(
                x.method,
                money(x.amount_minor),
                x.reference,
                None if x.cash_tendered_minor is None else money(x.cash_tendered_minor),
                money(x.change_minor),
            )
            for x in tenders
        ),
        change=money(payment.change_minor),
        wallet_balance_after=(
            None
            if payment.wallet_balance_after_minor is None
            else money(payment.wallet_balance_after_minor)
        ),
        reversed_by=", ".join(refunds) or None,
        partly_refunded=bool(refunds) and payment.status != PaymentStatus.REVERSED,
    )


def _deposit(uow: UnitOfWork, base: Receipt, currency: Currency) -> Receipt:
    money = currency.from_minor
    row = receipt_queries.deposit(uow, base.receipt_no)
    amount = money(row.amount_minor)
    return replace(
        base,
        lines=(ReceiptLine("Wallet top-up", 1, amount, amount),),
        total=amount,
        tenders=(ReceiptTender(row.method, amount, row.reference),),
        wallet_balance_after=_balance_after(uow, base, WalletEntryKind.DEPOSIT, currency),
    )


def _refund(uow: UnitOfWork, base: Receipt, currency: Currency) -> Receipt:
    """What a reversal paid back, per method, and who took, asked for and approved it."""
    money = currency.from_minor
    reversal = receipt_queries.reversal(uow, base.receipt_no)
    payouts = receipt_queries.payouts(uow, reversal.id)
    names = _names(uow, reversal.cashier_id, reversal.requested_by, reversal.approved_by)
    asked_apart = reversal.requested_by not in (reversal.cashier_id, reversal.approved_by)
    return replace(
        base,
        lines=_refunded_items(uow, currency, reversal.id),
        total=money(reversal.amount_minor),
        tenders=tuple(ReceiptTender(p.method, money(p.amount_minor), p.reference) for p in payouts),
        wallet_balance_after=_balance_after(uow, base, WalletEntryKind.REFUND, currency),
        cashier=names[reversal.cashier_id],
        requested_by=names[reversal.requested_by] if asked_apart else None,
        approved_by=names[reversal.approved_by],
        reason=reversal.reason,
        reverses_receipt_no=reversal.payment_receipt_no,
    )


def _withdrawal(uow: UnitOfWork, base: Receipt, currency: Currency) -> Receipt:
    """The cash paid out of a wallet, by whom and approved by whom."""
    row = receipt_queries.withdrawal(uow, base.receipt_no)
    amount = currency.from_minor(row.amount_minor)
    names = _names(uow, row.cashier_id, row.approved_by)
    return replace(
        base,
        lines=(ReceiptLine("Wallet withdrawal", 1, amount, amount),),
        total=amount,
        tenders=(ReceiptTender(TenderMethod.CASH.value, amount),),
        wallet_balance_after=_balance_after(uow, base, WalletEntryKind.WITHDRAWAL, currency),
        cashier=names[row.cashier_id],
        approved_by=names[row.approved_by],
        reason=row.reason,
    )


def _settlement(uow: UnitOfWork, base: Receipt, currency: Currency) -> Receipt:
    """Money received against an account: whose, how, and which charges it paid."""
    money = currency.from_minor
    row = receipt_queries.settlement(uow, base.receipt_no)
    account = (
        f"{row.payer_name} (payer {row.payer_code})"
        if row.payer_code is not None
        else f"{base.patient_name} (patient {base.mrn})"
    )
    lines = tuple(
        ReceiptLine(
            f"Against {a.receipt_no or 'opening charge'}",
            1,
            money(a.amount_minor),
            money(a.amount_minor),
        )
        for a in receipt_queries.allocations(uow, base.receipt_no)
    )
    return replace(
        base,
        account=account,
        lines=lines,
        total=money(row.amount_minor),
        tenders=(ReceiptTender(row.method, money(row.amount_minor), row.reference),),
        account_balance_after=money(row.balance_after_minor),
    )


def _balance_after(
    uow: UnitOfWork, base: Receipt, kind: WalletEntryKind, currency: Currency
) -> Decimal:
    """The wallet balance right after this receipt, from its wallet ledger entry.

    A refund with no wallet payout has no entry: its balance is the one its audit
    event recorded when it was issued.
    """
    minor = receipt_queries.wallet_balance_after(uow, base.receipt_no, kind.value)
    if minor is not None:
        return currency.from_minor(minor)
    details = receipt_queries.event_details(uow, base.receipt_no, base.audit_hash)
    return currency.parse(
        json.loads(details)["wallet_balance_after"], what="balance", allow_zero=True
    )


LOADERS: dict[str, Callable[[UnitOfWork, Receipt, Currency], Receipt]] = {
    ReceiptKind.PAYMENT.value: _payment,
    ReceiptKind.DEPOSIT.value: _deposit,
    ReceiptKind.REFUND.value: _refund,
    ReceiptKind.WITHDRAWAL.value: _withdrawal,
    ReceiptKind.SETTLEMENT.value: _settlement,
}
