"""Top up wallet: amount, method and reference; one idempotency key for the dialog's life."""

from __future__ import annotations

from decimal import Decimal

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QComboBox, QFormLayout, QLabel, QLineEdit, QWidget

from pos_app.domain.errors import BadInput
from pos_app.domain.kinds import DEPOSIT_METHODS
from pos_app.domain.money import Currency
from pos_app.gui.form_dialog import FormDialog
from pos_app.gui.formatting import method_name, money_with_code
from pos_app.gui.widgets import amount_edit

OFFLINE = "Database connection lost: Top up waits until it is back. Nothing you typed is lost."


class TopUpDialog(FormDialog):
    """Emits `top_up_requested(amount, method, reference)`; the controller deposits."""

    top_up_requested = Signal(str, str, str)

    def __init__(
        self, *, currency: Currency, patient: str, balance: Decimal, parent: QWidget | None = None
    ) -> None:
        super().__init__(
            title="Top up wallet",
            name="topUpDialog",
            heading=patient,
            offline=OFFLINE,
            parent=parent,
        )
        self._currency = currency
        self.body.addWidget(
            QLabel(f"Balance now  {money_with_code(currency, balance)}", objectName="walletBalance")
        )
        form = QFormLayout()
        self.amount_edit = amount_edit("topUpAmount")
        self.method_combo = QComboBox(objectName="topUpMethod")
        for method in DEPOSIT_METHODS:
            self.method_combo.addItem(method_name(method.value), method.value)
        self.reference_edit = QLineEdit(objectName="topUpReference")
        self.reference_edit.setPlaceholderText("required for card and mobile money")
        form.addRow(f"&Amount ({currency.code})", self.amount_edit)
        form.addRow("&Method", self.method_combo)
        form.addRow("&Reference", self.reference_edit)
        self.body.addLayout(form)
        self.amount_edit.textChanged.connect(self._refresh)
        self._finish("Top up", "topUpConfirm", width=720)
        self.amount_edit.setFocus()

    def _ready(self) -> bool:
        try:
            self._currency.parse(self.amount_edit.text(), what="top-up amount")
        except BadInput:
            return False
        return True

    def _send(self) -> None:
        self.top_up_requested.emit(
            self.amount_edit.text().strip(),
            self.method_combo.currentData(),
            self.reference_edit.text().strip(),
        )
