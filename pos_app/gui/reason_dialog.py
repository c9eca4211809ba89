"""Asks for a receipt number and a reason: reprinting a receipt and requesting a refund."""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)


class ReceiptReasonDialog(QDialog):
    """Emits `submitted(receipt_no, reason)` once both are filled; shows refusals in place."""

    submitted = Signal(str, str)

    def __init__(self, *, title: str, confirm: str, hint: str, receipt_no: str = "",
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(title)
        self.setObjectName("receiptReasonDialog")
        self._sending = False
        layout = QVBoxLayout(self)
        layout.addWidget(QLabel(title, objectName="dialogTitle"))
        note = QLabel(hint, objectName="caption")
        note.setWordWrap(True)
        layout.addWidget(note)
        form = QFormLayout()
        self.receipt_edit = QLineEdit(receipt_no, objectName="receiptNo")
        self.receipt_edit.setPlaceholderText("e.g. WS01-000123")
        self.reason_edit = QLineEdit(objectName="reason")
        self.reason_edit.setMaxLength(200)
        form.addRow("&Receipt number", self.receipt_edit)
        form.addRow("Rea&son", self.reason_edit)
        layout.addLayout(form)
        self.message_label = QLabel(objectName="refusal")
        self.message_label.setWordWrap(True)
        layout.addWidget(self.message_label)
        row = QHBoxLayout()
        cancel = QPushButton("Cancel  [Esc]")
        cancel.setAutoDefault(False)
        cancel.clicked.connect(self.reject)
        self.confirm_button = QPushButton(f"{confirm}  [Enter]", objectName="reasonConfirm")
        self.confirm_button.setDefault(True)
        self.confirm_button.clicked.connect(self._confirm)
        row.addWidget(cancel)
        row.addStretch(1)
        row.addWidget(self.confirm_button)
        layout.addLayout(row)
        for edit in (self.receipt_edit, self.reason_edit):
            edit.textChanged.connect(self._refresh)
        self.setMinimumWidth(760)
        self._refresh()
        (self.reason_edit if receipt_no else self.receipt_edit).setFocus()

    def _refresh(self) -> None:
        filled = bool(self.receipt_edit.text().strip() and self.reason_edit.text().strip())
        self.confirm_button.setEnabled(filled and not self._sending)

    def _confirm(self) -> None:
        if self.confirm_button.isEnabled():
            self.set_sending(True)
            self.submitted.emit(self.receipt_edit.text().strip(), self.reason_edit.text().strip())

    def set_sending(self, sending: bool) -> None:
        self._sending = sending
        if sending:
            self.message_label.setText("")
        self._refresh()

    def show_refusal(self, text: str) -> None:
        self.set_sending(False)
        self.message_label.setText(text)
