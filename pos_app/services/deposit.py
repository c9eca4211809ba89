"""Wallet top-up at the till: its own receipt, ledger entry and audit event, exactly once."""

from __future__ import annotations

from dataclasses import dataclass, replace
from decimal import Decimal

from sqlalchemy import insert, update

from pos_app.adapters import idempotency, ledger
from pos_app.adapters import tables as t
from pos_app.adapters.uow import UnitOfWork
from pos_app.domain.actors import Actor, Role
from pos_app.domain.kinds import DEPOSIT_METHODS, ReceiptKind, TenderMethod, WalletEntryKind
from pos_app.services import locks, sessions, shifts
from pos_app.services.results import JsonResult
from pos_app.services.tenders import (
    TenderRequest,
    check_references_unused,
    parse_tender,
    record_references,
)


@dataclass(frozen=True)
class DepositResult(JsonResult):
    receipt_no: str
    mrn: str
    patient_name: str
    amount: Decimal
    method: str
    reference: str | None
    wallet_balance_after: Decimal
    idempotency_key: str
    audit_hash: str
    at: str
    workstation: str
    cashier: str
    currency: str
    replayed: bool = False


def deposit(
    uow: UnitOfWork, *, actor: Actor, workstation: str, mrn: str, amount: str | Decimal,
    method: str, key: str, reference: str | None = None,
) -> DepositResult:
    """Top up the patient's wallet by `amount` taken in cash, card or mobile money."""
    idempotency.check_key(key)
    with uow:
        actor = sessions.authorize(uow, actor, Role.CASHIER, "take deposits")
        facility = uow.facility()
        currency = facility.currency
        tender = parse_tender(currency, TenderRequest(method, amount, reference), DEPOSIT_METHODS)
        request = {"mrn": mrn, "tender": tender.fingerprint()}
        stored = idempotency.claim(uow, key, "deposit", request)
        if stored is not None:
            return DepositResult.from_json(stored, replayed=True)
        wallet = locks.lock_wallet(uow, mrn)
        check_references_unused(uow, [tender])
        slot = ledger.take_slot(uow, workstation, with_receipt=True)
        shift_id = shifts.shift_for_money(
            uow, actor=actor, workstation=workstation, required=facility.require_shift,
            takes_cash=tender.method is TenderMethod.CASH)
        balance_after = wallet.balance_minor + tender.amount_minor
        result = DepositResult(
            receipt_no=slot.receipt_no, mrn=wallet.mrn, patient_name=wallet.name,
            amount=currency.from_minor(tender.amount_minor), method=tender.method.value,
            reference=tender.reference, wallet_balance_after=currency.from_minor(balance_after),
            idempotency_key=key, audit_hash="", at=slot.at.isoformat(),
            workstation=workstation, cashier=actor.username, currency=currency.code,
        )
        details = {k: v for k, v in result.to_json().items() if k not in ("audit_hash",
                                                                            "replayed")}
        audit_hash = ledger.issue_receipt(uow, slot, kind=ReceiptKind.DEPOSIT.value,
                                          patient_id=wallet.patient_id, actor=actor,
                                          action="deposit", details=details)
        result = replace(result, audit_hash=audit_hash)
        uow.execute(update(t.wallets).where(t.wallets.c.id == wallet.wallet_id)
                    .values(balance_minor=t.wallets.c.balance_minor + tender.amount_minor))
        uow.execute(insert(t.wallet_entries).values(
            wallet_id=wallet.wallet_id, kind=WalletEntryKind.DEPOSIT.value,
            amount_minor=tender.amount_minor, balance_after_minor=balance_after,
            receipt_no=slot.receipt_no, created_at=slot.at))
        uow.execute(insert(t.deposits).values(
            receipt_no=slot.receipt_no, patient_id=wallet.patient_id,
            wallet_id=wallet.wallet_id, method=tender.method.value,
            amount_minor=tender.amount_minor, reference=tender.reference,
            cashier_id=actor.user_id, workstation=workstation, idempotency_key=key,
            created_at=slot.at, shift_id=shift_id))
        record_references(uow, [tender], slot.receipt_no)
        idempotency.store(uow, key, result.to_json())
        uow.commit()
    return result
