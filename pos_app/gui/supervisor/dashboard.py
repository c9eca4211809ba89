"""The supervisor dashboard: every database call goes through the background runner.

The views only show data and emit what the supervisor asks for; this widget turns
each request into one `operations.run(...)` of a service call and routes the
outcome back to the view, or to the message line when it fails. An approved
request that issued a receipt (a refund, a cash-out) opens it in the cashier window's
receipt preview (Print, Save PDF, Reprint), loaded through the receipts service.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import date
from pathlib import Path

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import QFileDialog, QLabel, QTabWidget, QVBoxLayout, QWidget

from pos_app.adapters.uow import UnitOfWork
from pos_app.domain.actors import Actor
from pos_app.domain.facility import Facility
from pos_app.domain.money import Currency
from pos_app.gui.operations import Failure, Operations
from pos_app.gui.receipt_flows import ReceiptFlows, ReceiptOutputs
from pos_app.gui.session import Session
from pos_app.gui.supervisor.approvals_view import KIND_NAMES, ApprovalsView, about
from pos_app.gui.supervisor.audit_view import AuditView
from pos_app.gui.supervisor.tables_view import VarianceView
from pos_app.gui.supervisor.today_view import TodayView, default_export_path
from pos_app.services import approvals, audit_trail, report_export, reports, shifts
from pos_app.services.approvals import ApprovalRequest
from pos_app.services.reports import DailyReport

ChoosePath = Callable[[str, DailyReport], Path | None]
# A read-only unit of work on the report replica (`App.report_uow`), None when there is none.
Replica = Callable[[], UnitOfWork | None]


def ask_path(parent: QWidget) -> ChoosePath:
    """A save-file dialog for exports (tests pass their own chooser)."""

    def choose(kind: str, report: DailyReport) -> Path | None:
        name, _ = QFileDialog.getSaveFileName(
            parent,
            f"Export {kind.upper()}",
            str(default_export_path(kind, report)),
            f"{kind.upper()} (*.{kind})",
        )
        return Path(name) if name else None

    return choose


class SupervisorDashboard(QWidget):
    """Today, cash variances, audit trail and approvals in tabs, for one supervisor."""

    message = Signal(str)  # what to tell the supervisor: the one bridge for user messages
    report_shown = Signal(object)

    def __init__(
        self,
        *,
        operations: Operations,
        actor: Actor,
        workstation: str,
        currency: Currency,
        choose_path: ChoosePath | None = None,
        receipt_outputs: ReceiptOutputs | None = None,
        replica: Replica | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle("CareTill — supervisor dashboard")
        self.operations, self.actor, self.workstation = operations, actor, workstation
        # Reports and the audit trail may read a replica; approvals and the Z close never do.
        self.replica: Replica = replica or (lambda: None)
        self.choose_path = choose_path or ask_path(self)
        self.today = TodayView(currency=currency)
        self.variances = VarianceView(currency=currency)
        self.audit = AuditView(currency=currency)
        self.approvals = ApprovalsView(currency=currency)
        self.tabs = QTabWidget()
        for view, title in (
            (self.today, "&Today"),
            (self.variances, "Cash &variances"),
            (self.audit, "&Audit trail"),
            (self.approvals, "A&pprovals"),
        ):
            self.tabs.addTab(view, title)
        self.message_label = QLabel()
        self.message.connect(self.message_label.setText)
        # ReceiptFlows reads only who and where from the session; the facility is not needed.
        self.receipts = ReceiptFlows(
            operations=operations,
            session=Session(actor, workstation, Facility("", currency)),
            parent=self,
            report=self.message.emit,
            outputs=receipt_outputs,
        )
        layout = QVBoxLayout(self)
        layout.addWidget(self.tabs)
        layout.addWidget(self.message_label)
        self.today.refresh_requested.connect(self.load_report)
        self.today.export_requested.connect(self.export)
        self.today.close_day_requested.connect(self.close_day)
        self.audit.search_requested.connect(self.search_audit)
        self.audit.verify_requested.connect(self.verify_chain)
        self.approvals.refresh_requested.connect(self.load_requests)
        self.approvals.decided.connect(self.decide)
        self.variances.x_report_requested.connect(self.load_x_report)
        QShortcut(QKeySequence(Qt.Key.Key_Escape), self, self.close)
        self.tabs.setCurrentWidget(self.today)
        self.resize(1340, 700)  # with its frame inside a 1366x768 till screen

    def start(self) -> None:
        """Load everything the dashboard shows."""
        self.load_report(None)
        self.load_requests()
        self.search_audit(self.audit.filters())

    def _run(self, call, on_success) -> None:
        self.operations.run(call, on_success=on_success, on_failure=self._failed, owner=self)

    def _failed(self, failure: Failure) -> None:
        self.message.emit(failure.message)

    def load_report(self, day: date | None) -> None:
        actor, replica = self.actor, self.replica
        self._run(
            lambda uow: reports.daily_report(uow, actor=actor, day=day, replica=replica()),
            self._show,
        )

    def _show(self, report: DailyReport) -> None:
        self.today.set_report(report)
        self.variances.set_shifts(report.shifts)
        self.report_shown.emit(report)

    def close_day(self, day: date | None) -> None:
        actor, ws = self.actor, self.workstation

        def closed(report: DailyReport) -> None:
            self._show(report)
            self.message.emit(f"Day {report.business_date} closed (Z report).")

        self._run(lambda uow: reports.close_day(uow, actor=actor, workstation=ws, day=day), closed)

    def export(self, kind: str) -> None:
        report = self.today.report
        if report is None:
            return
        path = self.choose_path(kind, report)
        if path is None:
            return
        if kind == "pdf":
            report_export.write_pdf(report, path)
        else:
            path.write_text(report_export.to_csv(report), encoding="utf-8")
        self.message.emit(f"Exported {report.business_date} to {path}.")

    def search_audit(self, filters: dict) -> None:
        actor, replica = self.actor, self.replica
        self._run(
            lambda uow: audit_trail.audit_events(uow, actor=actor, replica=replica(), **filters),
            self.audit.set_events,
        )

    def verify_chain(self) -> None:
        actor = self.actor
        self._run(lambda uow: audit_trail.verify_chain(uow, actor=actor), self.audit.set_chain)

    def load_x_report(self) -> None:
        """Figures so far of every open shift; nothing is closed."""
        actor = self.actor
        self._run(lambda uow: shifts.x_report(uow, actor=actor), self.variances.set_open_shifts)

    def load_requests(self) -> None:
        actor = self.actor
        self._run(
            lambda uow: approvals.list_requests(uow, actor=actor, status="pending"),
            self.approvals.set_requests,
        )

    def decide(self, request_id: int, approve: bool, reason: str = "") -> None:
        actor, ws, key = self.actor, self.workstation, f"gui-{uuid.uuid4().hex}"

        def done(decided: ApprovalRequest) -> None:
            what = f"{KIND_NAMES.get(decided.kind, decided.kind)} {about(decided)}"
            receipt = (decided.result or {}).get("receipt_no")
            self.message.emit(
                f"Request {decided.id} approved ({what})"
                f"{f': receipt {receipt} issued' if receipt else ''}."
                if approve
                else f"Request {decided.id} rejected ({what}): {decided.decision_reason}"
            )
            if receipt:
                self.receipts.show(receipt)
            self.load_requests()
            self.load_report(None)

        if approve:
            self._run(
                lambda uow: approvals.approve(
                    uow, actor=actor, workstation=ws, request_id=request_id, key=key
                ),
                done,
            )
        else:
            self._run(
                lambda uow: approvals.reject(
                    uow, actor=actor, workstation=ws, request_id=request_id, reason=reason
                ),
                done,
            )
