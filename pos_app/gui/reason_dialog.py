"""Asks for a receipt number and a reason: reprinting a receipt and requesting a refund."""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QDialog, QFormLayout, QLabel, QLineEdit, QWidget

from pos_app.gui.form_dialog import FormDialog

REPRINT_HINT = "The copy is marked COPY n and the reprint is recorded."


class ReceiptReasonDialog(FormDialog):
    """Emits `submitted(receipt_no, reason)` once both are filled; shows refusals in place."""

    submitted = Signal(str, str)

    def __init__(
        self,
        *,
        title: str,
        confirm: str,
        hint: str,
        receipt_no: str = "",
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(title=title, name="receiptReasonDialog", heading=title, parent=parent)
        note = QLabel(hint, objectName="caption")
        note.setWordWrap(True)
        self.body.addWidget(note)
        form = QFormLayout()
        self.receipt_edit = QLineEdit(receipt_no, objectName="receiptNo")
        self.receipt_edit.setPlaceholderText("e.g. WS01-000123")
        self.reason_edit = QLineEdit(objectName="reason")
        self.reason_edit.setMaxLength(200)
        form.addRow("&Receipt number", self.receipt_edit)
        form.addRow("Rea&son", self.reason_edit)
        self.body.addLayout(form)
        for edit in (self.receipt_edit, self.reason_edit):
            edit.textChanged.connect(self._refresh)
        self._finish(confirm, "reasonConfirm", width=760)
        (self.reason_edit if receipt_no else self.receipt_edit).setFocus()

    def _ready(self) -> bool:
        return bool(self.receipt_edit.text().strip() and self.reason_edit.text().strip())

    def _send(self) -> None:
        self.submitted.emit(self.receipt_edit.text().strip(), self.reason_edit.text().strip())


def reprint_reason_dialog(parent: QWidget | None, receipt_no: str) -> ReceiptReasonDialog:
    """The reason prompt for one receipt the cashier has in front of them."""
    dialog = ReceiptReasonDialog(
        title="Reprint receipt",
        confirm="Reprint",
        hint=REPRINT_HINT,
        receipt_no=receipt_no,
        parent=parent,
    )
    dialog.receipt_edit.setReadOnly(True)
    return dialog


def ask_reprint_reason(parent: QWidget | None, receipt_no: str) -> str | None:
    """The receipt preview's Reprint: why this receipt is printed again; None when cancelled."""
    dialog = reprint_reason_dialog(parent, receipt_no)
    dialog.submitted.connect(lambda _no, _reason: dialog.accept())
    try:
        accepted = dialog.exec() == QDialog.DialogCode.Accepted
        return dialog.reason_edit.text().strip() if accepted else None
    finally:
        dialog.deleteLater()
