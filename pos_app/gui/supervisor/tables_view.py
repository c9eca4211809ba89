"""Tables of the dashboard: cash variances per shift and tender, pending refund requests."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QBrush, QColor, QKeySequence
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QHeaderView,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from pos_app.gui.formatting import method_name, when
from pos_app.services.refund_requests import RefundRequest

VARIANCE_COLUMNS = ("Cashier", "Workstation", "Closed", "Tender", "Expected", "Counted",
                    "Variance", "Reason")
REQUEST_COLUMNS = ("Request", "Receipt", "Patient", "Amount", "Asked by", "Reason", "At")


def _table(columns: tuple[str, ...]) -> QTableWidget:
    table = QTableWidget(0, len(columns))
    table.setHorizontalHeaderLabels(list(columns))
    table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
    table.horizontalHeader().setStretchLastSection(True)
    table.verticalHeader().setVisible(False)
    return table


def _fill(table: QTableWidget, rows: list[list[str]]) -> None:
    table.setRowCount(len(rows))
    for r, row in enumerate(rows):
        for c, text in enumerate(row):
            item = QTableWidgetItem(text)
            if text and text[0].isdigit() or text.startswith("-"):
                item.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
            table.setItem(r, c, item)


class VarianceView(QWidget):
    """Expected, counted and variance per tender of every shift closed that day."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.table = _table(VARIANCE_COLUMNS)
        QVBoxLayout(self).addWidget(self.table)

    def set_shifts(self, shifts: list[dict]) -> None:
        rows = [[s["cashier"], s["workstation"], when(s["closed_at"]), method_name(t["method"]),
                 t["expected"] or "", t["counted"] or "unconfirmed", t["variance"] or "",
                 s["variance_reason"] or ""]
                for s in shifts for t in s["tenders"]]
        _fill(self.table, rows)
        for r, row in enumerate(rows):
            variance = row[6]
            if variance and variance.strip("-0.") != "":
                self.table.item(r, 6).setForeground(QBrush(QColor("#b00020")))


class ApprovalsView(QWidget):
    """Refund requests waiting for a supervisor; emits the one chosen and the decision."""

    decided = Signal(int, bool)  # request id, approve
    refresh_requested = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.requests: list[RefundRequest] = []
        self.table = _table(REQUEST_COLUMNS)
        self.approve_button = QPushButton("Approve refund (Ctrl+Return)")
        self.approve_button.setShortcut(QKeySequence("Ctrl+Return"))
        self.reject_button = QPushButton("Reject (Ctrl+Backspace)")
        self.reject_button.setShortcut(QKeySequence("Ctrl+Backspace"))
        self.refresh_button = QPushButton("Reload requests")
        self.approve_button.clicked.connect(lambda: self._decide(True))
        self.reject_button.clicked.connect(lambda: self._decide(False))
        self.refresh_button.clicked.connect(self.refresh_requested)
        buttons = QHBoxLayout()
        for button in (self.approve_button, self.reject_button, self.refresh_button):
            buttons.addWidget(button)
        buttons.addStretch(1)
        layout = QVBoxLayout(self)
        layout.addLayout(buttons)
        layout.addWidget(self.table)

    def set_requests(self, requests: list[RefundRequest]) -> None:
        self.requests = list(requests)
        _fill(self.table, [[str(r.request_id), r.payment_receipt_no, r.mrn, str(r.amount),
                            r.requested_by, r.reason, when(r.at)] for r in self.requests])
        if self.requests:
            self.table.selectRow(0)

    def _decide(self, approve: bool) -> None:
        row = self.table.currentRow()
        if 0 <= row < len(self.requests):
            self.decided.emit(self.requests[row].request_id, approve)
