"""Print / Save PDF / Reprint for the receipt preview, backed by the receipt engine.

Every paper after the first is a counted, audited COPY: pressing Print twice asks
for a reprint reason instead of handing out a second original. Fetching a copy and
sending to a thermal printer are started here and finish later (the window runs
them off the GUI thread through `Operations`); `changed` says the copy has arrived.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QObject, QRectF, Signal
from PySide6.QtGui import QFont, QFontDatabase, QImage, QPainter
from PySide6.QtPrintSupport import QPrintDialog, QPrinter
from PySide6.QtWidgets import QDialog, QFileDialog, QWidget

from pos_app.domain.errors import CareTillError
from pos_app.gui.messages import Messages
from pos_app.gui.reason_dialog import ask_reprint_reason
from pos_app.receipts.escpos import send_to_printer
from pos_app.receipts.model import Receipt, qr_payload
from pos_app.receipts.pdf import render_pdf
from pos_app.receipts.printer_config import PrinterConfig
from pos_app.receipts.qr import qr_image
from pos_app.receipts.text import render_text

Failed = Callable[[str], None]
FetchCopy = Callable[[str, Callable[[Receipt], None], Failed], None]
"""Start fetching the next counted copy for a reason; then call back with it, or with why not."""
SendThermal = Callable[[Receipt, Callable[[], None], Failed], None]
"""Start printing on the thermal printer; then call back done, or with why not."""


def ask_pdf_path(parent: QWidget | None, receipt: Receipt) -> Path | None:
    name, _ = QFileDialog.getSaveFileName(
        parent, "Save receipt as PDF", f"{receipt.receipt_no}.pdf", "PDF (*.pdf)"
    )
    return Path(name) if name else None


def send_now(config: PrinterConfig) -> SendThermal:
    """Print on the GUI thread (tests, and callers without a background runner)."""

    def send(receipt: Receipt, done: Callable[[], None], failed: Failed) -> None:
        try:
            send_to_printer(receipt, config)
        except CareTillError as error:
            failed(error.message)
            return
        done()

    return send


def print_with_dialog(parent: QWidget | None, receipt: Receipt, columns: int) -> None:
    """Any system printer through the Qt print dialog: the same lines and QR code."""
    _print(parent, lambda painter, page: paint_receipt(painter, receipt, columns, page))


def print_lines_with_dialog(parent: QWidget | None, lines: list[str]) -> None:
    """A slip without QR code (shift slip, statement) on any system printer."""
    _print(parent, lambda painter, page: paint_lines(painter, lines, page))


def _print(parent: QWidget | None, paint: Callable[[QPainter, QRectF], object]) -> None:
    printer = QPrinter(QPrinter.PrinterMode.HighResolution)
    if QPrintDialog(printer, parent).exec() != QDialog.DialogCode.Accepted:
        return
    painter = QPainter(printer)
    try:
        paint(painter, printer.pageRect(QPrinter.Unit.DevicePixel))
    finally:
        painter.end()


def ask_document_path(parent: QWidget | None, name: str) -> Path | None:
    """Where to save a slip (shift slip, statement) as PDF; `name` is the suggested file."""
    chosen, _ = QFileDialog.getSaveFileName(parent, "Save as PDF", name, "PDF (*.pdf)")
    return Path(chosen) if chosen else None


def qr_qimage(receipt: Receipt, scale: int = 8) -> QImage:
    """The receipt's QR code as a grey-scale QImage that owns its pixels."""
    image = qr_image(qr_payload(receipt), scale=scale).convert("L")
    return QImage(
        image.tobytes(), image.width, image.height, image.width, QImage.Format.Format_Grayscale8
    ).copy()


def paint_lines(painter: QPainter, lines: list[str], page: QRectF) -> float:
    """Draw the template's lines in a fixed-pitch font; returns where the next line goes."""
    font = QFont("DejaVu Sans Mono")
    font.setStyleHint(QFont.StyleHint.Monospace)
    if not QFont(font).exactMatch():
        font = QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont)
    font.setPointSizeF(9)
    painter.setFont(font)
    step = painter.fontMetrics().lineSpacing()
    y = page.top() + step
    for line in lines:
        painter.drawText(int(page.left()), int(y), line)
        y += step
    return y


def paint_receipt(painter: QPainter, receipt: Receipt, columns: int, page: QRectF) -> None:
    """Draw the template's lines in a fixed-pitch font, then the QR code under them."""
    y = paint_lines(painter, render_text(receipt, columns=columns), page)
    text_width = min(painter.fontMetrics().horizontalAdvance("M" * columns), page.width())
    side = min(text_width * 0.45, page.bottom() - y)
    painter.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform, False)
    painter.drawImage(
        QRectF(page.left() + (text_width - side) / 2, y, side, side), qr_qimage(receipt)
    )


class ReceiptActions(QObject):
    """The preview's Print, Save PDF and Reprint for one receipt."""

    changed = Signal()  # `current` is now a counted copy

    def __init__(
        self,
        receipt: Receipt,
        *,
        printer_config: PrinterConfig,
        fetch_copy: FetchCopy,
        messages: Messages,
        send_thermal: SendThermal | None = None,
        ask_reason: Callable[[QWidget | None, str], str | None] = ask_reprint_reason,
        ask_pdf_path: Callable[[QWidget | None, Receipt], Path | None] = ask_pdf_path,
        system_print: Callable[[QWidget | None, Receipt, int], None] = print_with_dialog,
    ) -> None:
        super().__init__()
        self.current = receipt
        self._config, self._fetch, self._messages = printer_config, fetch_copy, messages
        self._send = send_thermal or send_now(printer_config)
        self._ask_reason, self._ask_path, self._system_print = (
            ask_reason,
            ask_pdf_path,
            system_print,
        )
        self._printed = False
        self._fetching = False

    def text(self) -> str:
        return "\n".join(render_text(self.current, columns=self._config.columns))

    def printer(self, parent: QWidget | None) -> None:
        """The original the first time; after that only a counted copy, with a reason."""
        if self._printed:
            self.reprint(parent)
        else:
            self._print_current(parent)

    def reprint(self, parent: QWidget | None) -> None:
        """Ask why, fetch the next counted and audited copy (COPY n), show it and print it."""
        if self._fetching:
            return
        reason = self._ask_reason(parent, self.current.receipt_no)
        if reason is None:
            return
        self._fetching = True
        self._fetch(reason, lambda copy: self._got_copy(copy, parent), self._copy_failed)

    def pdf(self, parent: QWidget | None) -> None:
        """Save the current receipt (original or copy) as a PDF where the cashier says."""
        path = self._ask_path(parent, self.current)
        if path is not None:
            render_pdf(self.current, path, columns=self._config.columns)
            self._messages.success(f"Receipt {self.current.receipt_no} saved to {path}.")

    def _print_current(self, parent: QWidget | None) -> None:
        self._printed = True  # a second press while the printer works asks for a copy
        if self._config.kind == "none":
            self._system_print(parent, self.current, self._config.columns)
        else:
            self._send(self.current, lambda: None, self._print_failed)

    def _print_failed(self, message: str) -> None:
        self._printed = False
        self._messages.error(message)

    def _got_copy(self, copy: Receipt, parent: QWidget | None) -> None:
        self._fetching = False
        self.current = copy
        self.changed.emit()
        self._print_current(parent)

    def _copy_failed(self, message: str) -> None:
        self._fetching = False
        self._messages.error(message)
