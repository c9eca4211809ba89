"""The receipt as a PDF slip: the text template in an embedded Unicode font, plus the QR code."""

from __future__ import annotations

from pathlib import Path
from typing import BinaryIO

from reportlab.lib.utils import ImageReader
from reportlab.pdfgen.canvas import Canvas

from pos_app.receipts.fonts import FONT_NAME, printable, receipt_font
from pos_app.receipts.model import Receipt, qr_payload
from pos_app.receipts.qr import qr_image
from pos_app.receipts.text import render_text

FONT_SIZE = 9.0
LEADING = 11.5
MARGIN = 18.0
QR_SIZE = 110.0
QR_GAP = 8.0


def render_pdf(receipt: Receipt, path_or_file: str | Path | BinaryIO, *,
               columns: int = 48) -> None:
    """Write a one-page PDF as wide as the slip; names print in their own letters."""
    lines = [printable(line) for line in render_text(receipt, columns=columns)]
    text_width = receipt_font().stringWidth("M" * columns, FONT_SIZE)
    width = text_width + 2 * MARGIN
    height = 2 * MARGIN + len(lines) * LEADING + QR_GAP + QR_SIZE
    target = str(path_or_file) if isinstance(path_or_file, Path) else path_or_file
    canvas = Canvas(target, pagesize=(width, height), pageCompression=1,
                    initialFontName=FONT_NAME, initialFontSize=FONT_SIZE)
    canvas.setTitle(f"Receipt {receipt.receipt_no}")
    canvas.setAuthor(receipt.facility_name or "CareTill")
    canvas.setFont(FONT_NAME, FONT_SIZE)
    y = height - MARGIN - FONT_SIZE
    for line in lines:
        canvas.drawString(MARGIN, y, line)
        y -= LEADING
    # Drawn as an image, not squares: adjacent squares show hairline seams in viewers.
    canvas.drawImage(ImageReader(qr_image(qr_payload(receipt), scale=8)), (width - QR_SIZE) / 2,
                     MARGIN, QR_SIZE, QR_SIZE)
    canvas.showPage()
    canvas.save()

