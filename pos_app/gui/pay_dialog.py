"""The Pay dialog: one row per tender, live remaining and change; Pay only when it adds up."""

from __future__ import annotations

from decimal import Decimal

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QDialog,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from pos_app.domain.errors import BadInput
from pos_app.domain.money import Currency
from pos_app.gui import pay_form
from pos_app.gui.formatting import method_name, money_with_code
from pos_app.services.tenders import NEEDS_REFERENCE

RIGHT = Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter
OFFLINE = "Database connection lost: Pay waits until it is back. Nothing you typed is lost."


def _money_edit(name: str) -> QLineEdit:
    edit = QLineEdit(objectName=name)
    edit.setAlignment(RIGHT)
    edit.setPlaceholderText("0")
    edit.setMinimumWidth(220)
    return edit


class PayDialog(QDialog):
    """Emits `pay_requested(list[TenderRequest])`; the controller does the paying."""

    pay_requested = Signal(list)

    def __init__(self, *, currency: Currency, total: Decimal, wallet_balance: Decimal,
                 patient: str, item_count: int, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Pay")
        self.setObjectName("payDialog")
        self._currency, self._total, self._balance = currency, total, wallet_balance
        self._online, self._sending = True, False
        self.amounts: dict[str, QLineEdit] = {}
        self.references: dict[str, QLineEdit] = {}
        layout = QVBoxLayout(self)
        layout.addWidget(QLabel(f"{patient}  ·  {item_count} item(s)", objectName="dialogTitle"))
        self.total_label = QLabel(f"Total  {money_with_code(currency, total)}", objectName="total")
        self.total_label.setAlignment(RIGHT)
        layout.addWidget(self.total_label)
        layout.addLayout(self._rows())
        self.remaining_label = QLabel(objectName="remaining")
        self.remaining_label.setAlignment(RIGHT)
        layout.addWidget(self.remaining_label)
        self.message_label = QLabel(objectName="refusal")
        self.message_label.setWordWrap(True)
        layout.addWidget(self.message_label)
        layout.addLayout(self._buttons())
        for edit in [*self.amounts.values(), *self.references.values(), self.tendered_edit]:
            edit.textChanged.connect(self._refresh)
        self.setMinimumWidth(1000)
        self._refresh()
        self.amounts["wallet" if wallet_balance > 0 else "cash"].setFocus()

    def _rows(self) -> QGridLayout:
        grid = QGridLayout()
        for row, method in enumerate(pay_form.METHODS):
            label = QLabel(f"&{row + 1} {method_name(method)}")
            amount = _money_edit(f"{method}Amount")
            label.setBuddy(amount)
            self.amounts[method] = amount
            rest = QPushButton(f"Rest [Ctrl+{row + 1}]", objectName=f"{method}Rest")
            rest.setAutoDefault(False)
            rest.setFocusPolicy(Qt.FocusPolicy.NoFocus)
            rest.clicked.connect(lambda _=False, m=method: self.fill_rest(m))
            QShortcut(QKeySequence(f"Ctrl+{row + 1}"), self, lambda m=method: self.fill_rest(m))
            grid.addWidget(label, row, 0)
            grid.addWidget(amount, row, 1)
            grid.addWidget(rest, row, 2)
            grid.addWidget(self._extra(method), row, 3)
        return grid

    def _extra(self, method: str) -> QWidget:
        if method == "wallet":
            return QLabel(f"Balance {money_with_code(self._currency, self._balance)}",
                          objectName="walletBalance")
        if method == "cash":
            box = QWidget()
            row = QHBoxLayout(box)
            row.setContentsMargins(0, 0, 0, 0)
            self.tendered_edit = _money_edit("cashTendered")
            self.tendered_edit.setPlaceholderText("cash tendered")
            self.tendered_edit.setMinimumWidth(160)
            self.change_label = QLabel(objectName="change")
            row.addWidget(self.tendered_edit)
            row.addWidget(self.change_label)
            return box
        edit = QLineEdit(objectName=f"{method}Reference")
        needed = " (required)" if method in {m.value for m in NEEDS_REFERENCE} else ""
        edit.setPlaceholderText(f"reference{needed}")
        edit.setMinimumWidth(300)
        self.references[method] = edit
        return edit

    def _buttons(self) -> QHBoxLayout:
        row = QHBoxLayout()
        self.cancel_button = QPushButton("Cancel  [Esc]", objectName="cancelButton")
        self.cancel_button.setAutoDefault(False)
        self.cancel_button.clicked.connect(self.reject)
        self.pay_button = QPushButton("Pay  [Enter]", objectName="payConfirm")
        self.pay_button.setDefault(True)
        self.pay_button.clicked.connect(self._pay)
        row.addWidget(self.cancel_button)
        row.addStretch(1)
        row.addWidget(self.pay_button)
        return row

    # --- state --------------------------------------------------------------------------------
    def rows(self) -> list[pay_form.TenderRow]:
        return [pay_form.TenderRow(
            method, self.amounts[method].text(),
            self.references[method].text() if method in self.references else "",
            self.tendered_edit.text() if method == "cash" else "")
            for method in pay_form.METHODS]

    def state(self) -> pay_form.FormState:
        return pay_form.evaluate(self._currency, self._total, self._balance, self.rows())

    def fill_rest(self, method: str) -> None:
        """Put what is still owed on this row (the wallet only up to its balance)."""
        try:
            current = Decimal(self.amounts[method].text().replace(",", "") or 0)
        except ArithmeticError:
            current = Decimal(0)
        amount = max(self.state().remaining + current, Decimal(0))
        if method == "wallet":
            amount = min(amount, self._balance)
        self.amounts[method].setText(str(amount.quantize(self._currency.quantum)))
        self.amounts[method].setFocus()

    def _refresh(self) -> None:
        state = self.state()
        code = self._currency.code
        self.remaining_label.setText(
            f"Remaining  {money_with_code(self._currency, state.remaining)}")
        self.remaining_label.setProperty("settled", state.remaining == 0)
        self.remaining_label.style().polish(self.remaining_label)
        self.change_label.setText("" if state.change is None else
                                  f"Change {code} {state.change:,}")
        hint = "; ".join(state.problems)
        self.pay_button.setToolTip(hint or "Pay now")
        self.pay_button.setEnabled(state.ready and self._online and not self._sending)
        if state.problems:
            self.message_label.setText(hint)
        elif self.message_label.property("refusal") is not True:
            self.message_label.setText("" if self._online else OFFLINE)

    def _pay(self) -> None:
        if not self.pay_button.isEnabled():
            return
        try:
            tenders = pay_form.requests(self.rows())
        except (BadInput, ArithmeticError):
            return
        self.set_sending(True)
        self.pay_requested.emit(tenders)

    # --- setters for the controller -----------------------------------------------------------
    def set_sending(self, sending: bool) -> None:
        """While a payment is in flight Pay stays disabled; the key makes a resend harmless."""
        self._sending = sending
        if sending:
            self.show_refusal("")
        self._refresh()

    def show_refusal(self, text: str) -> None:
        """A refusal in plain words; every typed tender stays as it was."""
        self.message_label.setProperty("refusal", bool(text))
        self.message_label.setText(text)

    def set_online(self, online: bool) -> None:
        self._online = online
        if not online:
            self.show_refusal(OFFLINE)
        elif self.message_label.text() == OFFLINE:
            self.show_refusal("")
        self._refresh()
