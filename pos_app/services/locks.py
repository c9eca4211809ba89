"""The one order every money command takes its row locks in, and the guard that keeps it.

`Lock` is the order, lowest first. A command takes only the locks it needs, each
rank at most once and never a lower rank after a higher one, so two commands can
never wait on each other in a cycle (no deadlock), whatever the cashier picked:

1. APPROVAL_REQUEST the approval request being decided (`approvals`: the action it executes
                   takes the ranks after it);
2. WALLET          the patient's wallet (payments, deposits, withdrawals, refunds);
3. RECEIVABLE      the payer's receivable account the command posts to, made on first use;
4. CREDIT_ACCOUNT  the patient's own receivable account (credit), after the payer's: a
                   payment may post to both;
5. BILL_ITEMS      the bill items paid or refunded, one SELECT ordered by id;
6. PAYMENT         the payment being refunded, so refunds of one payment take turns;
7. LAB_RESULTS     that payment's live lab results of the refunded items, by id;
8. STOCK           the stock rows the pharmacy items draw on or return to, by id;
9. COUNTER         the workstation's row: receipt counter and audit chain head (a day
                   close takes every workstation's row, in id order);
10. SHIFT          the cashier's open shift: read after the counter by money commands
                   (a shift closing at the same workstation either sees this money or is
                   seen closed), locked by the shift close itself.

On SQLite the whole transaction already holds the write lock (BEGIN IMMEDIATE), and
these SELECTs lock nothing more; the order matters on PostgreSQL.
"""

from __future__ import annotations

import enum
from collections import Counter
from typing import Protocol

from pos_app.adapters import (
    day_closes,
    lab_results,
    ledger,
    payments,
    receivables,
    shifts_repo,
    stock,
    wallets,
)
from pos_app.adapters import items as bill_items
from pos_app.adapters.items import LockedItem
from pos_app.adapters.ledger import Slot
from pos_app.adapters.uow import UnitOfWork
from pos_app.adapters.wallets import LockedWallet
from pos_app.domain.errors import BadInput
from pos_app.domain.kinds import ServiceKind
from pos_app.domain.numbers import MAX_ID


class Lock(enum.IntEnum):
    APPROVAL_REQUEST = 1
    WALLET = 2
    RECEIVABLE = 3
    CREDIT_ACCOUNT = 4
    BILL_ITEMS = 5
    PAYMENT = 6
    LAB_RESULTS = 7
    STOCK = 8
    COUNTER = 9
    SHIFT = 10


class CounterTaker(Protocol):
    def take_slot(self, uow: UnitOfWork, workstation: str, *, with_receipt: bool) -> Slot: ...


class Locks:
    """One command's locks, taken through this object so that the order is enforced.

    Taking a rank below one already held is a bug in the command, not a user error:
    it raises `AssertionError` before the lock is taken.
    """

    def __init__(self, uow: UnitOfWork, books: CounterTaker) -> None:
        self.uow = uow
        self._books = books
        self._held = 0
        self.slot: Slot | None = None

    def _take(self, rank: Lock) -> None:
        if rank <= self._held:
            raise AssertionError(f"lock {rank.name} taken after {Lock(self._held).name}")
        self._held = rank

    def wallet(self, mrn: str) -> LockedWallet:
        self._take(Lock.WALLET)
        return wallets.lock(self.uow, mrn)

    def payer_account(self, payer_id: int) -> receivables.Account:
        self._take(Lock.RECEIVABLE)
        return receivables.lock_payer_account(self.uow, payer_id, at=self.uow.clock())

    def patient_account(self, patient_id: int) -> receivables.Account:
        self._take(Lock.CREDIT_ACCOUNT)
        return receivables.lock_patient_account(self.uow, patient_id, at=self.uow.clock())

    def items(self, wallet: LockedWallet, item_ids: list[int]) -> list[LockedItem]:
        self._take(Lock.BILL_ITEMS)
        return bill_items.lock(self.uow, item_ids, patient_id=wallet.patient_id, mrn=wallet.mrn)

    def unpaid_bill_items(self, wallet: LockedWallet, bill_no: str) -> list[LockedItem]:
        self._take(Lock.BILL_ITEMS)
        return bill_items.lock_unpaid_of_bill(
            self.uow, bill_no, patient_id=wallet.patient_id, mrn=wallet.mrn
        )

    def payment(self, payment: payments.PaymentRow) -> None:
        self._take(Lock.PAYMENT)
        payments.lock_completed(self.uow, payment)

    def lab_results(self, payment_id: int, item_ids: list[int]) -> list[lab_results.LabRow]:
        self._take(Lock.LAB_RESULTS)
        return lab_results.lock_live(self.uow, payment_id, item_ids)

    def stock(self, needed: Counter[int]) -> dict[int, tuple[str, int]]:
        self._take(Lock.STOCK)
        return stock.lock(self.uow, list(needed))

    def counter(self, workstation: str, *, with_receipt: bool) -> Slot:
        """The workstation's next receipt number and audit position, its row locked."""
        self._take(Lock.COUNTER)
        self.slot = self._books.take_slot(self.uow, workstation, with_receipt=with_receipt)
        return self.slot

    def every_counter(self, workstation: str) -> tuple[Slot, list[ledger.Head]]:
        """Every workstation's row (a day close: money in flight commits first), then this
        workstation's audit position, with every chain's head as it was before it."""
        self._take(Lock.COUNTER)
        day_closes.lock_counters(self.uow)
        heads = ledger.witness_heads(self.uow)
        self.slot = self._books.take_slot(self.uow, workstation, with_receipt=False)
        return self.slot, heads

    def open_shift_id(self, *, cashier_id: int, workstation: str) -> int | None:
        """The id of the cashier's open shift at this workstation (read, not locked)."""
        self._take(Lock.SHIFT)
        return shifts_repo.open_id(self.uow, cashier_id=cashier_id, workstation=workstation)

    def shift(self, *, cashier_id: int, workstation: str) -> shifts_repo.ShiftRow | None:
        """The cashier's open shift at this workstation, locked for its close."""
        self._take(Lock.SHIFT)
        return shifts_repo.find_open(
            self.uow, cashier_id=cashier_id, workstation=workstation, lock=True
        )


def stock_needed(items: list[LockedItem]) -> Counter[int]:
    """Units each stock row gives up (or gets back) for the pharmacy items among `items`."""
    needed: Counter[int] = Counter()
    for item in items:
        if item.kind == ServiceKind.PHARMACY.value and item.stock_item_id is not None:
            needed[item.stock_item_id] += item.quantity
    return needed


def check_item_ids(item_ids: list[int]) -> list[int]:
    """Refuse an empty or repeated selection before anything is locked."""
    if not item_ids:
        raise BadInput("Choose at least one item to pay.", code="no_items")
    if len(set(item_ids)) != len(item_ids):
        raise BadInput("An item is chosen twice.", code="duplicate_item")
    if any(not isinstance(i, int) or isinstance(i, bool) or not 0 < i <= MAX_ID for i in item_ids):
        raise BadInput("Item ids are positive whole numbers.", code="unknown_item")
    return sorted(item_ids)
