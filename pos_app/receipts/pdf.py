"""The receipt as a PDF slip: the text template in an embedded Unicode font, plus the QR code."""

from __future__ import annotations

from pathlib import Path
from typing import BinaryIO

from reportlab.lib.utils import ImageReader
from reportlab.pdfgen.canvas import Canvas

from pos_app.domain.text import strip_controls
from pos_app.receipts.fonts import FONT_NAME, printable, receipt_font
from pos_app.receipts.model import Receipt, qr_payload
from pos_app.receipts.qr import qr_image
from pos_app.receipts.text import render_text

FONT_SIZE = 9.0
LEADING = 11.5
MARGIN = 18.0
QR_SIZE = 110.0
QR_GAP = 8.0


def render_pdf(receipt: Receipt, path_or_file: str | Path | BinaryIO, *, columns: int = 48) -> None:
    """Write a one-page PDF as wide as the slip; names print in their own letters."""
    write_pdf(
        render_text(receipt, columns=columns),
        path_or_file,
        columns=columns,
        title=f"Receipt {receipt.receipt_no}",
        author=receipt.facility_name,
        qr_text=qr_payload(receipt),
    )


def write_pdf(
    lines: list[str],
    path_or_file: str | Path | BinaryIO,
    *,
    columns: int,
    title: str,
    author: str,
    qr_text: str | None = None,
) -> None:
    """Any slip made from the template's lines (receipts, shift slips), QR code when given."""
    lines = [printable(strip_controls(line)) for line in lines]
    text_width = receipt_font().stringWidth("M" * columns, FONT_SIZE)
    width = text_width + 2 * MARGIN
    qr_room = QR_GAP + QR_SIZE if qr_text is not None else 0.0
    height = 2 * MARGIN + len(lines) * LEADING + qr_room
    target = str(path_or_file) if isinstance(path_or_file, Path) else path_or_file
    canvas = Canvas(
        target,
        pagesize=(width, height),
        pageCompression=1,
        initialFontName=FONT_NAME,
        initialFontSize=FONT_SIZE,
    )
    canvas.setTitle(title)
    canvas.setAuthor(author or "CareTill")
    canvas.setFont(FONT_NAME, FONT_SIZE)
    y = height - MARGIN - FONT_SIZE
    for line in lines:
        canvas.drawString(MARGIN, y, line)
        y -= LEADING
    if qr_text is not None:
        # Drawn as an image, not squares: adjacent squares show hairline seams in viewers.
        canvas.drawImage(
            ImageReader(qr_image(qr_text, scale=8)), (width - QR_SIZE) / 2, MARGIN, QR_SIZE, QR_SIZE
        )
    canvas.showPage()
    canvas.save()
