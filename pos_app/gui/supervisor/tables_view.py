"""Tables of the dashboard: cash variances per shift and tender (with an X report of the
open shifts); amounts with separators, variances in words."""

from __future__ import annotations

from decimal import Decimal

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QBrush, QColor, QKeySequence
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from pos_app.domain.cash_count import variance_words
from pos_app.domain.money import Currency
from pos_app.gui.formatting import method_name, money, when
from pos_app.services.shifts import REASON_LABELS, ShiftSummary

VARIANCE_COLUMNS = (
    "Cashier",
    "Workstation",
    "Closed",
    "Tender",
    "Expected",
    "Counted",
    "Against the books",
    "Reason",
)
OPEN_COLUMNS = ("Cashier", "Workstation", "Opened", "Tender", "Expected so far", "Documents")


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
    """Expected, counted and variance per tender of every shift closed that day, and on
    request the X report: figures so far of the shifts still open."""

    x_report_requested = Signal()

    def __init__(self, *, currency: Currency, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.currency = currency
        self.table = _table(VARIANCE_COLUMNS)
        self.x_button = QPushButton("X report of open shifts  [Ctrl+Shift+X]")
        self.x_button.setShortcut(QKeySequence("Ctrl+Shift+X"))
        self.x_button.clicked.connect(self.x_report_requested)
        self.open_label = QLabel(
            "Open shifts: press Ctrl+Shift+X for their figures so far (they stay open)."
        )
        self.open_table = _table(OPEN_COLUMNS)
        self.open_table.hide()
        layout = QVBoxLayout(self)
        layout.addWidget(self.table, 2)
        row = QHBoxLayout()
        row.addWidget(self.open_label, 1)
        row.addWidget(self.x_button)
        layout.addLayout(row)
        layout.addWidget(self.open_table, 1)

    def _money(self, text: str | None) -> str:
        return "" if text is None else money(self.currency, Decimal(text))

    def set_shifts(self, shifts: list[dict]) -> None:
        rows, short = [], []
        for s in shifts:
            for t in s["tenders"]:
                variance = None if t["variance"] is None else Decimal(t["variance"])
                short.append(bool(variance))
                rows.append(
                    [
                        s["cashier"],
                        s["workstation"],
                        when(s["closed_at"]),
                        method_name(t["method"]),
                        self._money(t["expected"]),
                        self._money(t["counted"]) or "not confirmed",
                        ""
                        if t["counted"] is None
                        else variance_words(self.currency, variance, method=t["method"]),
                        REASON_LABELS.get(s["variance_reason"] or "", s["variance_reason"] or ""),
                    ]
                )
        _fill(self.table, rows)
        for r, red in enumerate(short):
            if red:
                self.table.item(r, 6).setForeground(QBrush(QColor("#b00020")))

    def set_open_shifts(self, summaries: list[ShiftSummary]) -> None:
        """The X report: expected so far per tender of each open shift."""
        _fill(
            self.open_table,
            [
                [
                    s.cashier,
                    s.workstation,
                    when(s.opened_at),
                    method_name(line.method),
                    money(self.currency, line.expected),
                    str(line.expected_count),
                ]
                for s in summaries
                for line in s.tenders
            ],
        )
        self.open_label.setText(
            f"X report: {len(summaries)} open shift(s), figures so far; they stay open."
            if summaries
            else "No shift is open."
        )
        self.open_table.setVisible(bool(summaries))
