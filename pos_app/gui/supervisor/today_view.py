"""Today's figures: totals (gross, adjustments, payments), charts by hour, method and cashier,
adjustments by kind and reason, receipt ranges, receivables by age, exports."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from pathlib import Path

from PySide6.QtCore import QDate, Signal
from PySide6.QtGui import QKeySequence
from PySide6.QtWidgets import (
    QDateEdit,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from pos_app.domain.money import Currency
from pos_app.gui.formatting import method_name, money
from pos_app.gui.supervisor.charts import BarChartView
from pos_app.services.reports import DailyReport

TOTALS = (
    ("gross", "Gross"),
    ("adjustments", "Adjustments"),
    ("payments", "Payments"),
    ("refunds", "Refunds"),
    ("net_payments", "Net"),
    ("deposits", "Deposits"),
    ("withdrawals", "Withdrawals"),
    ("wallet_liability", "Wallet liability"),
)


class TodayView(QWidget):
    """Shows one DailyReport; emits what the supervisor asks for, does no database work."""

    refresh_requested = Signal(object)  # date | None
    export_requested = Signal(str)  # "csv" | "pdf"
    close_day_requested = Signal(object)  # date | None

    def __init__(self, *, currency: Currency, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.currency = currency
        self.report: DailyReport | None = None
        self.day_edit = QDateEdit(calendarPopup=True)
        self.day_edit.setDisplayFormat("yyyy-MM-dd")
        self.day_edit.setDate(QDate.currentDate())
        self.refresh_button = self._button("Refresh", "F5", self._refresh)
        self.csv_button = self._button(
            "Export CSV", "Ctrl+E", lambda: self.export_requested.emit("csv")
        )
        self.pdf_button = self._button(
            "Export PDF", "Ctrl+P", lambda: self.export_requested.emit("pdf")
        )
        self.close_button = self._button(
            "Close day (Z)", "Ctrl+Shift+Z", lambda: self.close_day_requested.emit(self._day())
        )
        bar = QHBoxLayout()  # the day and its state; exports under it: fits 1366 px
        bar.addWidget(QLabel("Business day:"))
        bar.addWidget(self.day_edit)
        bar.addWidget(self.refresh_button)
        bar.addStretch(1)
        bar.addWidget(self.close_button)
        self.state_label = QLabel()
        self.state_label.setWordWrap(True)
        state = QHBoxLayout()
        state.addWidget(self.state_label, 1)
        state.addWidget(self.csv_button)
        state.addWidget(self.pdf_button)
        self.total_labels: dict[str, QLabel] = {}
        totals = QGridLayout()
        for column, (key, title) in enumerate(TOTALS):
            caption, value = QLabel(title), QLabel("—")
            value.setObjectName("totalValue")
            value.setStyleSheet("font-size: 20px; font-weight: bold;")
            totals.addWidget(caption, 0, column)
            totals.addWidget(value, 1, column)
            self.total_labels[key] = value
        self.by_hour = BarChartView("Payments by hour")
        self.by_method = BarChartView("Payments by method", horizontal=True)
        self.by_cashier = BarChartView("Payments by cashier")
        charts = QHBoxLayout()
        for chart in (self.by_hour, self.by_method, self.by_cashier):
            charts.addWidget(chart, 1)
        self.adjustments_label = QLabel()
        self.adjustments_label.setWordWrap(True)
        self.ranges_label = QLabel()
        self.ranges_label.setWordWrap(True)
        self.ageing_label = QLabel()
        self.ageing_label.setWordWrap(True)
        layout = QVBoxLayout(self)
        layout.addLayout(bar)
        layout.addLayout(state)
        layout.addLayout(totals)
        layout.addLayout(charts, 1)
        layout.addWidget(self.adjustments_label)
        layout.addWidget(self.ranges_label)
        layout.addWidget(self.ageing_label)

    def _button(self, text: str, keys: str, slot: Callable[[], None]) -> QPushButton:
        button = QPushButton(f"{text}  [{keys}]")
        button.setShortcut(QKeySequence(keys))
        button.clicked.connect(slot)
        return button

    def _day(self) -> date | None:
        return self.day_edit.date().toPython() if self.report is not None else None

    def _refresh(self) -> None:
        self.refresh_requested.emit(self._day())

    def set_report(self, report: DailyReport) -> None:
        self.report = report
        self.day_edit.setDate(QDate.fromString(report.business_date, "yyyy-MM-dd"))
        for key, label in self.total_labels.items():
            label.setText(money(self.currency, report.totals[key]))
        state = (
            f"Closed (Z) by {report.closed_by}"
            if report.closed
            else "Open: figures may still change"
        )
        self.state_label.setText(
            f"{report.business_date} — {state} — "
            f"{report.counts['payments']} payments, "
            f"{report.counts['refunds']} refunds, "
            f"{report.counts['receipts']} receipts"
        )
        self.by_hour.set_points([(line.label[:2], line.amount) for line in report.by_hour])
        self.by_method.set_points(
            [(method_name(line.label), line.amount) for line in report.by_method]
        )
        self.by_cashier.set_points([(line.label, line.amount) for line in report.by_cashier])
        ranges = [
            f"{r.workstation}: {r.first} … {r.last} ({r.count})"
            + (" ✓ no gaps" if not r.missing else f" ✗ missing {r.missing}")
            for r in report.receipt_ranges
        ]
        self.ranges_label.setText("Receipt numbers — " + ("; ".join(ranges) or "none today"))
        self.adjustments_label.setText(
            "Adjustments — by kind: "
            + self._lines(report.adjustments_by_kind)
            + " — by reason: "
            + self._lines(report.adjustments_by_reason)
        )
        self.ageing_label.setText(
            "Receivables owed — "
            + (
                "; ".join(
                    f"{line.account}: 0–30 d {money(self.currency, line.days_0_30)}, "
                    f"31–60 d {money(self.currency, line.days_31_60)}, "
                    f"61–90 d {money(self.currency, line.days_61_90)}, "
                    f"> 90 d {money(self.currency, line.over_90)} "
                    f"(total {money(self.currency, line.total)})"
                    for line in report.receivables_ageing
                )
                or "none"
            )
        )
        self.close_button.setEnabled(not report.closed)

    def _lines(self, lines: list) -> str:
        return (
            "; ".join(
                f"{line.label.replace('_', ' ')} {line.count} × {money(self.currency, line.amount)}"
                for line in lines
            )
            or "none"
        )


def default_export_path(kind: str, report: DailyReport) -> Path:
    return Path.home() / f"caretill-daily-{report.business_date}.{kind}"
