"""The one receipt template: fixed-width lines that the screen, PDF and thermal printer share.

32 columns fit 58 mm paper, 48 columns 80 mm paper. Amounts are right-aligned in
the currency's minor units; long names wrap instead of pushing amounts out.
"""

from __future__ import annotations

import textwrap
from dataclasses import fields, replace
from decimal import Decimal
from typing import Any

from pos_app.domain.text import strip_controls
from pos_app.receipts.model import Receipt, ReceiptTender, qr_payload

WIDTHS = {58: 32, 80: 48}
MIN_COLUMNS = 24
LABEL_WIDTH = 10
TITLES = {
    "payment": "PAYMENT RECEIPT",
    "deposit": "WALLET DEPOSIT RECEIPT",
    "refund": "REFUND",
    "withdrawal": "WALLET WITHDRAWAL",
    "settlement": "ACCOUNT SETTLEMENT",
}
TOTALS = {"refund": "REFUNDED", "withdrawal": "WITHDRAWN"}
MONEY_HEADINGS = {"payment": "Paid by", "refund": "Paid back as", "withdrawal": "Paid out as"}
ADJUSTMENTS = {"discount": "Discount", "waiver": "Waiver", "price": "Price correction"}
METHODS = {
    "cash": "Cash",
    "card": "Card",
    "mobile_money": "Mobile money",
    "wallet": "Wallet",
    "insurance": "Insurance",
    "credit": "Credit",
    "bank_transfer": "Bank transfer",
}


def money(receipt: Receipt, amount: Decimal) -> str:
    """`1,250.00` for KES, `1,250` for UGX: exactly the currency's minor units."""
    return format(amount.quantize(receipt.currency.quantum), ",f")


def render_text(receipt: Receipt, *, columns: int = 48) -> list[str]:
    """The receipt as lines of at most `columns` characters (no trailing spaces)."""
    if columns < MIN_COLUMNS:
        raise ValueError(f"a receipt needs at least {MIN_COLUMNS} columns, not {columns}")
    receipt = without_controls(receipt)
    lines = _header(receipt, columns) + _rule("-", columns) + _items(receipt, columns)
    lines += _rule("-", columns) + _tenders(receipt, columns) + _rule("=", columns)
    lines += _centered("Verification code (QR below):", columns)
    lines += textwrap.wrap(qr_payload(receipt), columns, break_on_hyphens=False)
    return [line.rstrip() for line in lines]


def without_controls(receipt: Receipt) -> Receipt:
    """The receipt with control characters taken out of every text in it.

    Input refuses them, but an import or older data may hold one, and an ESC in a
    patient's name must never reach a printer (`ESC p` opens the cash drawer).
    """
    # Any: `replace` takes each field's own type, and these are the str fields.
    texts: dict[str, Any] = {
        f.name: strip_controls(value)
        for f in fields(receipt)
        if isinstance(value := getattr(receipt, f.name), str)
    }
    lines = tuple(
        replace(
            line,
            description=strip_controls(line.description),
            adjustments=tuple(
                replace(a, reason_code=strip_controls(a.reason_code)) for a in line.adjustments
            ),
        )
        for line in receipt.lines
    )
    tenders = tuple(
        replace(
            tender,
            method=strip_controls(tender.method),
            reference=tender.reference and strip_controls(tender.reference),
        )
        for tender in receipt.tenders
    )
    return replace(receipt, **texts, lines=lines, tenders=tenders)


def _header(receipt: Receipt, columns: int) -> list[str]:
    lines = _centered(receipt.facility_name or "CareTill", columns)
    lines += _centered(TITLES.get(receipt.kind, receipt.kind.upper() + " RECEIPT"), columns)
    if receipt.copy_number:
        lines += _centered(f"*** COPY {receipt.copy_number} ***", columns)
    if receipt.reversed_by:
        state = "PARTLY REFUNDED" if receipt.partly_refunded else "REVERSED"
        lines += _centered(f"{state} by {receipt.reversed_by}", columns)
    lines += _rule("=", columns)
    at = receipt.at.astimezone()
    fields = (
        ("Receipt", receipt.receipt_no),
        ("Reverses", receipt.reverses_receipt_no),
        ("Date", at.strftime("%Y-%m-%d %H:%M")),
        ("Station", receipt.workstation),
        ("Cashier", receipt.cashier),
        ("Account", receipt.account),
        ("Requested", receipt.requested_by),
        ("Approved", receipt.approved_by),
        ("Patient", receipt.patient_name),
        ("MRN", receipt.mrn),
        ("Reason", receipt.reason),
    )
    for label, value in fields:
        if value is not None:
            lines += _field(label, value, columns)
    return lines


def _items(receipt: Receipt, columns: int) -> list[str]:
    lines = _amount_row("Item", "Amount", columns)
    for line in receipt.lines:
        lines += textwrap.wrap(line.description, columns) or [""]
        lines += _amount_row(
            f"  {line.quantity} x {money(receipt, line.unit_price)}",
            money(receipt, line.amount),
            columns,
        )
        for adjustment in line.adjustments:
            label = ADJUSTMENTS.get(adjustment.kind, adjustment.kind)
            lines += _amount_row(
                f"  {label} ({adjustment.reason_code.replace('_', ' ')})",
                money(receipt, -adjustment.amount),
                columns,
            )
    lines += _rule("-", columns)
    due = receipt.total + (receipt.payer_share or 0)
    if receipt.adjusted:
        lines += _amount_row("Gross", money(receipt, receipt.gross), columns)
        lines += _amount_row("Adjustments", money(receipt, due - receipt.gross), columns)
    total = TOTALS.get(receipt.kind, "TOTAL")
    if receipt.payer_share is not None:
        lines += _amount_row("Due", money(receipt, due), columns)
        lines += _field("Payer", receipt.payer_name or "", columns)
        lines += _field("Member no", receipt.member_no or "", columns)
        lines += _amount_row("Payer share", money(receipt, receipt.payer_share), columns)
        total = "PATIENT SHARE"
    lines += _amount_row(f"{total} {receipt.currency.code}", money(receipt, receipt.total), columns)
    return lines


def _tenders(receipt: Receipt, columns: int) -> list[str]:
    lines = [MONEY_HEADINGS.get(receipt.kind, "Received by")]
    for tender in receipt.tenders:
        lines += _tender(receipt, tender, columns)
    if not receipt.tenders and not receipt.total:
        lines += ["  Nothing to pay"]
    if receipt.wallet_balance_after is not None:
        lines += _amount_row(
            "Wallet balance after", money(receipt, receipt.wallet_balance_after), columns
        )
    if receipt.account_balance_after is not None:
        lines += _amount_row(
            "Account owes after", money(receipt, receipt.account_balance_after), columns
        )
    return lines


def _tender(receipt: Receipt, tender: ReceiptTender, columns: int) -> list[str]:
    lines = _amount_row(
        METHODS.get(tender.method, tender.method), money(receipt, tender.amount), columns
    )
    if tender.reference:
        lines += textwrap.wrap(
            f"Ref {tender.reference}", columns, initial_indent="  ", subsequent_indent="  "
        )
    if tender.cash_tendered is not None:
        lines += _amount_row("  Tendered", money(receipt, tender.cash_tendered), columns)
        lines += _amount_row("  Change", money(receipt, tender.change), columns)
    return lines


def _field(label: str, value: str, columns: int) -> list[str]:
    """`Patient   Zoë Müller`, the value wrapped under itself when it is long."""
    indent = " " * LABEL_WIDTH
    wrapped = textwrap.wrap(value, columns - LABEL_WIDTH, break_on_hyphens=False) or [""]
    return [label.ljust(LABEL_WIDTH)[:LABEL_WIDTH] + wrapped[0]] + [indent + w for w in wrapped[1:]]


def _amount_row(label: str, amount: str, columns: int) -> list[str]:
    """Label on the left, amount flush right; a long label wraps above the amount."""
    room = columns - len(amount) - 1
    indent = label[: len(label) - len(label.lstrip())]
    parts = textwrap.wrap(label, room, subsequent_indent=indent) or [""]
    return parts[:-1] + [parts[-1].ljust(room) + " " + amount]


def _centered(text: str, columns: int) -> list[str]:
    return [line.center(columns).rstrip() for line in textwrap.wrap(text, columns)]


def _rule(char: str, columns: int) -> list[str]:
    return [char * columns]
