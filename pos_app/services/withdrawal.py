"""Wallet withdrawal: cash back of a wallet balance, approved by a supervisor, exactly once.

The wallet is debited with a `withdrawal` ledger entry, the cash is money paid out
of the till (it lowers the paying cashier's expected cash), and the withdrawal has
its own receipt and audit event naming cashier and approver.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from decimal import Decimal

from pos_app.adapters import idempotency
from pos_app.adapters.ledger import Slot
from pos_app.adapters.uow import UnitOfWork
from pos_app.adapters.wallets import LockedWallet
from pos_app.domain import effects as fx
from pos_app.domain import rules
from pos_app.domain.actors import Actor, Role
from pos_app.domain.approvals import Kind
from pos_app.domain.facility import Facility
from pos_app.domain.kinds import ReceiptKind, WalletEntryKind
from pos_app.services import approvals, kernel, sessions
from pos_app.services.approvals import ApprovalRequest
from pos_app.services.locks import Locks
from pos_app.services.results import JsonResult


@dataclass(frozen=True)
class WithdrawalResult(JsonResult):
    receipt_no: str
    mrn: str
    patient_name: str
    amount: Decimal
    wallet_balance_after: Decimal
    reason: str
    cashier: str
    approved_by: str
    idempotency_key: str
    audit_hash: str
    at: str
    workstation: str
    currency: str
    replayed: bool = False


def withdraw(
    uow: UnitOfWork,
    *,
    actor: Actor,
    workstation: str,
    mrn: str,
    amount: str | Decimal,
    reason: str,
    key: str,
    cashier: Actor | None = None,
) -> WithdrawalResult:
    """Pay `amount` of the patient's wallet out in cash, approved by `actor` (a supervisor).

    `cashier` is who hands the cash over, from their open shift; by default the approver,
    who then acts alone as a supervisor may. A cashier's cash-out signed off by `actor` on
    the spot is a withdrawal request decided at once (`approvals.decide_at_once`).
    """
    idempotency.check_key(key)
    reason = rules.require_reason(reason)
    with uow:
        if cashier is not None and cashier.user_id != actor.user_id:
            payer = sessions.authorize(uow, cashier, Role.CASHIER, "pay out")
            minor = _minor(uow, amount)
            decided, executed = approvals.decide_at_once(
                uow,
                requester=payer,
                approver=actor,
                workstation=workstation,
                kind=Kind.WITHDRAWAL,
                subject=mrn,
                amount_minor=minor,
                reason=reason,
                payload={"mrn": mrn},
                key=key,
            )
            if isinstance(executed, WithdrawalResult):
                return executed
            return WithdrawalResult.from_json(decided.result or {}, replayed=True)
        actor = sessions.authorize(uow, actor, Role.SUPERVISOR, "approve wallet withdrawals")
        return kernel.run(
            uow,
            _Withdraw(
                actor, actor, workstation, uow.facility(), mrn, _minor(uow, amount), reason, key
            ),
        )


def request_withdrawal(
    uow: UnitOfWork,
    *,
    actor: Actor,
    workstation: str,
    mrn: str,
    amount: str | Decimal,
    reason: str,
    key: str,
) -> ApprovalRequest:
    """A cashier asks for a wallet cash-out; it is paid at their till once approved."""
    return approvals.request(
        uow,
        actor=actor,
        workstation=workstation,
        kind=Kind.WITHDRAWAL.value,
        subject=mrn,
        amount=amount,
        reason=reason,
        payload={"mrn": mrn},
        key=key,
    )


def execute(uow: UnitOfWork, request: ApprovalRequest, approver: Actor) -> WithdrawalResult:
    """The approved withdrawal, handed over by the cashier who asked, at their till."""
    facility = uow.facility()
    return kernel.execute(
        uow,
        _Withdraw(
            approver,
            request.requester,
            request.workstation,
            facility,
            request.payload["mrn"],
            facility.currency.to_minor(request.amount),
            request.reason,
            request.execution_key,
        ),
    )


def _minor(uow: UnitOfWork, amount: str | Decimal) -> int:
    currency = uow.facility().currency
    return currency.to_minor(currency.parse(amount, what="withdrawal"))


@dataclass(frozen=True)
class _Locked:
    wallet: LockedWallet
    shift_id: int | None


@dataclass(frozen=True)
class _Withdraw:
    actor: Actor
    payer: Actor
    workstation: str
    facility: Facility
    mrn: str
    amount_minor: int
    reason: str
    key: str
    name: str = "withdraw"

    def request(self) -> dict:
        return {"mrn": self.mrn, "amount": self.amount_minor, "reason": self.reason}

    def replay(self, stored: dict) -> WithdrawalResult:
        return WithdrawalResult.from_json(stored, replayed=True)

    def lock(self, locks: Locks) -> _Locked:
        wallet = locks.wallet(self.mrn)
        rules.require_wallet_cover(
            self.facility.currency,
            balance_minor=wallet.balance_minor,
            amount_minor=self.amount_minor,
            withdrawal=True,
        )
        locks.counter(self.workstation, with_receipt=True)
        shift_id = locks.open_shift_id(cashier_id=self.payer.user_id, workstation=self.workstation)
        rules.require_shift_for_cash(
            shift_id,
            moves_cash=True,
            required=self.facility.require_shift,
            message=f"{self.payer.username} has no open shift at {self.workstation}: open "
            "one before taking cash.",
        )
        return _Locked(wallet, shift_id)

    def decide(self, state: _Locked, slot: Slot) -> kernel.Decision[WithdrawalResult]:
        wallet, currency, minor = state.wallet, self.facility.currency, self.amount_minor
        balance_after = wallet.balance_minor - minor
        result = WithdrawalResult(
            receipt_no=slot.receipt_no,
            mrn=wallet.mrn,
            patient_name=wallet.name,
            amount=currency.from_minor(minor),
            wallet_balance_after=currency.from_minor(balance_after),
            reason=self.reason,
            cashier=self.payer.username,
            approved_by=self.actor.username,
            idempotency_key=self.key,
            audit_hash="",
            at=slot.at.isoformat(),
            workstation=self.workstation,
            currency=currency.code,
        )
        effects = (
            fx.ReceiptIssued(
                slot.receipt_no,
                slot.workstation,
                slot.receipt_seq,
                ReceiptKind.WITHDRAWAL.value,
                wallet.patient_id,
                self.actor.user_id,
            ),
            fx.WalletEntry(
                wallet.wallet_id,
                WalletEntryKind.WITHDRAWAL.value,
                -minor,
                balance_after,
                slot.receipt_no,
            ),
            fx.WithdrawalRecorded(
                slot.receipt_no,
                wallet.patient_id,
                wallet.wallet_id,
                minor,
                self.reason,
                self.payer.user_id,
                self.actor.user_id,
                self.workstation,
                state.shift_id,
                self.key,
            ),
        )
        return kernel.Decision(
            self.actor,
            "wallet.withdraw",
            slot.receipt_no,
            kernel.plain_details(result.to_json()),
            effects,
            lambda digest: replace(result, audit_hash=digest),
        )
