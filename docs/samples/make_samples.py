"""Regenerate the receipt samples in this folder: `python docs/samples/make_samples.py`.

Writes the text (58 and 80 mm), PDF and ESC/POS renderings of one demo payment and,
when poppler's `pdftoppm` is installed, a PNG of each PDF page to look at.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

from pos_app.receipts.escpos import escpos_bytes
from pos_app.receipts.model import Receipt
from pos_app.receipts.pdf import render_pdf
from pos_app.receipts.text import render_text

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parents[1]))  # the repository root, for tests.receipts.samples

from tests.receipts.samples import known_receipt  # noqa: E402 - needs the path above


def demo_receipt() -> Receipt:
    """The receipt the tests check, reprinted, with a three-part non-ASCII name."""
    return known_receipt(
        facility_name="St. Mary's Mission Hospital, Kisumu",
        patient_name="Zoë Wanjirũ Müller",
        copy_number=1,
    )


def main() -> None:
    receipt = demo_receipt()
    for mm, columns in ((58, 32), (80, 48)):
        text = "\n".join(render_text(receipt, columns=columns)) + "\n"
        (HERE / f"receipt-{mm}mm.txt").write_text(text, encoding="utf-8")
        (HERE / f"receipt-{mm}mm.escpos").write_bytes(
            escpos_bytes(receipt, columns=columns, open_drawer=False)
        )
        pdf = HERE / f"receipt-{mm}mm.pdf"
        render_pdf(receipt, pdf, columns=columns)
        if shutil.which("pdftoppm"):
            subprocess.run(
                [
                    "pdftoppm",
                    "-png",
                    "-r",
                    "150",
                    "-singlefile",
                    str(pdf),
                    str(pdf.with_suffix("")),
                ],
                check=True,
            )


if __name__ == "__main__":
    main()
