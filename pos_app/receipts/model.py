"""The receipt as every renderer sees it: plain frozen data, no database, no printer."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from pos_app.domain.money import Currency

QR_PREFIX = "CARETILL"
QR_VERSION = "1"


@dataclass(frozen=True)
class ReceiptAdjustment:
    """A discount, waiver or price correction of an item: `amount` is taken off (< 0 adds)."""

    kind: str
    reason_code: str
    amount: Decimal


@dataclass(frozen=True)
class ReceiptLine:
    """One item paid for or refunded (or the wallet top-up or withdrawal itself).

    On a payment `amount` is the item's gross; its `adjustments` bring it to what was paid.
    """

    description: str
    quantity: int
    unit_price: Decimal
    amount: Decimal
    adjustments: tuple[ReceiptAdjustment, ...] = ()

    @property
    def net(self) -> Decimal:
        return self.amount - sum((a.amount for a in self.adjustments), Decimal(0))


@dataclass(frozen=True)
class ReceiptTender:
    """One method's part of the money taken or paid back, with cash tendered and change."""

    method: str
    amount: Decimal
    reference: str | None = None
    cash_tendered: Decimal | None = None
    change: Decimal = Decimal(0)


@dataclass(frozen=True)
class Receipt:
    """Everything printed on a receipt of any kind; copy_number > 0 on reprints.

    Refunds and withdrawals also carry the reason and who approved (and, for a
    refund, who asked and which payment receipt it reverses); a reversed or partly
    refunded payment's receipt carries its refunds' numbers in `reversed_by`.
    """

    facility_name: str
    kind: str
    receipt_no: str
    at: datetime
    workstation: str
    cashier: str
    patient_name: str
    mrn: str
    lines: tuple[ReceiptLine, ...]
    total: Decimal
    tenders: tuple[ReceiptTender, ...]
    change: Decimal
    wallet_balance_after: Decimal | None
    currency: Currency
    audit_hash: str
    copy_number: int = 0
    reverses_receipt_no: str | None = None
    reversed_by: str | None = None
    partly_refunded: bool = False
    reason: str | None = None
    requested_by: str | None = None
    approved_by: str | None = None
    payer_name: str | None = None  # a payment with a payer: `total` is the patient's share
    member_no: str | None = None
    payer_share: Decimal | None = None
    account: str | None = None  # a settlement: the payer or patient whose account it paid
    account_balance_after: Decimal | None = None  # what that account still owes after it

    @property
    def adjusted(self) -> bool:
        return any(line.adjustments for line in self.lines)

    @property
    def gross(self) -> Decimal:
        return sum((line.amount for line in self.lines), Decimal(0))

    @property
    def has_cash(self) -> bool:
        return any(tender.method == "cash" for tender in self.tenders)


def qr_payload(receipt: Receipt) -> str:
    """What the QR code carries: `CARETILL:1:WS01-000123:<audit hash>`."""
    return ":".join((QR_PREFIX, QR_VERSION, receipt.receipt_no, receipt.audit_hash))


def parse_qr_payload(payload: str) -> tuple[str, str] | None:
    """(receipt number, audit hash) from a scanned or typed payload; None if it is not ours."""
    parts = payload.strip().split(":")
    if len(parts) != 4 or parts[0].upper() != QR_PREFIX or parts[1] != QR_VERSION:
        return None
    receipt_no, digest = parts[2].strip().upper(), parts[3].strip().lower()
    if not receipt_no or len(digest) != 64 or any(c not in "0123456789abcdef" for c in digest):
        return None
    return receipt_no, digest
