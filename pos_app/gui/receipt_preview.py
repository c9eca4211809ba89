"""Receipt preview after each payment and deposit, with Print / Save PDF / Reprint.

The three actions are injected callables so the receipt engine can replace them
without touching this dialog.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from PySide6.QtGui import QFont, QFontDatabase, QKeySequence, QPageSize, QTextDocument
from PySide6.QtPrintSupport import QPrintDialog, QPrinter
from PySide6.QtWidgets import (
    QDialog,
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QPlainTextEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

Output = Callable[[QWidget, str], None]


def _document(text: str) -> QTextDocument:
    document = QTextDocument()
    document.setDefaultFont(QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont))
    document.setPlainText(text)
    return document


def print_text(parent: QWidget, text: str) -> None:
    """Send the receipt to a system printer chosen in the Qt print dialog."""
    printer = QPrinter(QPrinter.PrinterMode.HighResolution)
    if QPrintDialog(printer, parent).exec() == QDialog.DialogCode.Accepted:
        _document(text).print_(printer)


def write_pdf(text: str, path: Path) -> Path:
    """The receipt as a PDF file (A5 page), through Qt's own PDF writer."""
    printer = QPrinter(QPrinter.PrinterMode.HighResolution)
    printer.setOutputFormat(QPrinter.OutputFormat.PdfFormat)
    printer.setPageSize(QPageSize(QPageSize.PageSizeId.A5))
    printer.setOutputFileName(str(path))
    _document(text).print_(printer)
    return path


def save_pdf(parent: QWidget, text: str) -> None:
    """Ask where, then write the PDF."""
    name, _ = QFileDialog.getSaveFileName(parent, "Save receipt as PDF", "receipt.pdf",
                                          "PDF (*.pdf)")
    if name:
        write_pdf(text, Path(name))


class ReceiptPreview(QDialog):
    """Shows the receipt text; Print, Save PDF and Reprint call what they were given."""

    def __init__(self, text: str, *, copy_text: Callable[[], str], printer: Output = print_text,
                 pdf: Output = save_pdf, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Receipt")
        self.setObjectName("receiptPreview")
        self._copy_text, self._printer, self._pdf = copy_text, printer, pdf
        self.text_view = QPlainTextEdit(text, objectName="receiptText")
        self.text_view.setReadOnly(True)
        font = QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont)
        font.setPointSize(15)
        font.setStyleHint(QFont.StyleHint.Monospace)
        self.text_view.setFont(font)
        layout = QVBoxLayout(self)
        layout.addWidget(QLabel("Receipt", objectName="dialogTitle"))
        layout.addWidget(self.text_view, 1)
        row = QHBoxLayout()
        self.buttons: dict[str, QPushButton] = {}
        for name, text_, keys, slot in (
            ("print", "Print", "Ctrl+P", self.print_receipt),
            ("pdf", "Save PDF", "Ctrl+S", self.save_receipt_pdf),
            ("reprint", "Reprint", "Ctrl+Shift+P", self.reprint),
            ("close", "Close", "Esc", self.accept),
        ):
            button = QPushButton(f"{text_}  [{keys}]", objectName=f"{name}Receipt")
            button.setShortcut(QKeySequence(keys))
            button.setAutoDefault(False)
            button.clicked.connect(slot)
            self.buttons[name] = button
            row.addWidget(button)
        layout.addLayout(row)
        self.resize(640, 760)

    def text(self) -> str:
        return self.text_view.toPlainText()

    def print_receipt(self) -> None:
        self._printer(self, self.text())

    def save_receipt_pdf(self) -> None:
        self._pdf(self, self.text())

    def reprint(self) -> None:
        """Reprints say COPY, so a second paper never passes for a second payment."""
        copy = self._copy_text()
        self.text_view.setPlainText(copy)
        self._printer(self, copy)
