"""Receipt preview after each payment and deposit, with Print / Save PDF / Reprint.

It shows the one receipt template (pos_app.receipts.text) and its QR code; the
buttons hand over to `ReceiptActions`, and a reprint's COPY replaces what is shown.
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QFont, QFontDatabase, QKeySequence, QPixmap
from PySide6.QtWidgets import (
    QDialog,
    QHBoxLayout,
    QLabel,
    QPlainTextEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from pos_app.gui.formatting import money_with_code
from pos_app.gui.receipt_actions import ReceiptActions, qr_qimage
from pos_app.gui.shortcuts import BY_NAME
from pos_app.gui.widgets import fit_to_screen

QR_SIDE = 220


def _fixed_font(points: int) -> QFont:
    font = QFont("DejaVu Sans Mono")
    font.setStyleHint(QFont.StyleHint.Monospace)
    if not QFont(font).exactMatch():
        font = QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont)
    font.setPointSize(points)
    return font


class ReceiptPreview(QDialog):
    """Shows the receipt; Print, Save PDF and Reprint go to its `ReceiptActions`."""

    def __init__(self, actions: ReceiptActions, *, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Receipt")
        self.setObjectName("receiptPreview")
        self.actions = actions
        actions.setParent(self)
        self.title = QLabel(objectName="dialogTitle")
        self.change_panel = QLabel(objectName="changeDue")  # read at arm's length while counting
        self.change_panel.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.text_view = QPlainTextEdit(objectName="receiptText")
        self.text_view.setReadOnly(True)
        self.text_view.setFont(_fixed_font(15))
        self.qr_label = QLabel(objectName="receiptQr")
        self.qr_label.setAlignment(Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignHCenter)
        layout = QVBoxLayout(self)
        layout.addWidget(self.title)
        layout.addWidget(self.change_panel)
        body = QHBoxLayout()
        body.addWidget(self.text_view, 1)
        body.addWidget(self.qr_label)
        layout.addLayout(body, 1)
        row = QHBoxLayout()
        self.buttons: dict[str, QPushButton] = {}
        for name, text, slot in (
            ("print", "Print", lambda: actions.printer(self)),
            ("pdf", "Save PDF", lambda: actions.pdf(self)),
            ("reprint", "Reprint…", lambda: actions.reprint(self)),
            ("cancel", "Close", self.accept),
        ):
            shortcut = BY_NAME[name]
            button = QPushButton(shortcut.label(text), objectName=f"{name}Receipt")
            button.setShortcut(QKeySequence(shortcut.keys))
            button.setAutoDefault(False)
            button.clicked.connect(slot)
            self.buttons[name] = button
            row.addWidget(button)
        layout.addLayout(row)
        actions.changed.connect(self._show)
        self._show()
        fit_to_screen(self, 1000, 980)

    def _show(self) -> None:
        receipt = self.actions.current
        copy = f"  ·  COPY {receipt.copy_number}" if receipt.copy_number else ""
        self.title.setText(f"Receipt {receipt.receipt_no}{copy}")
        change = receipt.change if not receipt.copy_number else 0
        self.change_panel.setText(
            f"CHANGE  {money_with_code(receipt.currency, change)}" if change else ""
        )
        self.change_panel.setVisible(bool(change))
        self.text_view.setPlainText(self.actions.text())
        pixmap = QPixmap.fromImage(qr_qimage(receipt, scale=4))
        self.qr_label.setPixmap(pixmap.scaled(QR_SIDE, QR_SIDE, Qt.AspectRatioMode.KeepAspectRatio))

    def text(self) -> str:
        return self.text_view.toPlainText()
