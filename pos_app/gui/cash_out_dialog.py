"""Cash out wallet: amount, reason and the approving supervisor's sign-in, sent as one request.

The dialog only says what was typed; whether the wallet can pay it, whether the
approver may approve and whether a shift is needed is the withdrawal service's call.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QFormLayout, QLabel, QLineEdit, QWidget

from pos_app.domain.errors import BadInput
from pos_app.domain.money import Currency
from pos_app.gui.form_dialog import FormDialog
from pos_app.gui.formatting import money_with_code
from pos_app.gui.widgets import amount_edit

OFFLINE = "Database connection lost: Cash out waits until it is back. Nothing you typed is lost."
HINT = "Cash comes out of this drawer; a supervisor approves with their password."


@dataclass(frozen=True)
class CashOutRequest:
    """What the cashier typed: how much, why, and who approves with which password."""

    amount: str
    reason: str
    supervisor: str
    password: str


class CashOutDialog(FormDialog):
    """Emits `cash_out_requested(CashOutRequest)`; the flows sign the supervisor in and withdraw."""

    cash_out_requested = Signal(object)

    def __init__(
        self,
        *,
        currency: Currency,
        patient: str,
        balance: Decimal,
        supervisor: str = "",
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(
            title="Cash out wallet",
            name="cashOutDialog",
            heading=patient,
            offline=OFFLINE,
            parent=parent,
        )
        self._currency = currency
        self.body.addWidget(
            QLabel(f"Balance now  {money_with_code(currency, balance)}", objectName="walletBalance")
        )
        hint = QLabel(HINT, objectName="caption")
        hint.setWordWrap(True)
        self.body.addWidget(hint)
        self.amount_edit = amount_edit("cashOutAmount")
        self.reason_edit = QLineEdit(objectName="cashOutReason")
        self.reason_edit.setPlaceholderText("required, e.g. patient discharged")
        self.supervisor_edit = QLineEdit(supervisor, objectName="supervisorUser")
        self.password_edit = QLineEdit(objectName="supervisorPassword")
        self.password_edit.setEchoMode(QLineEdit.EchoMode.Password)
        form = QFormLayout()
        form.addRow(f"&Amount ({currency.code})", self.amount_edit)
        form.addRow("&Reason", self.reason_edit)
        form.addRow("&Supervisor", self.supervisor_edit)
        form.addRow("&Password", self.password_edit)
        self.body.addLayout(form)
        for edit in (self.amount_edit, self.reason_edit, self.supervisor_edit, self.password_edit):
            edit.textChanged.connect(self._refresh)
        self._finish("Cash out", "cashOutConfirm", width=720)
        self.amount_edit.setFocus()

    def _ready(self) -> bool:
        try:
            self._currency.parse(self.amount_edit.text(), what="withdrawal")
        except BadInput:
            return False
        filled = self.reason_edit.text().strip() and self.supervisor_edit.text().strip()
        return bool(filled and self.password_edit.text())

    def _send(self) -> None:
        self.cash_out_requested.emit(self.request())

    def request(self) -> CashOutRequest:
        """What is typed, as the flows send it (the password exactly as typed)."""
        return CashOutRequest(
            self.amount_edit.text().strip(),
            self.reason_edit.text().strip(),
            self.supervisor_edit.text().strip(),
            self.password_edit.text(),
        )
