"""The cashier window's presenter: turns what the view asks for into service calls."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import UTC, datetime
from decimal import Decimal
from functools import partial

from PySide6.QtCore import QObject, Qt, QTimer, Signal

from pos_app.domain.actors import Role
from pos_app.gui.adjust_flow import AdjustFlow
from pos_app.gui.document_output import DocumentOutput
from pos_app.gui.formatting import age, money_with_code
from pos_app.gui.health import ConnectionMonitor
from pos_app.gui.main_window import MainWindow
from pos_app.gui.messages import Messages
from pos_app.gui.models import ItemsModel, patients_model, statement_model
from pos_app.gui.money_flows import MoneyFlows
from pos_app.gui.my_requests import RequestWatch
from pos_app.gui.new_bill_dialog import NewBillDialog
from pos_app.gui.operations import Failure, Operations
from pos_app.gui.receipt_flows import ReceiptFlows, ReceiptOutputs
from pos_app.gui.register_dialog import RegisterDialog, WalkIn
from pos_app.gui.session import Session
from pos_app.gui.shift_flows import ShiftFlows
from pos_app.gui.shortcuts import HelpSheet
from pos_app.gui.statement_dialog import StatementDialog
from pos_app.gui.supervisor.dashboard import Replica, SupervisorDashboard
from pos_app.receipts.statement import render_statement
from pos_app.services import billing, patients, statement
from pos_app.services.billing import BillResult
from pos_app.services.patients import PatientDetail, PatientSummary
from pos_app.services.shifts import ShiftSummary

SEARCH_DELAY_MS = 200
SEARCH_LIMIT = 30


class CashierController(QObject):
    """Debounced search, the open patient, and the money dialogs, all through `operations`."""

    patient_loaded = Signal(object)  # PatientDetail
    signed_out = Signal()
    settings_requested = Signal()

    def __init__(
        self,
        *,
        operations: Operations,
        monitor: ConnectionMonitor,
        session: Session,
        outputs: ReceiptOutputs | None = None,
        replica: Replica | None = None,
    ) -> None:
        super().__init__()
        self._ops, self._monitor, self.session = operations, monitor, session
        self._outputs, self._replica = outputs, replica
        currency = lambda: session.facility.currency  # noqa: E731
        self.results = patients_model()
        self.items = ItemsModel(currency)
        self.window = MainWindow(results=self.results, items=self.items)
        self.messages = Messages(self)
        self.messages.posted.connect(self.window.show_message)
        self.receipts = ReceiptFlows(
            operations=operations,
            session=session,
            parent=self.window,
            report=self.messages,
            outputs=outputs,
        )
        self.flows = MoneyFlows(
            operations=operations,
            monitor=monitor,
            session=session,
            parent=self.window,
            on_money_moved=self.reload_patient,
            show_receipt=self.receipts.show,
            messages=self.messages,
            open_shift=lambda over: self.shifts.start_open(over),
        )
        self.adjusting = AdjustFlow(
            operations=operations,
            monitor=monitor,
            session=session,
            parent=self.window,
            messages=self.messages,
            on_applied=self.reload_patient,
        )
        self.documents = DocumentOutput(
            operations=operations, messages=self.messages, outputs=outputs or ReceiptOutputs()
        )
        self.my_requests = RequestWatch(
            operations=operations, session=session, messages=self.messages, parent=self.window
        )
        self.shifts = ShiftFlows(
            operations=operations,
            session=session,
            parent=self.window,
            on_change=self._shift_changed,
            messages=self.messages,
            outputs=outputs,
        )
        self.detail: PatientDetail | None = None
        self.statement_dialog: StatementDialog | None = None
        self.help_sheet: HelpSheet | None = None
        self.dashboard: SupervisorDashboard | None = None
        self.register_dialog: RegisterDialog | None = None
        self.new_bill_dialog: NewBillDialog | None = None
        self._next_patient = False  # a payment just ended: the next load hands over to search
        self._search_seq = 0
        # Parented to the window, so a search typed just before it closes dies with it.
        self._search_timer = QTimer(self.window, singleShot=True, interval=SEARCH_DELAY_MS)
        self._search_timer.timeout.connect(self._search_now)
        self._wire()
        self._update_actions()
        self.shifts.refresh()

    def _wire(self) -> None:
        w = self.window
        w.set_session(self.session.facility.name, self.session.who())
        w.settings_action.setEnabled(self.session.actor.role is Role.ADMIN)
        w.actions_by_name["dashboard"].setEnabled(self.session.actor.role is not Role.CASHIER)
        w.search_changed.connect(self._search_typed)
        w.patient_activated.connect(self._open_row)
        w.action_triggered.connect(self._action)
        self.items.selection_changed.connect(self._update_actions)
        self._ops.busy_changed.connect(self._busy)
        self._ops.failed.connect(self._show_failure)
        self._monitor.online_changed.connect(self._online)

    def _busy(self, busy: bool) -> None:
        self.window.set_busy(busy)
        if busy:
            self.window.setCursor(Qt.CursorShape.BusyCursor)
        else:
            self.window.unsetCursor()

    def _show_failure(self, failure: Failure) -> None:
        self._monitor.report_failure(failure)
        self.messages.error(failure.message)

    def _online(self, online: bool) -> None:
        self.window.set_online(online)
        self._update_actions()
        if online and self.detail is not None:
            self.reload_patient()

    def _action(self, name: str) -> None:
        handlers: dict[str, Callable[[], object]] = {
            "search": self.window.focus_search,
            "refresh": self.reload_patient,
            "register": self.register_walk_in,
            "new_bill": self.new_bill,
            "adjust": self.adjust,
            "pay": self.pay,
            "top_up": self.top_up,
            "statement": self.show_statement,
            "cash_out": self.cash_out,
            "help": self.show_help,
            "sign_out": self.signed_out.emit,
            "settings": self.settings_requested.emit,
            "reprint_receipt": self.receipts.ask_reprint,
            "request_refund": self.receipts.ask_refund,
            "receipts_list": self.show_receipts,
            "open_shift": self.shifts.start_open,
            "close_shift": self.shifts.start_close,
            "dashboard": self.show_dashboard,
            "my_requests": self.my_requests.show_dialog,
        }
        handlers[name]()

    def _shift_changed(self, summary: ShiftSummary | None) -> None:
        self.window.set_shift(self.shifts.describe(summary), open_=summary is not None)

    def _update_actions(self) -> None:
        online, open_ = self._monitor.online, self.detail is not None
        self.window.set_money_enabled(
            pay=online and open_ and bool(self.items.selected()),
            top_up=online and open_,
            statement=open_,
            cash_out=online and open_,
        )
        self.window.actions_by_name["new_bill"].setEnabled(online and open_)
        self.window.actions_by_name["adjust"].setEnabled(
            online and open_ and self.items.rowCount() > 0
        )
        currency = self.session.facility.currency
        count = len(self.items.selected())
        self.window.set_total(
            f"Selected {count} of {self.items.rowCount()}:  "
            f"{money_with_code(currency, self.items.selected_total())}"
            if open_
            else ""
        )

    # --- search and the open patient -------------------------------------------------------
    def _search_typed(self, _text: str) -> None:
        self.window.set_change("")  # the next patient: the last one's change is handed over
        self._search_timer.start()

    def _search_now(self) -> None:
        text = self.window.search_edit.text()
        self._search_seq += 1
        seq = self._search_seq
        call = partial(
            patients.search_patients, actor=self.session.actor, text=text, limit=SEARCH_LIMIT
        )
        self._ops.run(call, on_success=lambda found: self._found(seq, found), owner=self.window)

    def _found(self, seq: int, found: list) -> None:
        if seq == self._search_seq:  # an older, slower answer must not overwrite a newer one
            self.results.set_rows(found)
            text = self.window.search_edit.text().strip()
            self.window.set_search_hint(
                f"No patient matches \u201c{text}\u201d \u2014 press Ctrl+N to register"
                if text and not found
                else ""
            )

    def _open_row(self, row: int) -> None:
        if 0 <= row < self.results.rowCount():
            self.open_patient(self.results.row(row).mrn)

    def open_patient(self, mrn: str) -> None:
        call = partial(patients.show_patient, actor=self.session.actor, mrn=mrn)
        self._ops.run(call, on_success=self._show_detail, owner=self.window)

    def reload_patient(self) -> None:
        if self.detail is not None:
            self.open_patient(self.detail.patient.mrn)

    def _show_detail(self, detail: PatientDetail) -> None:
        self.detail = detail
        p, currency = detail.patient, self.session.facility.currency
        details = f"{p.mrn}   ·   {p.phone or 'no phone'}   ·   age {age(p.dob)}"
        self.window.set_patient((p.name, details, money_with_code(currency, p.wallet_balance)))
        self.items.set_rows(detail.unpaid_items)
        self._update_actions()
        if self._next_patient:  # after a payment: the receipt closes onto the search box
            self._next_patient = False
            self.window.focus_search()
        else:
            self.window.items_view.setFocus()
        if self.items.rowCount():
            self.window.items_view.selectRow(0)
        self.patient_loaded.emit(detail)

    # --- actions --------------------------------------------------------------------------
    def pay(self) -> None:
        if self.detail is None or not self.window.buttons["pay"].isEnabled():
            return
        dialog = self.flows.start_pay(self.detail, self.items.selected())
        dialog.accepted.connect(lambda: self._paid(dialog.state().change))

    def _paid(self, change: Decimal | None) -> None:
        """Paid: the change in large type while notes are counted; then the next patient."""
        self._next_patient = True
        self.window.set_change(
            f"CHANGE  {money_with_code(self.session.facility.currency, change)}" if change else ""
        )

    def register_walk_in(self) -> None:
        """Ctrl+N: register a walk-in patient (what was searched for prefilled), then open them."""
        dialog = RegisterDialog(search_text=self.window.search_edit.text(), parent=self.window)
        dialog.set_online(self._monitor.online)
        self._monitor.online_changed.connect(dialog.set_online)
        dialog.register_requested.connect(lambda walk_in: self._register(dialog, walk_in))
        self.register_dialog = dialog
        dialog.open()

    def _register(self, dialog: RegisterDialog, walk_in: WalkIn) -> None:
        call = partial(
            patients.add_patient,
            actor=self.session.actor,
            mrn=walk_in.mrn,
            name=walk_in.name,
            phone=walk_in.phone,
            dob=walk_in.dob,
        )
        self._ops.run(
            call,
            owner=dialog,
            on_success=lambda added: self._registered(dialog, added),
            on_failure=lambda failure: self._refused_in(dialog, failure),
        )

    def _refused_in(self, dialog: RegisterDialog | NewBillDialog, failure: Failure) -> None:
        self._monitor.report_failure(failure)
        dialog.show_refusal(failure.message)

    def _registered(self, dialog: RegisterDialog, added: PatientSummary) -> None:
        dialog.accept()
        self.messages.success(f"Registered {added.name} ({added.mrn}).")
        self.open_patient(added.mrn)

    def new_bill(self) -> None:
        """Ctrl+B: bill the open patient from the price list; one key per dialog, so a
        double press or a retry after a lost connection raises one bill."""
        if self.detail is None or not self.window.actions_by_name["new_bill"].isEnabled():
            return
        actor, patient, key = self.session.actor, self.detail.patient, f"gui-{uuid.uuid4().hex}"
        dialog = NewBillDialog(
            currency=self.session.facility.currency,
            patient=f"{patient.name}  \u00b7  {patient.mrn}",
            parent=self.window,
        )
        dialog.set_online(self._monitor.online)
        self._monitor.online_changed.connect(dialog.set_online)
        dialog.search_requested.connect(
            lambda text: self._ops.run(
                partial(billing.search_services, actor=actor, text=text),
                owner=dialog,
                on_success=lambda found: dialog.set_results(text, found),
            )
        )
        dialog.bill_requested.connect(
            lambda lines: self._ops.run(
                partial(
                    billing.new_bill,
                    actor=actor,
                    workstation=self.session.workstation,
                    mrn=patient.mrn,
                    lines=lines,
                    key=key,
                ),
                owner=dialog,
                on_success=lambda bill: self._billed(dialog, bill),
                on_failure=lambda failure: self._refused_in(dialog, failure),
            )
        )
        self.new_bill_dialog = dialog
        dialog.open()

    def _billed(self, dialog: NewBillDialog, bill: BillResult) -> None:
        """Raised: the card reloads with the new items unpaid and ticked, ready for F5."""
        dialog.accept()
        self.messages.success(
            f"Bill {bill.bill_no} raised: {len(bill.items)} line(s), "
            f"{money_with_code(self.session.facility.currency, bill.total)}. F5 pays it."
        )
        self.reload_patient()

    def adjust(self) -> None:
        """Ctrl+J: discount, waive or correct the price of the item under the cursor."""
        row = self.window.items_view.currentIndex().row()
        if (
            self.detail is None
            or not self.window.actions_by_name["adjust"].isEnabled()
            or not 0 <= row < self.items.rowCount()
        ):
            return
        self.adjusting.start(self.items.row(row))

    def top_up(self) -> None:
        if self.detail is None or not self.window.buttons["top_up"].isEnabled():
            return
        self.flows.start_top_up(self.detail)

    def cash_out(self) -> None:
        """Pay wallet money out in cash; a supervisor signs off in the dialog."""
        if self.detail is None or not self.window.actions_by_name["cash_out"].isEnabled():
            return
        self.flows.start_cash_out(self.detail)

    def show_statement(self) -> None:
        if self.detail is None:
            return
        currency = self.session.facility.currency
        dialog = StatementDialog(model=statement_model(lambda: currency), parent=self.window)
        self.statement_dialog = dialog
        call = partial(
            statement.wallet_statement, actor=self.session.actor, mrn=self.detail.patient.mrn
        )
        self._ops.run(
            call,
            owner=dialog,
            on_success=lambda found: dialog.set_statement(
                found, money_with_code(currency, found.balance)
            ),
        )
        dialog.print_requested.connect(lambda: self._statement_out(dialog, save=False))
        dialog.pdf_requested.connect(lambda: self._statement_out(dialog, save=True))
        dialog.open()

    def _statement_out(self, dialog: StatementDialog, *, save: bool) -> None:
        """The statement on paper or as PDF, in the receipts' template and width."""
        if dialog.statement is None:
            return
        facility, found = self.session.facility, dialog.statement
        lines = render_statement(
            found,
            currency=facility.currency,
            facility_name=facility.name,
            printed_at=datetime.now(UTC),
            columns=self.documents.columns,
        )
        title = f"Wallet statement {found.mrn}"
        if save:
            self.documents.save_pdf(
                dialog,
                lines,
                title=title,
                author=facility.name,
                file_name=f"statement-{found.mrn}.pdf",
            )
        else:
            self.documents.print(dialog, lines, title)

    def show_dashboard(self) -> None:
        """Supervisors: today's totals, variances, audit trail and refund approvals."""
        if self.session.actor.role is Role.CASHIER:
            return
        if self.dashboard is None:
            self.dashboard = SupervisorDashboard(
                operations=self._ops,
                actor=self.session.actor,
                workstation=self.session.workstation,
                currency=self.session.facility.currency,
                receipt_outputs=self._outputs,
                replica=self._replica,
            )
            self.dashboard.message.connect(self.messages.info)  # good and bad news alike
            self.dashboard.message.connect(lambda _text: self.reload_patient())
        self.dashboard.tabs.setCurrentWidget(self.dashboard.today)
        self.dashboard.show()
        self.dashboard.activateWindow()
        self.dashboard.start()

    def show_receipts(self) -> None:
        """F4: the open patient's receipts, else today's at this workstation."""
        p = self.detail.patient if self.detail is not None else None
        self.receipts.show_list((p.mrn, p.name) if p is not None else None)

    def show_help(self) -> None:
        self.help_sheet = HelpSheet(self.window)
        self.help_sheet.open()
