"""Print / Save PDF / Reprint for the receipt preview, backed by the receipt engine.

The preview window keeps its injected callables; this module supplies them for
one receipt. Every paper after the first is a counted, audited COPY: pressing
Print twice asks for a reprint reason instead of handing out a second original.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QRectF
from PySide6.QtGui import QFont, QFontDatabase, QImage, QPainter
from PySide6.QtPrintSupport import QPrintDialog, QPrinter
from PySide6.QtWidgets import QDialog, QFileDialog, QInputDialog, QLineEdit, QWidget

from pos_app.domain.errors import CareTillError
from pos_app.receipts.escpos import send_to_printer
from pos_app.receipts.model import Receipt, qr_payload
from pos_app.receipts.pdf import render_pdf
from pos_app.receipts.printer_config import PrinterConfig
from pos_app.receipts.qr import qr_image
from pos_app.receipts.text import render_text

Reprint = Callable[[str], Receipt]
"""Fetch the next counted copy for a reason: `get_receipt(..., reprint_reason=reason)`."""


def ask_reason(parent: QWidget) -> str | None:
    """The reprint reason the cashier types; None when they cancel."""
    text, ok = QInputDialog.getText(parent, "Reprint receipt", "Why is it reprinted?",
                                    QLineEdit.EchoMode.Normal, "")
    return text.strip() if ok and text.strip() else None


def ask_pdf_path(parent: QWidget, receipt: Receipt) -> Path | None:
    name, _ = QFileDialog.getSaveFileName(parent, "Save receipt as PDF",
                                          f"{receipt.receipt_no}.pdf", "PDF (*.pdf)")
    return Path(name) if name else None


def print_with_dialog(parent: QWidget, receipt: Receipt, columns: int) -> None:
    """Any system printer through the Qt print dialog: the same lines and QR code."""
    printer = QPrinter(QPrinter.PrinterMode.HighResolution)
    if QPrintDialog(printer, parent).exec() != QDialog.DialogCode.Accepted:
        return
    painter = QPainter(printer)
    try:
        paint_receipt(painter, receipt, columns, printer.pageRect(QPrinter.Unit.DevicePixel))
    finally:
        painter.end()


def paint_receipt(painter: QPainter, receipt: Receipt, columns: int, page: QRectF) -> None:
    """Draw the template's lines in a fixed-pitch font, then the QR code under them."""
    font = QFont("DejaVu Sans Mono")
    font.setStyleHint(QFont.StyleHint.Monospace)
    if not QFont(font).exactMatch():
        font = QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont)
    font.setPointSizeF(9)
    painter.setFont(font)
    step = painter.fontMetrics().lineSpacing()
    y = page.top() + step
    for line in render_text(receipt, columns=columns):
        painter.drawText(int(page.left()), int(y), line)
        y += step
    text_width = min(painter.fontMetrics().horizontalAdvance("M" * columns), page.width())
    side = min(text_width * 0.45, page.bottom() - y)
    image = qr_image(qr_payload(receipt), scale=8).convert("L")
    qimage = QImage(image.tobytes(), image.width, image.height, image.width,
                    QImage.Format.Format_Grayscale8).copy()  # own the pixels
    painter.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform, False)
    painter.drawImage(QRectF(page.left() + (text_width - side) / 2, y, side, side), qimage)


class ReceiptActions:
    """The preview's Print, Save PDF and Reprint for one receipt."""

    def __init__(self, receipt: Receipt, *, printer_config: PrinterConfig, reprint: Reprint,
                 report: Callable[[str], None], ask_reason: Callable[[QWidget], str | None]
                 = ask_reason, ask_pdf_path: Callable[[QWidget, Receipt], Path | None]
                 = ask_pdf_path, system_print: Callable[[QWidget, Receipt, int], None]
                 = print_with_dialog) -> None:
        self.current = receipt
        self._config, self._reprint, self._report = printer_config, reprint, report
        self._ask_reason, self._ask_path, self._system_print = (ask_reason, ask_pdf_path,
                                                                 system_print)
        self._printed = False

    def text(self) -> str:
        return "\n".join(render_text(self.current, columns=self._config.columns))

    def copy_text(self) -> str:
        """Reprint: ask why, count and audit the copy, return its text (COPY n)."""
        self._next_copy(None)
        return self.text()

    def printer(self, parent: QWidget, _text: str = "") -> None:
        """Print on the thermal printer if one is set up, else through the print dialog."""
        if self._printed and not self._next_copy(parent):
            return
        try:
            if self._config.kind == "none":
                self._system_print(parent, self.current, self._config.columns)
            else:
                send_to_printer(self.current, self._config)
        except CareTillError as error:
            self._report(error.message)
            return
        self._printed = True

    def pdf(self, parent: QWidget, _text: str = "") -> None:
        """Save the current receipt (original or copy) as a PDF where the cashier says."""
        path = self._ask_path(parent, self.current)
        if path is not None:
            render_pdf(self.current, path, columns=self._config.columns)
            self._report(f"Receipt {self.current.receipt_no} saved to {path}.")

    def _next_copy(self, parent: QWidget | None) -> bool:
        reason = self._ask_reason(parent)
        if reason is None:
            return False
        try:
            self.current = self._reprint(reason)
        except CareTillError as error:
            self._report(error.message)
            return False
        self._printed = False
        return True
