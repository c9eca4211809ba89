"""Pay and Top up: open the dialog, send its request once per key, then show the receipt."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from decimal import Decimal
from functools import partial

from PySide6.QtWidgets import QWidget

from pos_app.adapters.uow import UnitOfWork
from pos_app.gui.health import ConnectionMonitor
from pos_app.gui.operations import Failure, Operations
from pos_app.gui.pay_dialog import PayDialog
from pos_app.gui.session import Session
from pos_app.gui.topup_dialog import TopUpDialog
from pos_app.services import deposit, pay
from pos_app.services.deposit import DepositResult
from pos_app.services.patients import PatientDetail, UnpaidItem
from pos_app.services.pay import PaymentResult
from pos_app.services.tenders import TenderRequest


class MoneyFlows:
    """Runs the Pay and Top up dialogs for the open patient; reports back when money moved."""

    def __init__(self, *, operations: Operations, monitor: ConnectionMonitor, session: Session,
                 parent: QWidget, on_money_moved: Callable[[], None],
                 show_receipt: Callable[[str], None]) -> None:
        self._ops, self._monitor, self._session = operations, monitor, session
        self._parent, self._moved, self._show_receipt = parent, on_money_moved, show_receipt
        self.pay_dialog: PayDialog | None = None
        self.top_up_dialog: TopUpDialog | None = None
        monitor.online_changed.connect(self._online_changed)

    @property
    def _currency(self):  # noqa: ANN202 - the facility's Currency
        return self._session.facility.currency

    def _online_changed(self, online: bool) -> None:
        for dialog in (self.pay_dialog, self.top_up_dialog):
            if dialog is not None and dialog.isVisible():
                dialog.set_online(online)

    def _send(self, dialog: PayDialog | TopUpDialog,
              call: Callable[[UnitOfWork], PaymentResult | DepositResult]) -> None:
        """Run the money call: moved, show its receipt; refused, say why in the dialog."""
        self._ops.run(call, on_success=lambda result: self._moved_with(dialog, result),
                      on_failure=lambda failure: self._refused(dialog, failure), owner=dialog)

    def _moved_with(self, dialog: PayDialog | TopUpDialog,
                    result: PaymentResult | DepositResult) -> None:
        dialog.accept()
        self._moved()
        self._show_receipt(result.receipt_no)

    def _refused(self, dialog: PayDialog | TopUpDialog, failure: Failure) -> None:
        self._monitor.report_failure(failure)
        dialog.show_refusal(failure.message)

    # --- pay ----------------------------------------------------------------------------------
    def start_pay(self, detail: PatientDetail, items: list[UnpaidItem]) -> PayDialog:
        """One dialog, one idempotency key: a double press or a retry pays once."""
        key = f"gui-{uuid.uuid4().hex}"
        total = sum((item.amount for item in items), Decimal(0))
        patient = detail.patient
        dialog = PayDialog(currency=self._currency, total=total,
                           wallet_balance=patient.wallet_balance,
                           patient=f"{patient.name}  ·  {patient.mrn}", item_count=len(items),
                           parent=self._parent)
        dialog.set_online(self._monitor.online)
        ids = [item.id for item in items]
        dialog.pay_requested.connect(
            lambda tenders: self._send_pay(dialog, key, patient.mrn, ids, tenders))
        self.pay_dialog = dialog
        dialog.open()
        return dialog

    def _send_pay(self, dialog: PayDialog, key: str, mrn: str, ids: list[int],
                  tenders: list[TenderRequest]) -> None:
        self._send(dialog, partial(pay.pay, actor=self._session.actor,
                                   workstation=self._session.workstation, mrn=mrn,
                                   tenders=tenders, key=key, item_ids=ids))

    # --- top up -------------------------------------------------------------------------------
    def start_top_up(self, detail: PatientDetail) -> TopUpDialog:
        key = f"gui-{uuid.uuid4().hex}"
        patient = detail.patient
        dialog = TopUpDialog(currency=self._currency, patient=f"{patient.name}  ·  {patient.mrn}",
                             balance=patient.wallet_balance, parent=self._parent)
        dialog.set_online(self._monitor.online)
        dialog.top_up_requested.connect(
            lambda amount, method, ref: self._send_top_up(dialog, key, patient.mrn, amount,
                                                          method, ref))
        self.top_up_dialog = dialog
        dialog.open()
        return dialog

    def _send_top_up(self, dialog: TopUpDialog, key: str, mrn: str, amount: str, method: str,
                     reference: str) -> None:
        self._send(dialog, partial(deposit.deposit, actor=self._session.actor,
                                   workstation=self._session.workstation, mrn=mrn,
                                   amount=amount, method=method, key=key,
                                   reference=reference or None))
