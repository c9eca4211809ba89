"""A known receipt with awkward content: long names, non-ASCII patients, every tender kind."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime
from decimal import Decimal

from pos_app.domain.money import Currency
from pos_app.receipts.model import Receipt, ReceiptLine, ReceiptTender

HASH = "3f" * 32
LONG_ITEM = "Amoxicillin 500 mg capsules, pack of 21 (pharmacy dispensing, outpatient)"


def known_receipt(**changes: object) -> Receipt:
    """A payment on WS01 paid by wallet, mobile money and cash with change."""
    receipt = Receipt(
        facility_name="St. Mary's Mission Hospital",
        kind="payment",
        receipt_no="WS01-000123",
        at=datetime(2026, 3, 14, 9, 5, tzinfo=UTC),
        workstation="WS01",
        cashier="Achieng Otieno",
        patient_name="Zoë Müller",
        mrn="MRN-0042",
        lines=(
            ReceiptLine("General consultation", 1, Decimal("1000.00"), Decimal("1000.00")),
            ReceiptLine(LONG_ITEM, 2, Decimal("100.00"), Decimal("200.00")),
            ReceiptLine("Full blood count", 1, Decimal("12500.50"), Decimal("12500.50")),
        ),
        total=Decimal("13700.50"),
        tenders=(
            ReceiptTender("wallet", Decimal("300.00")),
            ReceiptTender("mobile_money", Decimal("400.50"), "QK7XH2LMP9"),
            ReceiptTender(
                "cash", Decimal("13000.00"), None, Decimal("13500.00"), Decimal("500.00")
            ),
        ),
        change=Decimal("500.00"),
        wallet_balance_after=Decimal("200.00"),
        currency=Currency("KES", 2),
        audit_hash=HASH,
    )
    return replace(receipt, **changes)


def shilling_receipt() -> Receipt:
    """The same in Ugandan shillings, which have no minor units."""
    return known_receipt(
        currency=Currency("UGX", 0),
        patient_name="Nakato Ssewanyana",
        lines=(ReceiptLine("Malaria rapid test", 3, Decimal("15000"), Decimal("45000")),),
        total=Decimal("45000"),
        tenders=(ReceiptTender("card", Decimal("45000"), "AUTH-99"),),
        change=Decimal("0"),
        wallet_balance_after=None,
    )


LONG_REASON = (
    "Patient was billed twice for the same consultation; the card was charged again "
    "at reception (terminal REF-0000000000000000000000000042)"
)


def refund_receipt(**changes: object) -> Receipt:
    """The payment refunded: its own number, the receipt it reverses, reason and three names."""
    return known_receipt(
        kind="refund",
        receipt_no="WS01-000130",
        reverses_receipt_no="WS01-000123",
        tenders=tuple(
            replace(x, cash_tendered=None, change=Decimal("0.00")) for x in known_receipt().tenders
        ),
        change=Decimal("0.00"),
        wallet_balance_after=Decimal("500.00"),
        reason=LONG_REASON,
        requested_by="Brian Kiprotich Mwangi-Odhiambo",
        approved_by="Wairimu Njoroge-Kamau",
        **changes,
    )


def withdrawal_receipt(**changes: object) -> Receipt:
    """Cash paid out of a wallet, approved by a supervisor."""
    amount = Decimal("1500.00")
    return known_receipt(
        kind="withdrawal",
        receipt_no="WS01-000131",
        lines=(ReceiptLine("Wallet withdrawal", 1, amount, amount),),
        total=amount,
        tenders=(ReceiptTender("cash", amount),),
        change=Decimal("0.00"),
        wallet_balance_after=Decimal("0.00"),
        reason="Patient discharged; balance returned",
        approved_by="Wairimu Njoroge-Kamau",
        **changes,
    )
