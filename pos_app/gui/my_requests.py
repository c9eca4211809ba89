"""A cashier's own approval requests: their state on Ctrl+Shift+R, and news when one is decided.

`RequestWatch` asks the approvals service for the signed-in user's requests every
`POLL_MS` in the background (quietly: no busy cursor) and when asked; a request decided
since the last answer is posted to the status line ("Request 7 approved by supervisor:
Cash out P1, receipt WS01-000012."). `MyRequestsDialog` only shows the rows it is given.
"""

from __future__ import annotations

from PySide6.QtCore import QObject, Qt, QTimer, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from pos_app.domain.money import Currency
from pos_app.gui.formatting import money, when
from pos_app.gui.messages import Messages
from pos_app.gui.operations import Operations
from pos_app.gui.session import Session
from pos_app.gui.supervisor.approvals_view import KIND_NAMES, about
from pos_app.gui.widgets import fit_to_screen
from pos_app.services import approvals
from pos_app.services.approvals import ApprovalRequest

POLL_MS = 15_000
COLUMNS = ("Request", "Kind", "About", "Amount", "Asked", "State", "Decided by", "Note")
AMOUNT_COLUMN = COLUMNS.index("Amount")


def news(request: ApprovalRequest) -> str:
    """One status line about a decided request."""
    what = f"{KIND_NAMES.get(request.kind, request.kind)} {about(request)}"
    if request.status == "approved":
        receipt = (request.result or {}).get("receipt_no")
        return (
            f"Request {request.id} approved by {request.decided_by}: {what}"
            f"{f', receipt {receipt}' if receipt else ''}."
        )
    return (
        f"Request {request.id} rejected by {request.decided_by}: {what} — {request.decision_reason}"
    )


class MyRequestsDialog(QDialog):
    """The signed-in user's requests, newest first; Esc closes."""

    def __init__(self, *, currency: Currency, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("My requests")
        self.setObjectName("myRequestsDialog")
        self.currency = currency
        self.summary = QLabel(objectName="dialogTitle")
        self.table = QTableWidget(0, len(COLUMNS))
        self.table.setHorizontalHeaderLabels(list(COLUMNS))
        self.table.verticalHeader().hide()
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.table.horizontalHeader().setStretchLastSection(True)
        close = QPushButton("Close  [Esc]")
        close.clicked.connect(self.accept)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        buttons.addWidget(close)
        layout = QVBoxLayout(self)
        layout.addWidget(self.summary)
        layout.addWidget(self.table)
        layout.addLayout(buttons)
        fit_to_screen(self, 1100, 520)

    def set_requests(self, requests: list[ApprovalRequest]) -> None:
        waiting = sum(r.status == "pending" for r in requests)
        self.summary.setText(
            f"{waiting} waiting for a decision, {len(requests) - waiting} decided."
            if requests
            else "You have asked for no approval."
        )
        self.table.setRowCount(len(requests))
        for row, r in enumerate(requests):
            cells = (
                str(r.id),
                KIND_NAMES.get(r.kind, r.kind),
                about(r),
                money(self.currency, r.amount),
                when(r.created_at),
                r.status.capitalize(),
                r.decided_by or "",
                r.decision_reason or r.reason,
            )
            for column, text in enumerate(cells):
                item = QTableWidgetItem(text)
                if column == AMOUNT_COLUMN:
                    item.setTextAlignment(
                        Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter
                    )
                self.table.setItem(row, column, item)


class RequestWatch(QObject):
    """Keeps the signed-in user's requests fresh and tells when one is decided."""

    changed = Signal(list)  # list[ApprovalRequest]

    def __init__(
        self,
        *,
        operations: Operations,
        session: Session,
        messages: Messages,
        parent: QWidget,
        poll_ms: int = POLL_MS,
    ) -> None:
        super().__init__(parent)
        self._ops, self._session, self._messages, self._parent = (
            operations,
            session,
            messages,
            parent,
        )
        self.requests: list[ApprovalRequest] = []
        self._decided: set[int] | None = None  # ids seen decided; None until the first answer
        self.dialog: MyRequestsDialog | None = None
        self._timer = QTimer(self, interval=poll_ms)
        self._timer.timeout.connect(self.refresh)
        self._timer.start()
        self.refresh()

    def refresh(self) -> None:
        actor = self._session.actor
        self._ops.run(
            lambda uow: approvals.list_requests(uow, actor=actor, mine=True),
            on_success=self._seen,
            on_failure=lambda _failure: None,
            owner=self._parent,
            busy=False,
        )

    def show_dialog(self) -> MyRequestsDialog:
        """Ctrl+Shift+R: the list as last seen, refreshed at once."""
        if self.dialog is None:
            self.dialog = MyRequestsDialog(
                currency=self._session.facility.currency, parent=self._parent
            )
            self.changed.connect(self.dialog.set_requests)
        self.dialog.set_requests(self.requests)
        self.dialog.open()
        self.refresh()
        return self.dialog

    def _seen(self, requests: list[ApprovalRequest]) -> None:
        decided = {r.id for r in requests if r.status != "pending"}
        if self._decided is not None:  # what was decided before the window opened is old news
            for request in requests:
                if request.id in decided - self._decided:
                    (
                        self._messages.success
                        if request.status == "approved"
                        else self._messages.error
                    )(news(request))
        self._decided = decided
        self.requests = requests
        self.changed.emit(requests)
