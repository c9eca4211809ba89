"""Adjust… (Ctrl+J): a discount, waiver or price correction of the selected unpaid item.

The dialog only says what was typed. Whether the item may be adjusted, what a percent
comes to and who may approve how much is the adjustments service's call. Without an
approver the adjustment becomes a request that waits for a supervisor ("pending
approval"); with an approver's name and password it is decided on the spot.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QComboBox, QFormLayout, QLabel, QLineEdit, QWidget

from pos_app.domain.adjustments import AdjustmentKind
from pos_app.domain.money import Currency
from pos_app.gui.form_dialog import FormDialog
from pos_app.gui.formatting import money_with_code
from pos_app.gui.widgets import amount_edit

OFFLINE = "Database connection lost: Adjust waits until it is back. Nothing you typed is lost."
KINDS = (
    ("Discount", AdjustmentKind.DISCOUNT),
    ("Waiver (all that is due)", AdjustmentKind.WAIVER),
    ("Price correction (new unit price)", AdjustmentKind.PRICE),
)
HINT = (
    "A cashier's adjustment waits for a supervisor's approval; a supervisor at the "
    "counter may approve it now with their password."
)


@dataclass(frozen=True)
class AdjustRequest:
    """What was typed: kind, amount or percent, reason code, and an optional approver."""

    kind: str
    amount: str | None
    percent: str | None
    reason_code: str
    approver: str
    password: str


class AdjustDialog(FormDialog):
    """Emits `adjust_requested(AdjustRequest)`; the controller signs the approver in and asks."""

    adjust_requested = Signal(object)

    def __init__(
        self,
        *,
        currency: Currency,
        item: str,
        where: str,
        due: Decimal,
        reason_codes: tuple[str, ...],
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(
            title="Adjust item", name="adjustDialog", heading=item, offline=OFFLINE, parent=parent
        )
        self.body.addWidget(
            QLabel(
                f"{where}   ·   due now  {money_with_code(currency, due)}", objectName="adjustDue"
            )
        )
        hint = QLabel(HINT, objectName="caption")
        hint.setWordWrap(True)
        self.body.addWidget(hint)
        self.kind_box = QComboBox(objectName="adjustKind")
        for text, kind in KINDS:
            self.kind_box.addItem(text, kind.value)
        self.amount_edit = amount_edit("adjustAmount")
        self.percent_edit = QLineEdit(objectName="adjustPercent")
        self.percent_edit.setPlaceholderText("or a percent of what is due, e.g. 10")
        self.reason_box = QComboBox(objectName="adjustReason")
        for code in reason_codes:
            self.reason_box.addItem(code.replace("_", " "), code)
        self.approver_edit = QLineEdit(objectName="approverUser")
        self.approver_edit.setPlaceholderText("optional: approve on the spot")
        self.password_edit = QLineEdit(objectName="approverPassword")
        self.password_edit.setEchoMode(QLineEdit.EchoMode.Password)
        form = QFormLayout()
        form.addRow("&Kind", self.kind_box)
        form.addRow(f"&Amount ({currency.code})", self.amount_edit)
        form.addRow("P&ercent", self.percent_edit)
        form.addRow("&Reason", self.reason_box)
        form.addRow("A&pprover", self.approver_edit)
        form.addRow("Pass&word", self.password_edit)
        self.body.addLayout(form)
        self.kind_box.currentIndexChanged.connect(self._kind_changed)
        for edit in (self.amount_edit, self.percent_edit, self.approver_edit, self.password_edit):
            edit.textChanged.connect(self._refresh)
        self._finish("Adjust", "adjustConfirm", width=720)
        self._kind_changed()
        self.kind_box.setFocus()

    def _kind(self) -> AdjustmentKind:
        return AdjustmentKind(self.kind_box.currentData())

    def _kind_changed(self) -> None:
        kind = self._kind()
        self.amount_edit.setEnabled(kind is not AdjustmentKind.WAIVER)
        self.percent_edit.setEnabled(kind is AdjustmentKind.DISCOUNT)
        self._refresh()

    def _ready(self) -> bool:
        kind, amount = self._kind(), self.amount_edit.text().strip()
        percent = self.percent_edit.text().strip()
        if kind is AdjustmentKind.DISCOUNT and bool(amount) == bool(percent):
            return False
        if kind is AdjustmentKind.PRICE and not amount:
            return False
        approver = self.approver_edit.text().strip()
        return self.reason_box.count() > 0 and (not approver or bool(self.password_edit.text()))

    def _send(self) -> None:
        self.adjust_requested.emit(self.request())

    def request(self) -> AdjustRequest:
        """What is typed, as the controller sends it (only the fields the kind takes)."""
        kind = self._kind()
        amount = self.amount_edit.text().strip() if self.amount_edit.isEnabled() else ""
        percent = self.percent_edit.text().strip() if self.percent_edit.isEnabled() else ""
        return AdjustRequest(
            kind.value,
            amount or None,
            percent or None,
            str(self.reason_box.currentData()),
            self.approver_edit.text().strip(),
            self.password_edit.text(),
        )

    def show_pending(self, text: str) -> None:
        """The request waits for approval: say so; Esc closes the dialog."""
        self.set_sending(False)
        self._say(text)
        self.confirm_button.setEnabled(False)
