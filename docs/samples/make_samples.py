"""Regenerate the receipt samples in this folder: `python docs/samples/make_samples.py`.

Writes the text (58 and 80 mm), PDF and ESC/POS renderings of one demo payment and,
when poppler's `pdftoppm` is installed, a PNG of each PDF page to look at.
"""

from __future__ import annotations

import shutil
import subprocess
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path

from pos_app.domain.money import Currency
from pos_app.receipts.escpos import escpos_bytes
from pos_app.receipts.model import Receipt, ReceiptLine, ReceiptTender
from pos_app.receipts.pdf import render_pdf
from pos_app.receipts.text import render_text

HERE = Path(__file__).resolve().parent


def demo_receipt() -> Receipt:
    """A reprinted split payment with a long item name and a non-ASCII patient name."""
    return Receipt(
        facility_name="St. Mary's Mission Hospital, Kisumu", kind="payment",
        receipt_no="WS01-000123", at=datetime(2026, 3, 14, 9, 5, tzinfo=UTC),
        workstation="WS01", cashier="Achieng Otieno", patient_name="Zoë Wanjirũ Müller",
        mrn="MRN-00042",
        lines=(ReceiptLine("General consultation", 1, Decimal("1000.00"), Decimal("1000.00")),
               ReceiptLine("Amoxicillin 500 mg capsules, pack of 21 (pharmacy dispensing)", 2,
                           Decimal("100.00"), Decimal("200.00")),
               ReceiptLine("Full blood count", 1, Decimal("12500.50"), Decimal("12500.50"))),
        total=Decimal("13700.50"),
        tenders=(ReceiptTender("wallet", Decimal("300.00")),
                 ReceiptTender("mobile_money", Decimal("400.50"), "QK7XH2LMP9"),
                 ReceiptTender("cash", Decimal("13000.00"), None, Decimal("13500.00"),
                               Decimal("500.00"))),
        change=Decimal("500.00"), wallet_balance_after=Decimal("200.00"),
        currency=Currency("KES", 2),
        audit_hash="9c1e5b0f7a3d2e4c6b8a0f1e3d5c7b9a2e4f6a8c0b1d3e5f7a9c2b4d6e8f0a1c",
        copy_number=1,
    )


def main() -> None:
    receipt = demo_receipt()
    for mm, columns in ((58, 32), (80, 48)):
        text = "\n".join(render_text(receipt, columns=columns)) + "\n"
        (HERE / f"receipt-{mm}mm.txt").write_text(text, encoding="utf-8")
        (HERE / f"receipt-{mm}mm.escpos").write_bytes(
            escpos_bytes(receipt, columns=columns, open_drawer=False))
        pdf = HERE / f"receipt-{mm}mm.pdf"
        render_pdf(receipt, pdf, columns=columns)
        if shutil.which("pdftoppm"):
            subprocess.run(["pdftoppm", "-png", "-r", "150", "-singlefile", str(pdf),
                            str(pdf.with_suffix(""))], check=True)


if __name__ == "__main__":
    main()
