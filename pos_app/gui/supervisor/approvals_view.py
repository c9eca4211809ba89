"""The dashboard's Approvals tab: requests of every kind waiting for a second person.

The view shows the requests it is given and emits what the supervisor decided: Approve
(Ctrl+Enter) at once, Reject (Ctrl+Backspace) once a reason is typed in the reason box
(the key puts the cursor there when it is empty; Enter then rejects).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

from PySide6.QtCore import Signal
from PySide6.QtGui import QKeySequence
from PySide6.QtWidgets import QHBoxLayout, QLabel, QLineEdit, QPushButton, QVBoxLayout, QWidget

from pos_app.domain.money import Currency
from pos_app.gui.formatting import money
from pos_app.gui.supervisor.tables_view import _fill, _table
from pos_app.services.approvals import ApprovalRequest

REQUEST_COLUMNS = ("Request", "Kind", "About", "Amount", "Asked by", "Till", "Waiting", "Reason")
KIND_NAMES = {
    "refund": "Refund",
    "withdrawal": "Cash out",
    "adjustment": "Adjustment",
    "shift_variance": "Shift variance",
    "credit_limit": "Credit limit",
}


def about(request: ApprovalRequest) -> str:
    """What a request is about, e.g. a receipt, an MRN, "shift 12"."""
    return f"shift {request.subject}" if request.kind == "shift_variance" else request.subject


def waiting_for(created_at: str, now: datetime) -> str:
    """How long a request has waited, in the coarsest unit that still says it."""
    minutes = max(0, int((now - datetime.fromisoformat(created_at)).total_seconds() // 60))
    if minutes < 1:
        return "just now"
    if minutes < 60:
        return f"{minutes} min"
    if minutes < 24 * 60:
        return f"{minutes // 60} h {minutes % 60:02d} min"
    return f"{minutes // (24 * 60)} d"


class ApprovalsView(QWidget):
    """Pending requests; emits `decided(request id, approve, reason)` and `refresh_requested`."""

    decided = Signal(int, bool, str)
    refresh_requested = Signal()

    def __init__(
        self,
        *,
        currency: Currency,
        now: Callable[[], datetime] | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.currency = currency
        self.now = now or (lambda: datetime.now(UTC))
        self.requests: list[ApprovalRequest] = []
        self.table = _table(REQUEST_COLUMNS)
        self.approve_button = QPushButton("Approve  [Ctrl+Enter]")
        self.approve_button.setShortcut(QKeySequence("Ctrl+Return"))
        self.reject_button = QPushButton("Reject  [Ctrl+Backspace]")
        self.reject_button.setShortcut(QKeySequence("Ctrl+Backspace"))
        self.refresh_button = QPushButton("Reload requests  [Ctrl+R]")
        self.refresh_button.setShortcut(QKeySequence("Ctrl+R"))
        self.reason_edit = QLineEdit(objectName="rejectReason")
        self.reason_edit.setPlaceholderText("Reason to reject, then Enter")
        self.reason_edit.setMaxLength(200)
        self.count_label = QLabel(objectName="caption")
        self.approve_button.clicked.connect(self._approve)
        self.reject_button.clicked.connect(self._reject)
        self.reason_edit.returnPressed.connect(self._reject)
        self.refresh_button.clicked.connect(self.refresh_requested)
        buttons = QHBoxLayout()
        buttons.addWidget(self.approve_button)
        buttons.addWidget(self.reject_button)
        buttons.addWidget(self.reason_edit, 1)
        buttons.addWidget(self.refresh_button)
        layout = QVBoxLayout(self)
        layout.addLayout(buttons)
        layout.addWidget(self.count_label)
        layout.addWidget(self.table)

    def set_requests(self, requests: list[ApprovalRequest]) -> None:
        self.requests = list(requests)
        now = self.now()
        _fill(
            self.table,
            [
                [
                    str(r.id),
                    KIND_NAMES.get(r.kind, r.kind),
                    about(r),
                    money(self.currency, r.amount),
                    r.requested_by,
                    r.workstation,
                    waiting_for(r.created_at, now),
                    r.reason,
                ]
                for r in self.requests
            ],
        )
        self.count_label.setText(
            f"{len(self.requests)} request(s) waiting for a decision."
            if self.requests
            else "No request is waiting."
        )
        for button in (self.approve_button, self.reject_button):
            button.setEnabled(bool(self.requests))
        if self.requests:
            self.table.selectRow(0)
            self.table.setFocus()

    def _chosen(self) -> ApprovalRequest | None:
        row = self.table.currentRow()
        return self.requests[row] if 0 <= row < len(self.requests) else None

    def _approve(self) -> None:
        chosen = self._chosen()
        if chosen is not None:
            self.decided.emit(chosen.id, True, "")

    def _reject(self) -> None:
        chosen, reason = self._chosen(), self.reason_edit.text().strip()
        if chosen is None:
            return
        if not reason:
            self.reason_edit.setFocus()
            return
        self.reason_edit.clear()
        self.decided.emit(chosen.id, False, reason)
