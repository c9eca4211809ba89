"""Wallet top-up at the till: its own receipt, ledger entry and audit event, exactly once."""

from __future__ import annotations

from dataclasses import dataclass, replace
from decimal import Decimal

from pos_app.adapters import idempotency
from pos_app.adapters.ledger import Slot
from pos_app.adapters.uow import UnitOfWork
from pos_app.adapters.wallets import LockedWallet
from pos_app.domain import effects as fx
from pos_app.domain.actors import Actor, Role
from pos_app.domain.facility import Facility
from pos_app.domain.kinds import DEPOSIT_METHODS, ReceiptKind, TenderMethod, WalletEntryKind
from pos_app.domain.rules import require_shift_for_cash
from pos_app.services import kernel, sessions
from pos_app.services.locks import Locks
from pos_app.services.results import JsonResult
from pos_app.services.tenders import (
    Tender,
    TenderRequest,
    check_references_unused,
    parse_tender,
    references_claimed,
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
    uow: UnitOfWork,
    *,
    actor: Actor,
    workstation: str,
    mrn: str,
    amount: str | Decimal,
    method: str,
    key: str,
    reference: str | None = None,
) -> DepositResult:
    """Top up the patient's wallet by `amount` taken in cash, card or mobile money."""
    idempotency.check_key(key)
    with uow:
        actor = sessions.authorize(uow, actor, Role.CASHIER, "take deposits")
        facility = uow.facility()
        tender = parse_tender(
            facility.currency, TenderRequest(method, amount, reference), DEPOSIT_METHODS
        )
        return kernel.run(uow, _Deposit(actor, workstation, facility, mrn, tender, key))


@dataclass(frozen=True)
class _Locked:
    wallet: LockedWallet
    shift_id: int | None


@dataclass(frozen=True)
class _Deposit:
    actor: Actor
    workstation: str
    facility: Facility
    mrn: str
    tender: Tender
    key: str
    name: str = "deposit"

    def request(self) -> dict:
        return {"mrn": self.mrn, "tender": self.tender.fingerprint()}

    def replay(self, stored: dict) -> DepositResult:
        return DepositResult.from_json(stored, replayed=True)

    def lock(self, locks: Locks) -> _Locked:
        wallet = locks.wallet(self.mrn)
        check_references_unused(locks.uow, [self.tender])
        locks.counter(self.workstation, with_receipt=True)
        shift_id = locks.open_shift_id(cashier_id=self.actor.user_id, workstation=self.workstation)
        require_shift_for_cash(
            shift_id,
            moves_cash=self.tender.method is TenderMethod.CASH,
            required=self.facility.require_shift,
            message=f"{self.actor.username} has no open shift at {self.workstation}: open "
            "one before taking cash.",
        )
        return _Locked(wallet, shift_id)

    def decide(self, state: _Locked, slot: Slot) -> kernel.Decision[DepositResult]:
        wallet, tender, currency = state.wallet, self.tender, self.facility.currency
        balance_after = wallet.balance_minor + tender.amount_minor
        result = DepositResult(
            receipt_no=slot.receipt_no,
            mrn=wallet.mrn,
            patient_name=wallet.name,
            amount=currency.from_minor(tender.amount_minor),
            method=tender.method.value,
            reference=tender.reference,
            wallet_balance_after=currency.from_minor(balance_after),
            idempotency_key=self.key,
            audit_hash="",
            at=slot.at.isoformat(),
            workstation=self.workstation,
            cashier=self.actor.username,
            currency=currency.code,
        )
        effects = (
            fx.ReceiptIssued(
                slot.receipt_no,
                slot.workstation,
                slot.receipt_seq,
                ReceiptKind.DEPOSIT.value,
                wallet.patient_id,
                self.actor.user_id,
            ),
            fx.WalletEntry(
                wallet.wallet_id,
                WalletEntryKind.DEPOSIT.value,
                tender.amount_minor,
                balance_after,
                slot.receipt_no,
            ),
            fx.DepositRecorded(
                slot.receipt_no,
                wallet.patient_id,
                wallet.wallet_id,
                tender.method.value,
                tender.amount_minor,
                tender.reference,
                self.actor.user_id,
                self.workstation,
                self.key,
                state.shift_id,
            ),
            *references_claimed([tender], slot.receipt_no),
        )
        return kernel.Decision(
            self.actor,
            "deposit",
            slot.receipt_no,
            kernel.plain_details(result.to_json()),
            effects,
            lambda digest: replace(result, audit_hash=digest),
        )
