"""Wallet withdrawal: cash back of a wallet balance, approved by a supervisor, exactly once.

The wallet is debited with a `withdrawal` ledger entry, the cash is money paid out
of the till (it lowers the paying cashier's expected cash), and the withdrawal has
its own receipt and audit event naming cashier and approver.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from decimal import Decimal

from sqlalchemy import insert, update

from pos_app.adapters import idempotency, ledger
from pos_app.adapters import tables as t
from pos_app.adapters.uow import UnitOfWork
from pos_app.domain.actors import Actor, Role
from pos_app.domain.errors import Refused
from pos_app.domain.kinds import ReceiptKind, WalletEntryKind
from pos_app.services import locks, sessions, shifts
from pos_app.services.results import JsonResult
from pos_app.services.reversal import check_reason


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
    uow: UnitOfWork, *, actor: Actor, workstation: str, mrn: str, amount: str | Decimal,
    reason: str, key: str, cashier: Actor | None = None,
) -> WithdrawalResult:
    """Pay `amount` of the patient's wallet out in cash, approved by `actor` (a supervisor).

    `cashier` is who hands the cash over, from their open shift; by default the approver.
    """
    idempotency.check_key(key)
    reason = check_reason(reason)
    with uow:
        actor = sessions.authorize(uow, actor, Role.SUPERVISOR, "approve wallet withdrawals")
        payer = sessions.authorize(uow, cashier, Role.CASHIER, "pay out") if cashier else actor
        facility = uow.facility()
        currency = facility.currency
        minor = currency.to_minor(currency.parse(amount, what="withdrawal"))
        stored = idempotency.claim(uow, key, "withdraw",
                                   {"mrn": mrn, "amount": minor, "reason": reason})
        if stored is not None:
            return WithdrawalResult.from_json(stored, replayed=True)
        wallet = locks.lock_wallet(uow, mrn)
        if minor > wallet.balance_minor:
            raise Refused(f"The wallet balance is {currency.display(wallet.balance_minor)}; "
                          f"{currency.display(minor)} cannot be withdrawn.",
                          code="insufficient_wallet_balance")
        slot = ledger.take_slot(uow, workstation, with_receipt=True)
        shift_id = shifts.shift_for_money(uow, actor=payer, workstation=workstation,
                                          takes_cash=True, required=facility.require_shift)
        balance_after = wallet.balance_minor - minor
        result = WithdrawalResult(
            receipt_no=slot.receipt_no, mrn=wallet.mrn, patient_name=wallet.name,
            amount=currency.from_minor(minor),
            wallet_balance_after=currency.from_minor(balance_after), reason=reason,
            cashier=payer.username, approved_by=actor.username, idempotency_key=key,
            audit_hash="", at=slot.at.isoformat(), workstation=workstation,
            currency=currency.code)
        details = {k: v for k, v in result.to_json().items()
                   if k not in ("audit_hash", "replayed")}
        audit_hash = ledger.issue_receipt(uow, slot, kind=ReceiptKind.WITHDRAWAL.value,
                                          patient_id=wallet.patient_id, actor=actor,
                                          action="wallet.withdraw", details=details)
        result = replace(result, audit_hash=audit_hash)
        uow.execute(update(t.wallets).where(t.wallets.c.id == wallet.wallet_id)
                    .values(balance_minor=t.wallets.c.balance_minor - minor))
        uow.execute(insert(t.wallet_entries).values(
            wallet_id=wallet.wallet_id, kind=WalletEntryKind.WITHDRAWAL.value,
            amount_minor=-minor, balance_after_minor=balance_after,
            receipt_no=slot.receipt_no, created_at=slot.at))
        uow.execute(insert(t.withdrawals).values(
            receipt_no=slot.receipt_no, patient_id=wallet.patient_id,
            wallet_id=wallet.wallet_id, amount_minor=minor, reason=reason,
            cashier_id=payer.user_id, approved_by=actor.user_id, workstation=workstation,
            shift_id=shift_id, idempotency_key=key, created_at=slot.at))
        idempotency.store(uow, key, result.to_json())
        uow.commit()
    return result
