"""Close shift, blind: count first, see expected, counted and variance only after submitting.

Cash is counted note by note (each value a fixed label with one count field, Tab going
count to count, "Cash counted" adding up as they are typed) or as one total; card slips,
mobile-money references and insurance authorisations are confirmed by amount and count.
When the service says the variance is beyond tolerance, the dialog asks for a reason
code and a supervisor's sign-off and the cashier submits again. After the close it
shows the result in words and offers the shift slip (print, PDF).
"""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtCore import Signal
from PySide6.QtGui import QBrush, QColor, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QDialog,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
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

from pos_app.domain.cash_count import counted_total, denominations, parse_count, variance_words
from pos_app.domain.errors import BadInput
from pos_app.domain.money import Currency
from pos_app.domain.numbers import MAX_COUNT, whole_number
from pos_app.gui.formatting import method_name, money
from pos_app.gui.widgets import RIGHT, amount_edit, confirm_row, fit_rows, refusal_label
from pos_app.services.shifts import REASON_LABELS, Confirmation, ShiftSummary

NOTE_COLUMNS = 3
CONFIRMED = {"card": "slips", "mobile_money": "references", "insurance": "authorisations"}


@dataclass(frozen=True)
class CloseRequest:
    """What the cashier counted and, when needed, the reason and who signs off."""

    counted_cash: str | None
    denominations: dict[str, int] | None
    confirmations: dict[str, Confirmation]
    reason_code: str | None = None
    supervisor: tuple[str, str] | None = None


class CloseShiftDialog(QDialog):
    """Emits `close_requested(CloseRequest)`; `show_result` turns it into the close report.

    On the report, `print_slip_requested` and `pdf_slip_requested` ask for the shift slip.
    """

    close_requested = Signal(object)
    print_slip_requested = Signal()
    pdf_slip_requested = Signal()

    def __init__(self, *, currency: Currency, title: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Close shift")
        self.setObjectName("closeShiftDialog")
        self._currency, self._sending = currency, False
        self.pages = QStackedWidget()
        self.pages.addWidget(self._count_page(title))
        self.pages.addWidget(self._result_page())
        QVBoxLayout(self).addWidget(self.pages)
        QShortcut(QKeySequence("Ctrl+D"), self, self.focus_notes)
        self.setMinimumWidth(980)
        self.focus_notes()

    # --- building -------------------------------------------------------------------------
    def _count_page(self, title: str) -> QWidget:
        page = QWidget()
        layout = QVBoxLayout(page)
        layout.addWidget(QLabel(title, objectName="dialogTitle"))
        hint = QLabel(
            "Count blind: the books' figures show after you submit. Tab goes from count to count.",
            objectName="caption",
        )
        hint.setWordWrap(True)
        layout.addWidget(hint)
        layout.addWidget(self._notes())
        grid = QGridLayout()
        self.cash_edit = amount_edit("countedCash", "counted cash", 200)
        self.cash_edit.textEdited.connect(self._cash_typed)
        cash_label = QLabel(f"&Cash counted ({self._currency.code})")
        cash_label.setBuddy(self.cash_edit)
        grid.addWidget(cash_label, 0, 0)
        grid.addWidget(self.cash_edit, 0, 1)
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
        layout.addWidget(self._signoff())
        self.message_label = refusal_label()
        layout.addWidget(self.message_label)
        row, self.submit_button = confirm_row(
            self, "Close shift", "closeShiftConfirm", self._submit
        )
        layout.addLayout(row)
        for edit in page.findChildren(QLineEdit):  # Enter submits from any field
            edit.returnPressed.connect(self._submit)
        chain = [count for _value, count in self.note_rows] + [self.cash_edit]
        for method in CONFIRMED:
            chain += [self.amount_edits[method], self.count_edits[method]]
        for first, second in zip(chain, chain[1:], strict=False):
            QWidget.setTabOrder(first, second)
        return page

    def _notes(self) -> QWidget:
        """Each note or coin a fixed label (not a field, not in the tab order) and its count."""
        self.notes_box = QGroupBox("Notes and coins  [Ctrl+D]")
        grid = QGridLayout(self.notes_box)
        values = denominations(self._currency)
        rows = -(-len(values) // NOTE_COLUMNS)
        self.note_rows: list[tuple[str, QLineEdit]] = []
        for i, value in enumerate(values):
            label = QLabel(
                f"{money(self._currency, self._currency.parse(value))}  ×", objectName="noteValue"
            )
            label.setAlignment(RIGHT)
            count = amount_edit(f"noteCount{i}", "0", 90)
            count.setMaxLength(9)
            count.textChanged.connect(self._notes_changed)
            label.setBuddy(count)
            row, column = i % rows, (i // rows) * 2
            grid.addWidget(label, row, column)
            grid.addWidget(count, row, column + 1)
            self.note_rows.append((value, count))
        self.notes_total = QLabel(objectName="caption")
        grid.addWidget(self.notes_total, rows, 0, 1, 2 * NOTE_COLUMNS)
        self.notes_box.setVisible(bool(values))
        return self.notes_box

    def _signoff(self) -> QWidget:
        self.signoff_box = QGroupBox("Supervisor sign-off")
        grid = QGridLayout(self.signoff_box)
        self.reason_combo = QComboBox(objectName="varianceReason")
        for code, label in REASON_LABELS.items():
            self.reason_combo.addItem(label, code)
        self.supervisor_edit = QLineEdit(objectName="supervisorUser")
        self.password_edit = QLineEdit(objectName="supervisorPassword")
        self.password_edit.setEchoMode(QLineEdit.EchoMode.Password)
        for column, (text, widget) in enumerate(
            (
                ("Reason", self.reason_combo),
                ("Supervisor", self.supervisor_edit),
                ("Password", self.password_edit),
            )
        ):
            grid.addWidget(QLabel(text), 0, 2 * column)
            grid.addWidget(widget, 0, 2 * column + 1, 1, 1)
        self.signoff_box.hide()
        return self.signoff_box

    def _result_page(self) -> QWidget:
        page = QWidget()
        layout = QVBoxLayout(page)
        layout.addWidget(QLabel("Shift closed", objectName="dialogTitle"))
        self.result_table = QTableWidget(0, 4, objectName="shiftResult")
        self.result_table.setHorizontalHeaderLabels(
            ["Tender", "Expected", "Counted", "Against the books"]
        )
        self.result_table.verticalHeader().hide()
        self.result_table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        header = self.result_table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(3, QHeaderView.ResizeMode.ResizeToContents)
        layout.addWidget(self.result_table)
        self.summary_label = QLabel(objectName="total")
        self.summary_label.setWordWrap(True)
        layout.addWidget(self.summary_label)
        buttons = QHBoxLayout()
        for text, keys, name, signal in (
            ("Print slip", "Ctrl+P", "printSlip", self.print_slip_requested),
            ("Save slip PDF", "Ctrl+S", "pdfSlip", self.pdf_slip_requested),
        ):
            button = QPushButton(f"{text}  [{keys}]", objectName=name)
            button.setShortcut(QKeySequence(keys))
            button.setAutoDefault(False)
            button.clicked.connect(signal)
            buttons.addWidget(button)
        buttons.addStretch(1)
        done = QPushButton("Done  [Enter]", objectName="closeShiftDone")
        done.setAutoDefault(False)
        done.clicked.connect(self.accept)
        self.done_button = done
        buttons.addWidget(done)
        layout.addLayout(buttons)
        layout.addStretch(1)
        return page

    # --- counting -------------------------------------------------------------------------
    def focus_notes(self) -> None:
        """Ctrl+D: to the first note count (or the total when the currency has no notes)."""
        target = self.note_rows[0][1] if self.note_rows else self.cash_edit
        target.setFocus()
        target.selectAll()

    def denominations(self) -> dict[str, int]:
        """{note value: how many} of the counts filled in; BadInput for one that is no number."""
        return {
            value: parse_count(count.text(), value=value)
            for value, count in self.note_rows
            if count.text().strip()
        }

    def _notes_changed(self) -> None:
        """Cash counted follows the notes as they are typed, with thousands separators."""
        try:
            counts = self.denominations()
        except BadInput as error:
            self.notes_total.setText(error.message)
            return
        if not counts:
            self.notes_total.setText("")
            return
        total = counted_total(self._currency, counts)
        self.cash_edit.setText(money(self._currency, total))
        self.notes_total.setText(f"{sum(counts.values())} notes and coins")

    def _cash_typed(self) -> None:
        self.notes_total.setText("")

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
            number = (
                whole_number(
                    count,
                    what=f"number of {CONFIRMED[method]}",
                    maximum=MAX_COUNT,
                    code="invalid_count",
                )
                if count
                else None
            )
            if edit.text().strip():
                confirmations[method] = Confirmation(edit.text().strip(), number)
        signoff = self.signoff_box.isVisible()
        return CloseRequest(
            self.cash_edit.text().strip() or None,
            counts or None,
            confirmations,
            self.reason_combo.currentData() if signoff else None,
            (self.supervisor_edit.text().strip(), self.password_edit.text()) if signoff else None,
        )

    # --- outcome --------------------------------------------------------------------------
    def show_refusal(self, text: str) -> None:
        self._sending = False
        self.submit_button.setEnabled(True)
        self.message_label.setText(text)

    def ask_signoff(self, text: str) -> None:
        """Beyond tolerance: the refusal says why; a reason and a supervisor are asked for."""
        self.show_refusal(text)
        self.signoff_box.show()
        self.reason_combo.setFocus()
        self.adjustSize()

    def show_result(self, summary: ShiftSummary) -> None:
        """Expected, counted and each tender against the books in words; shortfalls in red."""
        table, currency = self.result_table, self._currency
        table.setRowCount(len(summary.tenders))
        for row, line in enumerate(summary.tenders):
            counted = "not confirmed" if line.counted is None else money(currency, line.counted)
            words = (
                ""
                if line.counted is None
                else variance_words(currency, line.variance, method=line.method)
            )
            for col, text in enumerate(
                (method_name(line.method), money(currency, line.expected), counted, words)
            ):
                item = QTableWidgetItem(text)
                if col in (1, 2):
                    item.setTextAlignment(RIGHT)
                table.setItem(row, col, item)
            if line.variance:
                table.item(row, 3).setForeground(QBrush(QColor("#b00020")))
        extra = ""
        if summary.variance_reason:
            reason = REASON_LABELS.get(summary.variance_reason, summary.variance_reason)
            extra = f"  ·  reason: {reason.lower()}, signed off by {summary.approved_by}"
        self.summary_label.setText(f"{variance_words(currency, summary.variance)}{extra}")
        fit_rows(table)
        self.pages.setCurrentIndex(1)
        # The counting page no longer counts towards the size: the report is short.
        ignored = QSizePolicy.Policy.Ignored
        self.pages.widget(0).setSizePolicy(ignored, ignored)
        self.pages.updateGeometry()
        self.layout().activate()
        margins = self.layout().contentsMargins()
        self.resize(
            self.width(),
            margins.top()
            + margins.bottom()
            + self.pages.currentWidget().heightForWidth(self.pages.width()),
        )
        self.submit_button.setDefault(False)
        self.done_button.setDefault(True)
        self.done_button.setFocus()
