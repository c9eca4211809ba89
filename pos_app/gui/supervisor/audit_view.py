"""The audit trail view: filters, the matching events, and "verify chain"."""

from __future__ import annotations

from datetime import UTC, datetime, time

from PySide6.QtCore import QDate, Signal
from PySide6.QtGui import QKeySequence
from PySide6.QtWidgets import (
    QComboBox,
    QDateEdit,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from pos_app.domain.money import Currency
from pos_app.gui.formatting import when
from pos_app.gui.supervisor.audit_words import describe
from pos_app.gui.supervisor.tables_view import _fill, _table
from pos_app.services.audit_trail import AuditRow
from pos_app.services.check import Finding

ACTIONS = (
    "",
    "payment",
    "deposit",
    "payment.reverse",
    "refund.",
    "wallet.withdraw",
    "shift.",
    "day.close",
    "user",
    "facility",
    "receipt",
)
COLUMNS = ("At", "Workstation", "No.", "What happened")


class AuditView(QWidget):
    """Emits the filters the supervisor set; shows events and the chain check it is given."""

    search_requested = Signal(dict)
    verify_requested = Signal()

    def __init__(self, *, currency: Currency, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.currency = currency
        self.workstation_edit = QLineEdit(placeholderText="all workstations")
        self.action_box = QComboBox(editable=True)
        self.action_box.addItems(list(ACTIONS))
        self.user_edit = QLineEdit(placeholderText="any user")
        self.since_edit = QDateEdit(QDate.currentDate().addDays(-7), calendarPopup=True)
        self.until_edit = QDateEdit(QDate.currentDate(), calendarPopup=True)
        for edit in (self.since_edit, self.until_edit):
            edit.setDisplayFormat("yyyy-MM-dd")
        self.search_button = QPushButton("Search  [Ctrl+F]")
        self.search_button.setShortcut(QKeySequence("Ctrl+F"))
        self.search_button.clicked.connect(self._search)
        self.verify_button = QPushButton("Verify chain  [Ctrl+K]")
        self.verify_button.setShortcut(QKeySequence("Ctrl+K"))
        self.verify_button.clicked.connect(self.verify_requested)
        filters = QHBoxLayout()
        for label, widget in (
            ("Workstation", self.workstation_edit),
            ("Action", self.action_box),
            ("User", self.user_edit),
            ("From", self.since_edit),
            ("To", self.until_edit),
        ):
            filters.addWidget(QLabel(label))
            filters.addWidget(widget)
        filters.addWidget(self.search_button)
        self.chain_label = QLabel("Chain not verified yet.")
        self.chain_label.setWordWrap(True)
        chain = QHBoxLayout()
        chain.addWidget(self.chain_label, 1)
        chain.addWidget(self.verify_button)
        self.table = _table(COLUMNS)
        layout = QVBoxLayout(self)
        layout.addLayout(filters)
        layout.addLayout(chain)
        layout.addWidget(self.table)

    def filters(self) -> dict:
        """The filters as keyword arguments of `audit_trail.audit_events`."""
        local = datetime.now().astimezone().tzinfo
        since = datetime.combine(self.since_edit.date().toPython(), time(), local)
        until = datetime.combine(self.until_edit.date().addDays(1).toPython(), time(), local)
        return {
            "workstation": self.workstation_edit.text().strip() or None,
            "action": self.action_box.currentText().strip() or None,
            "user": self.user_edit.text().strip() or None,
            "since": since.astimezone(UTC),
            "until": until.astimezone(UTC),
        }

    def _search(self) -> None:
        self.search_requested.emit(self.filters())

    def set_events(self, events: list[AuditRow]) -> None:
        _fill(
            self.table,
            [
                [
                    when(e.at),
                    e.workstation,
                    str(e.seq),
                    describe(
                        e.action,
                        e.details,
                        receipt_no=e.receipt_no,
                        user=e.user,
                        currency=self.currency,
                    ),
                ]
                for e in events
            ],
        )

    def set_chain(self, findings: list[Finding]) -> None:
        if not findings:
            self.chain_label.setText(
                "✓ Audit chain intact: every event links to the one "
                "before it and no event was altered."
            )
            self.chain_label.setStyleSheet("color: #1b5e20; font-weight: bold;")
            return
        self.chain_label.setText(
            "✗ Audit chain broken:\n" + "\n".join(f"{f.rule}: {f.detail}" for f in findings[:10])
        )
        self.chain_label.setStyleSheet("color: #b00020; font-weight: bold;")
