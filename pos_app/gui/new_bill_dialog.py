"""New bill (Ctrl+B): pick services from the price list as you type, set quantities, raise it.

Keyboard only: type a code or a name, Enter adds the first (or chosen) service with
quantity 1 (again: one more); Tab to the lines, type a quantity, Delete removes a line;
Ctrl+Enter raises the bill. The view only emits what the cashier asks for.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from decimal import Decimal

from PySide6.QtCore import QEvent, QObject, Qt, QTimer, Signal
from PySide6.QtGui import QKeyEvent, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHeaderView,
    QLabel,
    QLineEdit,
    QTableView,
    QTableWidget,
    QTableWidgetItem,
    QWidget,
)

from pos_app.domain.errors import BadInput
from pos_app.domain.money import Currency
from pos_app.domain.numbers import whole_number
from pos_app.gui.form_dialog import FormDialog
from pos_app.gui.formatting import method_name, money, money_with_code
from pos_app.gui.models import RowsModel
from pos_app.gui.widgets import RIGHT, fit_to_screen
from pos_app.services.billing import MAX_QUANTITY, BillLine, PriceListEntry

OFFLINE = "Database connection lost: the bill waits until it is back. Nothing you picked is lost."
SEARCH_DELAY_MS = 150
RAISE_KEYS = ("Ctrl+Return", "Ctrl+Enter")
QTY = 2  # the lines table's quantity column
HINT = "Enter adds the highlighted service (Down arrow to choose another); Tab goes to the lines."


@dataclass(frozen=True)
class BillRow:
    """A line of the bill being put together."""

    entry: PriceListEntry
    quantity: int

    @property
    def amount(self) -> Decimal:
        return self.entry.unit_price * self.quantity


class NewBillDialog(FormDialog):
    """Emits `search_requested(text)` and `bill_requested(list[BillLine])`."""

    search_requested = Signal(str)
    bill_requested = Signal(list)

    def __init__(self, *, currency: Currency, patient: str, parent: QWidget | None = None) -> None:
        super().__init__(
            title="New bill",
            name="newBillDialog",
            heading=f"New bill  ·  {patient}",
            offline=OFFLINE,
            parent=parent,
        )
        self._currency = currency
        self.rows: list[BillRow] = []
        self._asked = ""  # the search whose answer is awaited; older answers are dropped
        self.search_edit = QLineEdit(objectName="billSearch")
        self.search_edit.setPlaceholderText("Price list: type a code or a name, Enter adds it")
        self.search_edit.textChanged.connect(lambda _text: self._search_timer.start())
        self._search_timer = QTimer(self, singleShot=True, interval=SEARCH_DELAY_MS)
        self._search_timer.timeout.connect(self._search_now)
        self.results_model = RowsModel(
            [
                ("Code", lambda e: e.code, False),
                ("Service", lambda e: e.name, False),
                ("Kind", lambda e: method_name(e.kind), False),
                ("Price", lambda e: money(currency, e.unit_price), True),
            ],
            self,
        )
        self.results_view = _results_view(self.results_model)
        self.hint_label = QLabel(HINT, objectName="caption")
        self.lines_table = _lines_table()
        self.lines_table.itemChanged.connect(self._quantity_typed)
        self.total_label = QLabel(objectName="total")
        self.total_label.setAlignment(RIGHT)
        for widget in (
            self.search_edit,
            self.results_view,
            self.hint_label,
            QLabel("Lines  (type a quantity; Delete removes the line)", objectName="caption"),
            self.lines_table,
            self.total_label,
        ):
            self.body.addWidget(widget)
        for watched in (self.search_edit, self.results_view, self.lines_table):
            watched.installEventFilter(self)
        self._finish("Raise bill", "newBillConfirm", width=900)
        # Enter belongs to the search box (it adds a line); the bill is raised on purpose.
        self.confirm_button.setDefault(False)
        self.confirm_button.setText(f"Raise bill  [{RAISE_KEYS[0].replace('Return', 'Enter')}]")
        for keys in RAISE_KEYS:
            QShortcut(QKeySequence(keys), self, self._confirm)
        self._show_lines()
        fit_to_screen(self, 960, 680)
        self.search_edit.setFocus()

    # --- what the controller calls ----------------------------------------------------------
    def set_results(self, text: str, found: list[PriceListEntry]) -> None:
        """The price list's answer for `text`, unless the cashier typed on since."""
        if text != self._asked:
            return
        self.results_model.set_rows(found)
        if found:
            self.results_view.selectRow(0)
        missing = text and not found
        self.hint_label.setText(
            f"No active service matches \u201c{text}\u201d." if missing else HINT
        )

    def lines(self) -> list[BillLine]:
        """The bill as the service takes it."""
        return [BillLine(row.entry.code, row.quantity) for row in self.rows]

    def total(self) -> Decimal:
        return sum((row.amount for row in self.rows), Decimal(0))

    # --- keyboard ---------------------------------------------------------------------------
    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802
        if event.type() != QEvent.Type.KeyPress or not isinstance(event, QKeyEvent):
            return False
        key, plain = event.key(), event.modifiers() == Qt.KeyboardModifier.NoModifier
        enter = key in (Qt.Key.Key_Return, Qt.Key.Key_Enter) and plain
        if watched is self.search_edit and key == Qt.Key.Key_Down and self.results_model.rowCount():
            self.results_view.setFocus()
            return True
        if watched in (self.search_edit, self.results_view) and enter:
            self._add_chosen()
            return True
        if watched is self.lines_table and key == Qt.Key.Key_Delete:
            self._remove_current()
            return True
        return False

    def _search_now(self) -> None:
        self._asked = self.search_edit.text().strip()
        if self._asked:
            self.search_requested.emit(self._asked)
        else:
            self.set_results("", [])

    def _add_chosen(self) -> None:
        """The selected result (the first one unless an arrow chose another), quantity 1."""
        if not self.results_model.rowCount():
            return
        row = max(self.results_view.currentIndex().row(), 0)
        entry = self.results_model.row(row)
        known = next((i for i, r in enumerate(self.rows) if r.entry.code == entry.code), None)
        if known is None:
            self.rows.append(BillRow(entry, 1))
            known = len(self.rows) - 1
        elif self.rows[known].quantity < MAX_QUANTITY:  # picked again: one more of it
            self.rows[known] = replace(self.rows[known], quantity=self.rows[known].quantity + 1)
        self._show_lines(current=known)
        self.search_edit.clear()
        self.results_model.set_rows([])
        self.search_edit.setFocus()

    def _remove_current(self) -> None:
        row = self.lines_table.currentRow()
        if 0 <= row < len(self.rows):
            del self.rows[row]
            self._show_lines(current=min(row, len(self.rows) - 1))

    def _quantity_typed(self, item: QTableWidgetItem) -> None:
        if item.column() != QTY or not 0 <= item.row() < len(self.rows):
            return
        row = self.rows[item.row()]
        try:
            quantity = whole_number(
                item.text().strip(),
                what=f"quantity of {row.entry.code}",
                minimum=1,
                maximum=MAX_QUANTITY,
            )
        except BadInput as error:
            self._say(error.message)
        else:
            self.rows[item.row()] = replace(row, quantity=quantity)
            self._say("")
        self._show_lines(current=item.row())

    # --- showing ----------------------------------------------------------------------------
    def _show_lines(self, current: int = -1) -> None:
        table, currency = self.lines_table, self._currency
        table.blockSignals(True)
        table.setRowCount(len(self.rows))
        for r, row in enumerate(self.rows):
            cells = (
                row.entry.code,
                row.entry.name,
                str(row.quantity),
                money(currency, row.entry.unit_price),
                money(currency, row.amount),
            )
            for c, text in enumerate(cells):
                cell = QTableWidgetItem(text)
                cell.setFlags(
                    Qt.ItemFlag.ItemIsEnabled
                    | Qt.ItemFlag.ItemIsSelectable
                    | (Qt.ItemFlag.ItemIsEditable if c == QTY else Qt.ItemFlag(0))
                )
                if c >= QTY:
                    cell.setTextAlignment(RIGHT)
                table.setItem(r, c, cell)
        table.blockSignals(False)
        if current >= 0:
            table.setCurrentCell(current, QTY)
        count = sum(row.quantity for row in self.rows)
        self.total_label.setText(
            f"Total  {money_with_code(currency, self.total())}   ({len(self.rows)} line(s), "
            f"{count:,} item(s))"
            if self.rows
            else "Add services from the price list above."
        )
        self._refresh()

    def _ready(self) -> bool:
        return bool(self.rows)

    def _send(self) -> None:
        self.bill_requested.emit(self.lines())


def _results_view(model: RowsModel) -> QTableView:
    view = QTableView(objectName="billResults")
    view.setModel(model)
    view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    view.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
    view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    view.verticalHeader().hide()
    view.setTabKeyNavigation(False)  # Tab goes on to the lines
    header = view.horizontalHeader()
    header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
    header.setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
    return view


def _lines_table() -> QTableWidget:
    table = QTableWidget(0, 5, objectName="billLines")
    table.setHorizontalHeaderLabels(["Code", "Service", "Qty", "Unit price", "Amount"])
    table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
    table.setEditTriggers(
        QAbstractItemView.EditTrigger.AnyKeyPressed
        | QAbstractItemView.EditTrigger.EditKeyPressed
        | QAbstractItemView.EditTrigger.DoubleClicked
    )
    table.verticalHeader().hide()
    table.setTabKeyNavigation(False)  # Tab goes on to the buttons
    header = table.horizontalHeader()
    header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
    header.setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
    return table
