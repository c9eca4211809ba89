"""Receipts from the database: show, reprint (counted and audited) and verify a QR payload."""

from __future__ import annotations

from dataclasses import dataclass, replace

from sqlalchemy import select, update

from pos_app.adapters import ledger
from pos_app.adapters import tables as t
from pos_app.adapters.uow import UnitOfWork
from pos_app.domain.actors import Actor, Role
from pos_app.domain.errors import BadInput, NotFound
from pos_app.domain.kinds import ReceiptKind, WalletEntryKind
from pos_app.domain.money import Currency
from pos_app.receipts.model import Receipt, ReceiptLine, ReceiptTender, parse_qr_payload

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
    actor.require(Role.CASHIER, "see receipts")
    receipt_no = receipt_no.strip().upper()
    reason = _check_reason(reprint_reason)
    with uow:
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
    actor.require(Role.CASHIER, "verify receipts")
    parsed = parse_qr_payload(payload)
    if parsed is None:
        return Verification(False, None, "This is not a CareTill receipt code.")
    receipt_no, digest = parsed
    with uow:
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
    reason = " ".join(reason.split())
    if not reason:
        raise BadInput("A reprint needs a reason.", code="missing_reason")
    if len(reason) > MAX_REASON_LENGTH:
        raise BadInput(f"A reprint reason has at most {MAX_REASON_LENGTH} characters.",
                       code="invalid_reason")
    return reason


def _load(uow: UnitOfWork, receipt_no: str) -> Receipt:
    facility = uow.facility()
    row = uow.execute(
        select(t.receipts, t.patients.c.name.label("patient_name"), t.patients.c.mrn,
               t.users.c.username, t.users.c.full_name)
        .join(t.users, t.users.c.id == t.receipts.c.cashier_id)
        .outerjoin(t.patients, t.patients.c.id == t.receipts.c.patient_id)
        .where(t.receipts.c.receipt_no == receipt_no)
    ).first()
    kinds = (ReceiptKind.PAYMENT.value, ReceiptKind.DEPOSIT.value)
    if row is None or row.kind not in kinds:
        raise NotFound(f"No payment or deposit receipt {receipt_no}.", code="unknown_receipt")
    base = Receipt(
        facility_name=facility.name, kind=row.kind, receipt_no=row.receipt_no,
        at=row.created_at, workstation=row.workstation,
        cashier=row.full_name or row.username, patient_name=row.patient_name or "",
        mrn=row.mrn or "", lines=(), total=facility.currency.from_minor(0), tenders=(),
        change=facility.currency.from_minor(0), wallet_balance_after=None,
        currency=facility.currency, audit_hash=row.audit_hash,
    )
    if row.kind == ReceiptKind.PAYMENT.value:
        return _payment(uow, base, facility.currency)
    return _deposit(uow, base, facility.currency)


def _payment(uow: UnitOfWork, base: Receipt, currency: Currency) -> Receipt:
    money = currency.from_minor
    payment = uow.execute(select(t.payments)
                          .where(t.payments.c.receipt_no == base.receipt_no)).one()
    items = uow.execute(
        select(t.services.c.name, t.bill_items.c.quantity, t.bill_items.c.unit_price_minor,
               t.payment_items.c.amount_minor)
        .join(t.bill_items, t.bill_items.c.id == t.payment_items.c.bill_item_id)
        .join(t.services, t.services.c.id == t.bill_items.c.service_id)
        .where(t.payment_items.c.payment_id == payment.id)
        .order_by(t.bill_items.c.id)
    ).all()
    tenders = uow.execute(select(t.tenders).where(t.tenders.c.payment_id == payment.id)
                          .order_by(t.tenders.c.id)).all()
    return replace(
        base,
        lines=tuple(ReceiptLine(i.name, i.quantity, money(i.unit_price_minor),
                                money(i.amount_minor)) for i in items),
        total=money(payment.amount_minor),
        tenders=tuple(ReceiptTender(
            x.method, money(x.amount_minor), x.reference,
            None if x.cash_tendered_minor is None else money(x.cash_tendered_minor),
            money(x.change_minor)) for x in tenders),
        change=money(payment.change_minor),
        wallet_balance_after=(None if payment.wallet_balance_after_minor is None
                              else money(payment.wallet_balance_after_minor)),
    )


def _deposit(uow: UnitOfWork, base: Receipt, currency: Currency) -> Receipt:
    money = currency.from_minor
    row = uow.execute(
        select(t.deposits.c.method, t.deposits.c.amount_minor, t.deposits.c.reference,
               t.wallet_entries.c.balance_after_minor)
        .join(t.wallet_entries, (t.wallet_entries.c.receipt_no == t.deposits.c.receipt_no)
              & (t.wallet_entries.c.kind == WalletEntryKind.DEPOSIT.value))
        .where(t.deposits.c.receipt_no == base.receipt_no)
    ).one()
    amount = money(row.amount_minor)
    return replace(
        base, lines=(ReceiptLine("Wallet top-up", 1, amount, amount),), total=amount,
        tenders=(ReceiptTender(row.method, amount, row.reference),),
        wallet_balance_after=money(row.balance_after_minor),
    )

