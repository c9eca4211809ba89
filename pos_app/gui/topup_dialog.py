"""Top up wallet: amount, method and reference; one idempotency key for the dialog's life."""

from __future__ import annotations

from decimal import Decimal

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from pos_app.domain.errors import BadInput
from pos_app.domain.kinds import DEPOSIT_METHODS
from pos_app.domain.money import Currency
from pos_app.gui.formatting import method_name, money_with_code

OFFLINE = "Database connection lost: Top up waits until it is back. Nothing you typed is lost."


class TopUpDialog(QDialog):
    """Emits `top_up_requested(amount, method, reference)`; the controller deposits."""

    top_up_requested = Signal(str, str, str)

    def __init__(self, *, currency: Currency, patient: str, balance: Decimal,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Top up wallet")
        self.setObjectName("topUpDialog")
        self._currency, self._online, self._sending = currency, True, False
        layout = QVBoxLayout(self)
        layout.addWidget(QLabel(patient, objectName="dialogTitle"))
        layout.addWidget(QLabel(f"Balance now  {money_with_code(currency, balance)}",
                                objectName="walletBalance"))
        form = QFormLayout()
        self.amount_edit = QLineEdit(objectName="topUpAmount")
        self.amount_edit.setAlignment(Qt.AlignmentFlag.AlignRight)
        self.method_combo = QComboBox(objectName="topUpMethod")
        for method in DEPOSIT_METHODS:
            self.method_combo.addItem(method_name(method.value), method.value)
        self.reference_edit = QLineEdit(objectName="topUpReference")
        self.reference_edit.setPlaceholderText("required for card and mobile money")
        form.addRow(f"&Amount ({currency.code})", self.amount_edit)
        form.addRow("&Method", self.method_combo)
        form.addRow("&Reference", self.reference_edit)
        layout.addLayout(form)
        self.message_label = QLabel(objectName="refusal")
        self.message_label.setWordWrap(True)
        layout.addWidget(self.message_label)
        row = QHBoxLayout()
        cancel = QPushButton("Cancel  [Esc]")
        cancel.setAutoDefault(False)
        cancel.clicked.connect(self.reject)
        self.confirm_button = QPushButton("Top up  [Enter]", objectName="topUpConfirm")
        self.confirm_button.setDefault(True)
        self.confirm_button.clicked.connect(self._confirm)
        row.addWidget(cancel)
        row.addStretch(1)
        row.addWidget(self.confirm_button)
        layout.addLayout(row)
        self.amount_edit.textChanged.connect(self._refresh)
        self.setMinimumWidth(720)
        self._refresh()
        self.amount_edit.setFocus()

    def _valid_amount(self) -> bool:
        try:
            self._currency.parse(self.amount_edit.text(), what="top-up amount")
        except BadInput:
            return False
        return True

    def _refresh(self) -> None:
        self.confirm_button.setEnabled(self._valid_amount() and self._online
                                       and not self._sending)

    def _confirm(self) -> None:
        if not self.confirm_button.isEnabled():
            return
        self.set_sending(True)
        self.top_up_requested.emit(self.amount_edit.text().strip(),
                                   self.method_combo.currentData(),
                                   self.reference_edit.text().strip())

    def set_sending(self, sending: bool) -> None:
        self._sending = sending
        if sending:
            self.show_refusal("")
        self._refresh()

    def show_refusal(self, text: str) -> None:
        self.message_label.setText(text)

    def set_online(self, online: bool) -> None:
        self._online = online
        self.show_refusal("" if online else OFFLINE)
        self._refresh()
