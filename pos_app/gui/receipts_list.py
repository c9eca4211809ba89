"""The receipts list (F4): today's receipts at this workstation, or the open patient's.

Typing a full number, its last digits ("132") or scanning a receipt's QR code narrows
the list; Enter on a row reprints it (a counted COPY), F7 asks for its refund. The
view only emits what the cashier wants; `ReceiptFlows` does the rest.
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject, Qt, QTimer, Signal
from PySide6.QtGui import QKeyEvent, QKeySequence
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QSizePolicy,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from pos_app.domain.money import Currency
from pos_app.gui.formatting import money, when
from pos_app.gui.widgets import RIGHT, cancel_button, refusal_label
from pos_app.services.receipt_list import ReceiptRow

COLUMNS = ("Receipt", "Time", "Kind", "Patient", "Amount", "Status")
KINDS = {
    "payment": "Payment",
    "deposit": "Wallet top-up",
    "refund": "Refund",
    "withdrawal": "Cash out",
}
SEARCH_DELAY_MS = 250
ECHO_LIMIT = 32


def elide(text: str, limit: int = ECHO_LIMIT) -> str:
    """A long scanned code echoed in a message without stretching the dialog."""
    return text if len(text) <= limit else f"{text[: limit - 11]}…{text[-10:]}"


class ReceiptsListDialog(QDialog):
    """Emits `search_requested(text, only_patient)`, `reprint_requested(receipt_no)` and
    `refund_requested(receipt_no)`; shows the rows or a refusal it is given."""

    search_requested = Signal(str, bool)
    reprint_requested = Signal(str)
    refund_requested = Signal(str)

    def __init__(
        self,
        *,
        currency: Currency,
        workstation: str,
        patient: str | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle("Receipts")
        self.setObjectName("receiptsList")
        self._currency = currency
        self.rows: list[ReceiptRow] = []
        self._open_first = False
        layout = QVBoxLayout(self)
        layout.addWidget(QLabel("Receipts", objectName="dialogTitle"))
        self.search_edit = QLineEdit(objectName="receiptSearch")
        self.search_edit.setPlaceholderText("Receipt number, its last digits, or scan the QR code")
        self.search_edit.setClearButtonEnabled(True)
        self.search_edit.installEventFilter(self)
        self.patient_box = QCheckBox(
            f"&Only {patient}'s receipts" if patient else f"Today at {workstation}",
            objectName="onlyPatient",
        )
        self.patient_box.setChecked(patient is not None)
        self.patient_box.setEnabled(patient is not None)
        self.patient_box.toggled.connect(self._search_now)
        top = QHBoxLayout()
        top.addWidget(self.search_edit, 1)
        top.addWidget(self.patient_box)
        layout.addLayout(top)
        self.table = self._table()
        layout.addWidget(self.table, 1)
        self.status_label = refusal_label()
        self.status_label.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        layout.addWidget(self.status_label)
        layout.addLayout(self._buttons())
        self._timer = QTimer(self, singleShot=True, interval=SEARCH_DELAY_MS)
        self._timer.timeout.connect(self._search_now)
        self.search_edit.textChanged.connect(lambda _text: self._timer.start())
        self.search_edit.returnPressed.connect(self._search_and_open)
        self.resize(1100, 600)
        self.search_edit.setFocus()

    def _table(self) -> QTableWidget:
        table = QTableWidget(0, len(COLUMNS), objectName="receiptsTable")
        table.setHorizontalHeaderLabels(list(COLUMNS))
        table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        table.setTextElideMode(Qt.TextElideMode.ElideRight)
        table.verticalHeader().hide()
        header = table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(3, QHeaderView.ResizeMode.Stretch)
        table.activated.connect(lambda _index: self._reprint())
        return table

    def _buttons(self) -> QHBoxLayout:
        row = QHBoxLayout()
        row.addWidget(cancel_button(self))
        row.addStretch(1)
        self.refund_button = QPushButton("Request refund…  [F7]", objectName="listRefund")
        self.refund_button.setShortcut(QKeySequence("F7"))
        self.refund_button.clicked.connect(self._refund)
        self.reprint_button = QPushButton("Reprint…  [Enter]", objectName="listReprint")
        self.reprint_button.clicked.connect(self._reprint)
        for button in (self.refund_button, self.reprint_button):
            button.setAutoDefault(False)
            row.addWidget(button)
        return row

    # --- keyboard ---------------------------------------------------------------------------
    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802
        if (
            watched is self.search_edit
            and isinstance(event, QKeyEvent)
            and event.type() == QEvent.Type.KeyPress
            and event.key() == Qt.Key.Key_Down
            and self.rows
        ):
            self._to_table()
            return True
        return False

    def _to_table(self) -> None:
        self.table.setFocus()
        self.table.selectRow(max(self.table.currentRow(), 0))

    # --- requests ---------------------------------------------------------------------------
    def _search_now(self) -> None:
        self._timer.stop()
        self.search_requested.emit(self.search_edit.text(), self.patient_box.isChecked())

    def _search_and_open(self) -> None:
        """Enter (a scanner sends one after the code): search now, then go to the rows."""
        self._open_first = True
        self._search_now()

    def selected(self) -> ReceiptRow | None:
        row = self.table.currentRow()
        return self.rows[row] if 0 <= row < len(self.rows) else None

    def _reprint(self) -> None:
        if (chosen := self.selected()) is not None:
            self.reprint_requested.emit(chosen.receipt_no)

    def _refund(self) -> None:
        chosen = self.selected()
        if chosen is None:
            return
        if chosen.kind != "payment":
            self.status_label.setText(
                f"{chosen.receipt_no} is a {KINDS[chosen.kind].lower()}: "
                "only a payment can be refunded."
            )
            return
        self.refund_requested.emit(chosen.receipt_no)

    # --- setters ----------------------------------------------------------------------------
    def set_rows(self, rows: list[ReceiptRow]) -> None:
        self.rows = list(rows)
        table = self.table
        table.setRowCount(len(self.rows))
        for r, row in enumerate(self.rows):
            patient = f"{row.patient_name} ({row.mrn})" if row.mrn else "—"
            for c, text in enumerate(
                (
                    row.receipt_no,
                    when(row.at),
                    KINDS.get(row.kind, row.kind),
                    patient,
                    money(self._currency, row.amount),
                    row.status.capitalize(),
                )
            ):
                item = QTableWidgetItem(text)
                if c == 4:
                    item.setTextAlignment(RIGHT)
                table.setItem(r, c, item)
        typed = self.search_edit.text().strip()
        if not self.rows:
            self.status_label.setText(
                f"No receipt matches \u201c{elide(typed)}\u201d." if typed else "No receipts yet."
            )
        else:
            self.status_label.setText("")
            table.selectRow(0)
        if self._open_first and self.rows:
            self._to_table()
        self._open_first = False

    def show_refusal(self, text: str) -> None:
        self._open_first = False
        self.status_label.setText(text)
