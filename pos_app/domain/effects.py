"""What a money command does, as plain data: every row it writes, computed before any write.

A command computes its effects from what it locked; the kernel records them in the
command's audit event (`effects_json`, under the `effects` key of the event's details)
and then applies each one through its named ledger operation, so the event carries
everything its rows hold and `check` can replay events and compare them with the rows.
Each row's time is the event's `at`; rows point at each other by receipt number
(payment, reversal) or by the ids the command locked (wallet, items, stock, shift).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, ClassVar

from pos_app.domain.field_names import field_names


@dataclass(frozen=True)
class Effect:
    """Base of every effect; `name` is its stable tag in the event's JSON."""

    name: ClassVar[str] = ""

    def to_json(self) -> dict[str, Any]:
        return {
            "effect": self.name,
            **{name: _plain(getattr(self, name)) for name in field_names(type(self))},
        }


@dataclass(frozen=True)
class ReceiptIssued(Effect):
    """A receipt row: the receipt number and the workstation counter value it took."""

    name: ClassVar[str] = "receipt"
    receipt_no: str
    workstation: str
    seq: int
    kind: str
    patient_id: int | None
    cashier_id: int


@dataclass(frozen=True)
class WalletEntry(Effect):
    """A wallet ledger entry: `amount_minor` is signed (a debit is negative)."""

    name: ClassVar[str] = "wallet_entry"
    wallet_id: int
    kind: str
    amount_minor: int
    balance_after_minor: int
    receipt_no: str


@dataclass(frozen=True)
class TenderRow(Effect):
    name: ClassVar[str] = "tender"
    method: str
    amount_minor: int
    reference: str | None
    cash_tendered_minor: int | None
    change_minor: int


@dataclass(frozen=True)
class PaymentItemRow(Effect):
    name: ClassVar[str] = "payment_item"
    bill_item_id: int
    amount_minor: int


@dataclass(frozen=True)
class LabOrder(Effect):
    """A pending lab result made by paying a lab test."""

    name: ClassVar[str] = "lab_result"
    bill_item_id: int
    lab_test_code: str
    status: str


@dataclass(frozen=True)
class PaymentRecorded(Effect):
    """A payment with its items, tenders and the lab results it orders."""

    name: ClassVar[str] = "payment"
    receipt_no: str
    patient_id: int
    amount_minor: int
    change_minor: int
    wallet_balance_after_minor: int
    cashier_id: int
    workstation: str
    idempotency_key: str
    shift_id: int | None
    items: tuple[PaymentItemRow, ...]
    tenders: tuple[TenderRow, ...]
    lab_results: tuple[LabOrder, ...]


@dataclass(frozen=True)
class ReferencesClaimed(Effect):
    """Card, mobile-money or insurance reference keys used once, by this receipt."""

    name: ClassVar[str] = "references"
    receipt_no: str
    references: tuple[tuple[str, str], ...]  # (method, reference key)


@dataclass(frozen=True)
class ItemsSettled(Effect):
    """Bill items go from unpaid to paid; a bill with nothing unpaid left becomes paid."""

    name: ClassVar[str] = "items_settled"
    item_ids: tuple[int, ...]
    bill_ids: tuple[int, ...]


@dataclass(frozen=True)
class ItemsReopened(Effect):
    """Bill items go back from paid to unpaid; their paid bills open again."""

    name: ClassVar[str] = "items_reopened"
    item_ids: tuple[int, ...]
    bill_ids: tuple[int, ...]


@dataclass(frozen=True)
class StockMovement(Effect):
    """Units leaving (`delta` < 0, a sale) or coming back to (a return) one stock row."""

    name: ClassVar[str] = "stock_movement"
    stock_item_id: int
    delta: int
    reason: str
    bill_item_id: int


@dataclass(frozen=True)
class StockTaken(Effect):
    """The units a payment's pharmacy items take out of stock (each delta negative)."""

    name: ClassVar[str] = "stock_taken"
    movements: tuple[StockMovement, ...]


@dataclass(frozen=True)
class StockPutBack(Effect):
    """The units a refund puts back into stock (each delta positive)."""

    name: ClassVar[str] = "stock_put_back"
    movements: tuple[StockMovement, ...]


@dataclass(frozen=True)
class DepositRecorded(Effect):
    name: ClassVar[str] = "deposit"
    receipt_no: str
    patient_id: int
    wallet_id: int
    method: str
    amount_minor: int
    reference: str | None
    cashier_id: int
    workstation: str
    idempotency_key: str
    shift_id: int | None


@dataclass(frozen=True)
class WithdrawalRecorded(Effect):
    name: ClassVar[str] = "withdrawal"
    receipt_no: str
    patient_id: int
    wallet_id: int
    amount_minor: int
    reason: str
    cashier_id: int
    approved_by: int
    workstation: str
    shift_id: int | None
    idempotency_key: str


@dataclass(frozen=True)
class PayoutRow(Effect):
    name: ClassVar[str] = "payout"
    method: str
    amount_minor: int
    reference: str | None


@dataclass(frozen=True)
class ReversalItemRow(Effect):
    name: ClassVar[str] = "reversal_item"
    bill_item_id: int
    amount_minor: int


@dataclass(frozen=True)
class ReversalRecorded(Effect):
    """A refund of a payment (or some of its items) with its payouts."""

    name: ClassVar[str] = "reversal"
    receipt_no: str
    payment_id: int
    payment_receipt_no: str
    reason: str
    amount_minor: int
    cashier_id: int
    requested_by: int
    approved_by: int
    request_id: int | None
    workstation: str
    shift_id: int | None
    idempotency_key: str
    items: tuple[ReversalItemRow, ...]
    payouts: tuple[PayoutRow, ...]


@dataclass(frozen=True)
class PaymentReversed(Effect):
    """The payment's last items were refunded: its status becomes `reversed`."""

    name: ClassVar[str] = "payment_reversed"
    payment_id: int
    receipt_no: str


@dataclass(frozen=True)
class LabResultsCancelled(Effect):
    name: ClassVar[str] = "lab_results_cancelled"
    lab_result_ids: tuple[int, ...]


@dataclass(frozen=True)
class AdjustmentRecorded(Effect):
    """An adjustment line of an unpaid bill item: what it takes off the due (< 0 adds)."""

    name: ClassVar[str] = "adjustment"
    bill_item_id: int
    kind: str
    amount_minor: int
    reason_code: str
    requested_by: int
    approved_by: int | None
    request_id: int | None
    workstation: str


@dataclass(frozen=True)
class ShiftTenderRow(Effect):
    name: ClassVar[str] = "shift_tender"
    method: str
    expected_minor: int
    expected_count: int
    counted_minor: int | None
    counted_count: int | None
    variance_minor: int | None


@dataclass(frozen=True)
class ShiftClosed(Effect):
    """A shift's close: the cash figures, each tender's line and the note count."""

    name: ClassVar[str] = "shift_closed"
    shift_id: int
    expected_cash_minor: int
    counted_cash_minor: int
    variance_minor: int
    variance_reason: str | None
    approved_by: int | None
    tenders: tuple[ShiftTenderRow, ...]
    cash_counts: tuple[tuple[int, int], ...]  # (denomination minor units, how many)


@dataclass(frozen=True)
class DayClosed(Effect):
    """The Z record of a business day: its window, totals and the frozen report's hash."""

    name: ClassVar[str] = "day_closed"
    business_date: date
    window_start: datetime
    window_end: datetime
    closed_by: int
    workstation: str
    receipt_count: int
    payments_minor: int
    deposits_minor: int
    refunds_minor: int
    withdrawals_minor: int
    report: str
    report_hash: str
    heads: str  # every workstation's chain head at the close (JSON), a witness


@dataclass(frozen=True)
class ReceivableEntry(Effect):
    """An entry on a payer's or patient's receivable account (+ owed, - paid back)."""

    name: ClassVar[str] = "receivable_entry"
    account_id: int
    kind: str
    amount_minor: int
    balance_after_minor: int
    receipt_no: str | None


@dataclass(frozen=True)
class SettlementAllocated(Effect):
    """Which charges the settlement entry on `receipt_no` pays: (charge entry id, amount),
    oldest first unless a claim batch was named."""

    name: ClassVar[str] = "settlement_allocated"
    receipt_no: str
    account_id: int
    allocations: tuple[tuple[int, int], ...]


@dataclass(frozen=True)
class SettlementRecorded(Effect):
    """Money received against an account at the till: how, and in which shift (if any)."""

    name: ClassVar[str] = "settlement"
    receipt_no: str
    account_id: int
    method: str
    amount_minor: int
    reference: str | None
    cashier_id: int
    workstation: str
    idempotency_key: str
    shift_id: int | None


@dataclass(frozen=True)
class PayerSharesRecorded(Effect):
    """What the payer takes of each item a payment settles: (bill item id, amount)."""

    name: ClassVar[str] = "payer_shares"
    receipt_no: str
    payer_id: int
    member_no: str
    shares: tuple[tuple[int, int], ...]


def effects_json(effects: tuple[Effect, ...]) -> list[dict[str, Any]]:
    """The stable JSON form the audit event records, in the order the effects apply."""
    return [effect.to_json() for effect in effects]


def _plain(value: Any) -> Any:
    if isinstance(value, Effect):
        return {k: v for k, v in value.to_json().items() if k != "effect"}
    if isinstance(value, tuple | list):
        return [_plain(item) for item in value]
    if isinstance(value, date | datetime):
        return value.isoformat()
    return value
