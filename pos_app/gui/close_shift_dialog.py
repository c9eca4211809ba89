"""Close shift, blind: count first, see expected, counted and variance only after submitting.

Cash may be counted as one total or by notes and coins; card slips, mobile-money
references and insurance authorisations are confirmed by amount and count. When the
service says the variance is beyond tolerance, the dialog asks for a reason code and
a supervisor's sign-off (user name and password) and the cashier submits again.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QBrush, QColor, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QDialog,
    QGridLayout,
    QGroupBox,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QSizePolicy,
    QStackedWidget,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from pos_app.domain.errors import BadInput
from pos_app.domain.money import Currency
from pos_app.gui.formatting import method_name, money, money_with_code
from pos_app.gui.widgets import RIGHT, amount_edit, confirm_row, fit_rows, refusal_label
from pos_app.services.shifts import REASON_CODES, Confirmation, ShiftSummary

# Notes and coins in circulation, largest first; other currencies type their own values.
DENOMINATIONS = {
    "KES": ("1000", "500", "200", "100", "50", "20", "10", "5", "1"),
    "UGX": ("50000", "20000", "10000", "5000", "2000", "1000", "500", "200", "100"),
    "TZS": ("10000", "5000", "2000", "1000", "500", "200", "100", "50"),
}
DENOMINATION_ROWS = 9
CONFIRMED = {"card": "slips", "mobile_money": "references", "insurance": "authorisations"}
SIGNOFF_HINT = ("The count differs from the books by more than the tolerance. Count again, or "
                "choose a reason and have a supervisor sign off with their password.")


@dataclass(frozen=True)
class CloseRequest:
    """What the cashier counted and, when needed, the reason and who signs off."""

    counted_cash: str | None
    denominations: dict[str, int] | None
    confirmations: dict[str, Confirmation]
    reason_code: str | None = None
    supervisor: tuple[str, str] | None = None


class CloseShiftDialog(QDialog):
    """Emits `close_requested(CloseRequest)`; `show_result` turns it into the close report."""

    close_requested = Signal(object)

    def __init__(self, *, currency: Currency, title: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Close shift")
        self.setObjectName("closeShiftDialog")
        self._currency, self._sending = currency, False
        self.pages = QStackedWidget()
        self.pages.addWidget(self._count_page(title))
        self.pages.addWidget(self._result_page())
        QVBoxLayout(self).addWidget(self.pages)
        QShortcut(QKeySequence("Ctrl+D"), self, self.toggle_denominations)
        self.setMinimumWidth(1040)
        self.cash_edit.setFocus()

    # --- building -------------------------------------------------------------------------
    def _count_page(self, title: str) -> QWidget:
        page = QWidget()
        layout = QVBoxLayout(page)
        layout.addWidget(QLabel(title, objectName="dialogTitle"))
        hint = QLabel("Count the drawer first: what the books expect is shown after you "
                      "submit.", objectName="caption")
        hint.setWordWrap(True)
        layout.addWidget(hint)
        grid = QGridLayout()
        self.cash_edit = amount_edit("countedCash", "counted cash", 200)
        cash_label = QLabel(f"&Cash counted ({self._currency.code})")
        cash_label.setBuddy(self.cash_edit)
        self.notes_button = QPushButton("Notes and coins…  [Ctrl+D]", objectName="notesButton")
        self.notes_button.setAutoDefault(False)
        self.notes_button.clicked.connect(self.toggle_denominations)
        grid.addWidget(cash_label, 0, 0)
        grid.addWidget(self.cash_edit, 0, 1)
        grid.addWidget(self.notes_button, 0, 2, 1, 2)
        self.amount_edits: dict[str, QLineEdit] = {}
        self.count_edits: dict[str, QLineEdit] = {}
        for row, (method, what) in enumerate(CONFIRMED.items(), start=1):
            self.amount_edits[method] = amount_edit(f"{method}Counted", "not confirmed", 200)
            self.count_edits[method] = amount_edit(f"{method}Count", what, 160)
            label = QLabel(f"&{row} {method_name(method)} total")
            label.setBuddy(self.amount_edits[method])
            grid.addWidget(label, row, 0)
            grid.addWidget(self.amount_edits[method], row, 1)
            grid.addWidget(QLabel(f"number of {what}"), row, 2)
            grid.addWidget(self.count_edits[method], row, 3)
        layout.addLayout(grid)
        layout.addWidget(self._denominations())
        layout.addWidget(self._signoff())
        self.message_label = refusal_label()
        layout.addWidget(self.message_label)
        row, self.submit_button = confirm_row(self, "Close shift", "closeShiftConfirm",
                                              self._submit)
        layout.addLayout(row)
        for edit in page.findChildren(QLineEdit):  # Enter submits from any field
            edit.returnPressed.connect(self._submit)
        return page

    def _denominations(self) -> QWidget:
        self.notes_box = QGroupBox("Notes and coins: value × how many")
        grid = QGridLayout(self.notes_box)
        values = DENOMINATIONS.get(self._currency.code, ())
        self.note_rows: list[tuple[QLineEdit, QLineEdit]] = []
        for i in range(DENOMINATION_ROWS):
            value = amount_edit(f"noteValue{i}", "value", 120)
            value.setText(values[i] if i < len(values) else "")
            quantity = amount_edit(f"noteCount{i}", "0", 90)
            quantity.textChanged.connect(self._notes_changed)
            value.textChanged.connect(self._notes_changed)
            grid.addWidget(value, i % 5, (i // 5) * 3)
            grid.addWidget(QLabel("×"), i % 5, (i // 5) * 3 + 1)
            grid.addWidget(quantity, i % 5, (i // 5) * 3 + 2)
            self.note_rows.append((value, quantity))
        self.notes_total = QLabel(objectName="total")
        grid.addWidget(self.notes_total, 5, 0, 1, 6)
        self.notes_box.hide()
        return self.notes_box

    def _signoff(self) -> QWidget:
        self.signoff_box = QGroupBox("Supervisor sign-off")
        grid = QGridLayout(self.signoff_box)
        hint = QLabel(SIGNOFF_HINT)
        hint.setWordWrap(True)
        self.reason_combo = QComboBox(objectName="varianceReason")
        for code in REASON_CODES:
            self.reason_combo.addItem(code.replace("_", " ").capitalize(), code)
        self.supervisor_edit = QLineEdit(objectName="supervisorUser")
        self.password_edit = QLineEdit(objectName="supervisorPassword")
        self.password_edit.setEchoMode(QLineEdit.EchoMode.Password)
        grid.addWidget(hint, 0, 0, 1, 2)
        for row, (text, widget) in enumerate((("Reason", self.reason_combo),
                                              ("Supervisor", self.supervisor_edit),
                                              ("Password", self.password_edit)), start=1):
            grid.addWidget(QLabel(text), row, 0)
            grid.addWidget(widget, row, 1)
        self.signoff_box.hide()
        return self.signoff_box

    def _result_page(self) -> QWidget:
        page = QWidget()
        layout = QVBoxLayout(page)
        layout.addWidget(QLabel("Shift closed", objectName="dialogTitle"))
        self.result_table = QTableWidget(0, 4, objectName="shiftResult")
        self.result_table.setHorizontalHeaderLabels(["Tender", "Expected", "Counted",
                                                     "Variance"])
        self.result_table.verticalHeader().hide()
        self.result_table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.result_table.horizontalHeader().setSectionResizeMode(
            QHeaderView.ResizeMode.Stretch)
        layout.addWidget(self.result_table)
        self.summary_label = QLabel(objectName="total")
        self.summary_label.setWordWrap(True)
        layout.addWidget(self.summary_label)
        done = QPushButton("Done  [Enter]", objectName="closeShiftDone")
        done.setAutoDefault(False)
        done.clicked.connect(self.accept)
        self.done_button = done
        layout.addWidget(done, 0, Qt.AlignmentFlag.AlignRight)
        layout.addStretch(1)
        return page

    # --- counting -------------------------------------------------------------------------
    def toggle_denominations(self) -> None:
        self.notes_box.setVisible(not self.notes_box.isVisible())
        self.adjustSize()

    def denominations(self) -> dict[str, int]:
        """{note value: how many} of the rows filled in; BadInput for a count that is no number."""
        counts: dict[str, int] = {}
        for value, quantity in self.note_rows:
            text = quantity.text().strip()
            if value.text().strip() and text:
                if not text.isdigit():
                    raise BadInput(f"Count of {value.text()} must be a whole number.",
                                   code="invalid_count")
                counts[value.text().strip()] = counts.get(value.text().strip(), 0) + int(text)
        return counts

    def _notes_changed(self) -> None:
        try:
            total = sum((self._currency.parse(v, what="note value") * n
                         for v, n in self.denominations().items()), Decimal(0))
        except BadInput as error:
            self.notes_total.setText(error.message)
            return
        self.notes_total.setText(
            f"Notes and coins add up to {money_with_code(self._currency, total)}")

    def _submit(self) -> None:
        if self._sending:
            return
        try:
            request = self.request()
        except BadInput as error:
            self.show_refusal(error.message)
            return
        self._sending = True
        self.submit_button.setEnabled(False)
        self.message_label.setText("")
        self.close_requested.emit(request)

    def request(self) -> CloseRequest:
        """What was typed, as the service takes it (the service checks every amount)."""
        counts = self.denominations()
        confirmations = {}
        for method, edit in self.amount_edits.items():
            count = self.count_edits[method].text().strip()
            if count and not count.isdigit():
                raise BadInput(f"The number of {CONFIRMED[method]} is a whole number.",
                               code="invalid_count")
            if edit.text().strip():
                confirmations[method] = Confirmation(edit.text().strip(),
                                                     int(count) if count else None)
        signoff = self.signoff_box.isVisible()
        return CloseRequest(
            self.cash_edit.text().strip() or None, counts or None, confirmations,
            self.reason_combo.currentData() if signoff else None,
            (self.supervisor_edit.text().strip(), self.password_edit.text())
            if signoff else None)

    # --- outcome --------------------------------------------------------------------------
    def show_refusal(self, text: str) -> None:
        self._sending = False
        self.submit_button.setEnabled(True)
        self.message_label.setText(text)

    def ask_signoff(self, text: str) -> None:
        self.show_refusal(text)
        self.signoff_box.show()
        self.supervisor_edit.setFocus()
        self.adjustSize()

    def show_result(self, summary: ShiftSummary) -> None:
        """Expected, counted and variance per tender, the variances in red."""
        table = self.result_table
        table.setRowCount(len(summary.tenders))
        for row, line in enumerate(summary.tenders):
            counted = "not confirmed" if line.counted is None else money(self._currency,
                                                                         line.counted)
            variance = "" if line.variance is None else money(self._currency, line.variance)
            for col, text in enumerate((method_name(line.method),
                                        money(self._currency, line.expected), counted,
                                        variance)):
                item = QTableWidgetItem(text)
                if col:
                    item.setTextAlignment(RIGHT)
                table.setItem(row, col, item)
            if line.variance:
                table.item(row, 3).setForeground(QBrush(QColor("#b00020")))
        cash = money_with_code(self._currency, summary.variance or Decimal(0))
        extra = ""
        if summary.variance_reason:
            extra = (f"  ·  reason {summary.variance_reason.replace('_', ' ')}, signed off by "
                     f"{summary.approved_by}")
        self.summary_label.setText(f"Cash variance {cash}{extra}")
        fit_rows(table)
        self.pages.setCurrentIndex(1)
        # The counting page no longer counts towards the size: the report is short.
        ignored = QSizePolicy.Policy.Ignored
        self.pages.widget(0).setSizePolicy(ignored, ignored)
        self.pages.updateGeometry()
        self.layout().activate()
        margins = self.layout().contentsMargins()
        self.resize(self.width(), margins.top() + margins.bottom()
                    + self.pages.currentWidget().heightForWidth(self.pages.width()))
        self.submit_button.setDefault(False)
        self.done_button.setDefault(True)
        self.done_button.setFocus()
