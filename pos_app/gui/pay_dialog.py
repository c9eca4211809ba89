"""The Pay dialog: a payer choice, one row per tender, live remaining and change; Pay only when
it adds up to what the patient owes (with a payer, the patient's share of the split)."""

from __future__ import annotations

from decimal import Decimal

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QComboBox,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QWidget,
)

from pos_app.domain.errors import BadInput
from pos_app.domain.kinds import NEEDS_REFERENCE
from pos_app.domain.money import Currency
from pos_app.gui import pay_form
from pos_app.gui.form_dialog import FormDialog
from pos_app.gui.formatting import method_name, money, money_with_code
from pos_app.gui.widgets import RIGHT, amount_edit
from pos_app.services.payers import Membership, SplitPreview

OFFLINE = "Database connection lost: Pay waits until it is back. Nothing you typed is lost."
WORKING = "Working out the payer's share..."


class PayDialog(FormDialog):
    """Emits `pay_requested(list[TenderRequest])`; the controller does the paying. Choosing a
    payer emits `payer_chosen(code)` ("" for none); the controller answers with `set_split`
    (or `split_refused`), and until then Pay waits."""

    pay_requested = Signal(list)
    payer_chosen = Signal(str)

    def __init__(
        self,
        *,
        currency: Currency,
        total: Decimal,
        wallet_balance: Decimal,
        patient: str,
        item_count: int,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(
            title="Pay",
            name="payDialog",
            heading=f"{patient}  ·  {item_count} item(s)",
            offline=OFFLINE,
            parent=parent,
        )
        self._currency, self._total, self._balance = currency, total, wallet_balance
        self._split: SplitPreview | None = None  # the chosen payer's split, once it is known
        self.amounts: dict[str, QLineEdit] = {}
        self.references: dict[str, QLineEdit] = {}
        self.body.addLayout(self._payer_row())
        self.split_label = QLabel(objectName="payerSplit")
        self.total_label = QLabel(objectName="total")
        self.total_label.setAlignment(RIGHT)
        totals = QHBoxLayout()
        totals.addWidget(self.split_label)
        totals.addStretch(1)
        totals.addWidget(self.total_label)
        self.body.addLayout(totals)
        self.body.addLayout(self._rows())
        self.remaining_label = QLabel(objectName="remaining")
        self.remaining_label.setAlignment(RIGHT)
        self.body.addWidget(self.remaining_label)
        for edit in [*self.amounts.values(), *self.references.values(), self.tendered_edit]:
            edit.textChanged.connect(self._refresh)
        self._reserve_space()
        self._finish("Pay", "payConfirm", width=1000)
        self._prefill_wallet()

    def _reserve_space(self) -> None:
        """Room for the widest change and two lines of reasons, so no field jumps as they come."""
        widest = f"Change {money_with_code(self._currency, self._total * 10)}"
        for label in (self.change_label, self.message_label):
            label.ensurePolished()  # the style sheet's font, not the default one
        self.change_label.setMinimumWidth(self.change_label.fontMetrics().horizontalAdvance(widest))
        self.message_label.setMinimumHeight(2 * self.message_label.fontMetrics().lineSpacing())

    def _prefill_wallet(self) -> None:
        """The wallet row starts with what the wallet can cover; the cursor goes where the rest is
        typed (or stays on the wallet row, where Enter pays, when the wallet covers it all)."""
        covered = self._fill_wallet()
        row = "wallet" if covered > 0 and covered == self._total else "cash"
        self.amounts[row].setFocus()
        self.amounts[row].selectAll()

    def _fill_wallet(self) -> Decimal:
        covered = min(self._balance, self.owed)
        if self._balance > 0:
            self.amounts["wallet"].setText(money(self._currency, covered) if covered else "")
        return covered

    def _payer_row(self) -> QHBoxLayout:
        row = QHBoxLayout()
        self.payer_combo = QComboBox(objectName="payerChoice")
        self.payer_combo.addItem("No payer", "")
        self.payer_combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)
        self.payer_combo.currentIndexChanged.connect(self._payer_changed)
        label = QLabel("Payer [Ctrl+I]")
        label.setBuddy(self.payer_combo)
        QShortcut(QKeySequence("Ctrl+I"), self, self.payer_combo.setFocus)
        row.addWidget(label)
        row.addWidget(self.payer_combo)
        row.addStretch(1)
        return row

    # --- payer --------------------------------------------------------------------------------
    @property
    def payer(self) -> str:
        """The chosen payer's code; "" for none."""
        return str(self.payer_combo.currentData() or "")

    @property
    def owed(self) -> Decimal:
        """What the tenders must add up to: the patient's share once a payer's split is in."""
        return self._total if self._split is None else self._split.patient_share

    def set_memberships(self, memberships: list[Membership]) -> None:
        """The patient's valid memberships, offered after "No payer"."""
        for m in memberships:
            self.payer_combo.addItem(
                f"{m.payer_name} ({m.payer_code})  ·  member {m.member_no}", m.payer_code
            )

    def set_split(self, split: SplitPreview) -> None:
        """The split for the chosen payer (an answer for a payer no longer chosen is dropped)."""
        if split.payer != self.payer:
            return
        self._split = split
        self.split_label.setText(
            f"Payer share {money_with_code(self._currency, split.payer_share)}  ·  "
            f"Patient share {money_with_code(self._currency, split.patient_share)}"
        )
        self._fill_wallet()
        self._refresh()

    def split_refused(self, payer: str, message: str) -> None:
        """The payer cannot take these items (not covered, lapsed): back to no payer, say why."""
        if payer != self.payer:
            return
        self.payer_combo.setCurrentIndex(0)
        self._say(message)

    def _payer_changed(self) -> None:
        self._split = None
        self.split_label.setText(WORKING if self.payer else "")
        self._say("")
        if not self.payer:
            self._fill_wallet()
        self._refresh()
        self.payer_chosen.emit(self.payer)

    def _rows(self) -> QGridLayout:
        grid = QGridLayout()
        for row, method in enumerate(pay_form.METHODS):
            label = QLabel(f"&{row + 1} {method_name(method)}")
            amount = amount_edit(f"{method}Amount", "0", 220)
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
            return QLabel(
                f"Balance {money_with_code(self._currency, self._balance)}",
                objectName="walletBalance",
            )
        if method == "cash":
            box = QWidget(objectName="cashBox")
            row = QHBoxLayout(box)
            row.setContentsMargins(0, 0, 0, 0)
            self.tendered_edit = amount_edit("cashTendered", "cash tendered", 160)
            self.change_label = QLabel(objectName="change")
            row.addWidget(self.tendered_edit)
            row.addWidget(self.change_label)
            return box
        if method == "credit":
            return QLabel("pay later, within the credit limit", objectName="creditNote")
        edit = QLineEdit(objectName=f"{method}Reference")
        needed = " (required)" if method in {m.value for m in NEEDS_REFERENCE} else ""
        edit.setPlaceholderText(f"reference{needed}")
        edit.setMinimumWidth(300)
        self.references[method] = edit
        return edit

    # --- state --------------------------------------------------------------------------------
    def rows(self) -> list[pay_form.TenderRow]:
        return [
            pay_form.TenderRow(
                method,
                self.amounts[method].text(),
                self.references[method].text() if method in self.references else "",
                self.tendered_edit.text() if method == "cash" else "",
            )
            for method in pay_form.METHODS
        ]

    def state(self) -> pay_form.FormState:
        state = pay_form.evaluate(
            self._currency,
            self.owed,
            self._balance,
            self.rows(),
            owed="patient's share" if self.payer else "total",
        )
        if self.payer and self._split is None:
            state.problems.insert(0, WORKING)
        return state

    def fill_rest(self, method: str) -> None:
        """Put what is still owed on this row (the wallet only up to its balance)."""
        try:
            current = pay_form.amount(self._currency, self.amounts[method].text(), method)
        except BadInput:
            current = Decimal(0)
        amount = max(self.state().remaining + current, Decimal(0))
        if method == "wallet":
            amount = min(amount, self._balance)
        self.amounts[method].setText(money(self._currency, amount))
        self.amounts[method].setFocus()

    def _ready(self) -> bool:
        return self.state().ready

    def _refresh(self) -> None:
        """Remaining, change and why Pay waits, as the cashier types."""
        state = self.state()
        self.total_label.setText(
            f"Total  {money_with_code(self._currency, self._total)}"
            if self._split is None
            else f"Patient pays  {money_with_code(self._currency, self._split.patient_share)}"
        )
        self.remaining_label.setText(
            f"Remaining  {money_with_code(self._currency, state.remaining)}"
        )
        self.remaining_label.setProperty("settled", state.remaining == 0)
        self.remaining_label.style().polish(self.remaining_label)
        self.change_label.setText(
            ""
            if state.change is None
            else f"Change {money_with_code(self._currency, state.change)}"
        )
        hint = " ".join(state.problems)
        self.confirm_button.setToolTip(hint or "Pay now")
        super()._refresh()
        if state.problems:
            self.message_label.setText(hint)
        elif self.message_label.property("refusal") is not True:
            self.message_label.setText("" if self._online else OFFLINE)

    def _send(self) -> None:
        try:
            tenders = pay_form.requests(self._currency, self.rows())
        except (BadInput, ArithmeticError):
            self.set_sending(False)
            return
        self.pay_requested.emit(tenders)

    def _say(self, text: str) -> None:
        """A refusal stays until the next press; the live problems give way to it."""
        self.message_label.setProperty("refusal", bool(text))
        self.message_label.setText(text)
