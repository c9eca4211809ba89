"""The books a money command writes: each effect's named ledger operation, and the key,
counter and audit operations the kernel runs them between.

`OPERATIONS` is the one place an effect type meets the adapter that writes it; a new
kind of row adds an effect in `domain/effects.py` and its line here.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from pos_app.adapters import (
    account_queries,
    adjustments_repo,
    day_closes,
    deposits,
    idempotency,
    items,
    lab_results,
    ledger,
    payers_repo,
    payments,
    receipts_repo,
    receivables,
    references,
    reversals,
    shifts_repo,
    stock,
    wallets,
    withdrawals,
)
from pos_app.adapters.uow import UnitOfWork
from pos_app.domain import effects as fx
from pos_app.domain.actors import Actor


@dataclass(frozen=True)
class Stamp:
    """What every row of one command shares: its event's time and hash."""

    at: datetime
    audit_hash: str


Operation = Callable[[UnitOfWork, Any, Stamp], object]

OPERATIONS: dict[type[fx.Effect], Operation] = {
    fx.ReceiptIssued: lambda uow, e, s: receipts_repo.issue(uow, e, s.at, s.audit_hash),
    fx.WalletEntry: lambda uow, e, s: wallets.post(uow, e, s.at),
    fx.PaymentRecorded: lambda uow, e, s: payments.record(uow, e, s.at),
    fx.ReferencesClaimed: lambda uow, e, s: references.claim(uow, e),
    fx.ItemsSettled: lambda uow, e, s: items.settle(uow, e),
    fx.ItemsReopened: lambda uow, e, s: items.reopen(uow, e),
    fx.StockTaken: lambda uow, e, s: stock.take(uow, e.movements, s.at),
    fx.StockPutBack: lambda uow, e, s: stock.put_back(uow, e.movements, s.at),
    fx.DepositRecorded: lambda uow, e, s: deposits.record(uow, e, s.at),
    fx.WithdrawalRecorded: lambda uow, e, s: withdrawals.record(uow, e, s.at),
    fx.ReversalRecorded: lambda uow, e, s: reversals.record(uow, e, s.at),
    fx.PaymentReversed: lambda uow, e, s: payments.mark_reversed(uow, e),
    fx.LabResultsCancelled: lambda uow, e, s: lab_results.cancel(uow, e),
    fx.ShiftClosed: lambda uow, e, s: shifts_repo.close(uow, e, s.at),
    fx.DayClosed: lambda uow, e, s: day_closes.record(uow, e),
    fx.AdjustmentRecorded: lambda uow, e, s: adjustments_repo.record(uow, e, s.at),
    fx.ReceivableEntry: lambda uow, e, s: receivables.post_entry(uow, e, s.at),
    fx.SettlementAllocated: lambda uow, e, s: account_queries.allocate(uow, e),
    fx.SettlementRecorded: lambda uow, e, s: account_queries.record_settlement(uow, e, s.at),
    fx.PayerSharesRecorded: lambda uow, e, s: payers_repo.record_shares(
        uow, receipt_no=e.receipt_no, payer_id=e.payer_id, member_no=e.member_no, shares=e.shares
    ),
}


class SqlBooks:
    """The kernel's operations on the database (tests hand the kernel in-memory books)."""

    def claim(
        self, uow: UnitOfWork, key: str, command: str, request: dict[str, Any]
    ) -> dict | None:
        return idempotency.claim(uow, key, command, request)

    def store(self, uow: UnitOfWork, key: str, result: dict[str, Any]) -> None:
        idempotency.store(uow, key, result)

    def take_slot(self, uow: UnitOfWork, workstation: str, *, with_receipt: bool) -> ledger.Slot:
        return ledger.take_slot(uow, workstation, with_receipt=with_receipt)

    def append_event(
        self,
        uow: UnitOfWork,
        slot: ledger.Slot,
        *,
        actor: Actor | None,
        action: str,
        receipt_no: str | None,
        details: dict[str, Any],
    ) -> str:
        return ledger.append_event(
            uow, slot, actor=actor, action=action, receipt_no=receipt_no, details=details
        )

    def apply(self, uow: UnitOfWork, effect: fx.Effect, stamp: Stamp) -> None:
        OPERATIONS[type(effect)](uow, effect, stamp)


SQL_BOOKS = SqlBooks()
