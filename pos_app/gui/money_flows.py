"""Pay, Top up and Cash out: open the dialog, send its request once per key, show the receipt.

A save whose outcome is unknown keeps the dialog and its key, so pressing again
completes or replays it once; a refusal for want of a shift offers to open one.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import replace
from decimal import Decimal
from functools import partial
from typing import Any

from PySide6.QtGui import QShortcut
from PySide6.QtWidgets import QDialog, QWidget

from pos_app.adapters.uow import UnitOfWork
from pos_app.domain.actors import Actor, Role
from pos_app.gui.cash_out_dialog import CashOutDialog, CashOutRequest
from pos_app.gui.form_dialog import FormDialog
from pos_app.gui.formatting import money_with_code
from pos_app.gui.health import ConnectionMonitor
from pos_app.gui.messages import Messages
from pos_app.gui.operations import Failure, Operations
from pos_app.gui.pay_dialog import PayDialog
from pos_app.gui.session import Session
from pos_app.gui.shortcuts import SHORTCUTS
from pos_app.gui.topup_dialog import TopUpDialog
from pos_app.services import auth, deposit, pay, payers, withdrawal
from pos_app.services.deposit import DepositResult
from pos_app.services.patients import PatientDetail, UnpaidItem
from pos_app.services.pay import PaymentResult
from pos_app.services.tenders import TenderRequest
from pos_app.services.withdrawal import WithdrawalResult

MoneyResult = PaymentResult | DepositResult | WithdrawalResult
OPEN_SHIFT = next(s for s in SHORTCUTS if s.name == "open_shift")


class MoneyFlows:
    """Runs the money dialogs for the open patient; reports back when money moved."""

    def __init__(
        self,
        *,
        operations: Operations,
        monitor: ConnectionMonitor,
        session: Session,
        parent: QWidget,
        on_money_moved: Callable[[], None],
        show_receipt: Callable[[str], None],
        messages: Messages,
        open_shift: Callable[[QWidget], QDialog] | None = None,
    ) -> None:
        self._ops, self._monitor, self._session = operations, monitor, session
        self._parent, self._moved, self._show_receipt = parent, on_money_moved, show_receipt
        self._messages, self._open_shift = messages, open_shift
        self.pay_dialog: PayDialog | None = None
        self.top_up_dialog: TopUpDialog | None = None
        self.cash_out_dialog: CashOutDialog | None = None
        monitor.online_changed.connect(self._online_changed)

    @property
    def _currency(self):  # noqa: ANN202 - the facility's Currency
        return self._session.facility.currency

    def _online_changed(self, online: bool) -> None:
        for dialog in (self.pay_dialog, self.top_up_dialog, self.cash_out_dialog):
            if dialog is not None and dialog.isVisible():
                dialog.set_online(online)

    def _send(
        self,
        dialog: FormDialog,
        call: Callable[[UnitOfWork], MoneyResult],
        *,
        verb: str,
        news: Callable[[Any], str] | None = None,
    ) -> None:
        """Run the money call: moved, show its receipt (and `news`); refused, say why in place."""
        self._ops.run(
            call,
            on_success=lambda result: self._moved_with(dialog, result, news),
            on_failure=lambda failure: self._refused(dialog, failure, verb),
            owner=dialog,
        )

    def _moved_with(
        self, dialog: FormDialog, result: MoneyResult, news: Callable[[Any], str] | None
    ) -> None:
        dialog.accept()
        self._moved()
        self._show_receipt(result.receipt_no)
        if news is not None:
            self._messages.success(news(result))

    def _refused(self, dialog: FormDialog, failure: Failure, verb: str = "") -> None:
        self._monitor.report_failure(failure)
        if failure.code == "outcome_unknown":  # the dialog keeps its key: again is safe
            dialog.show_refusal(
                f"The connection was lost while saving: this may have gone "
                f"through. Press {verb} again to retry safely: it completes "
                "once, never twice."
            )
        elif failure.code == "no_open_shift" and self._open_shift is not None:
            dialog.show_refusal(
                f"{failure.message} Press {OPEN_SHIFT.keys} to open your shift "
                f"here, then {verb} again."
            )
        else:
            dialog.show_refusal(failure.message)

    def _offer_shift(self, dialog: FormDialog, verb: str) -> None:
        """The open-shift key works inside the money dialog: nothing typed is lost."""
        if self._open_shift is not None:
            QShortcut(OPEN_SHIFT.sequence(), dialog, lambda: self._shift_over(dialog, verb))

    def _shift_over(self, dialog: FormDialog, verb: str) -> None:
        opened = self._open_shift(dialog)
        opened.accepted.connect(lambda: dialog.show_refusal(f"Shift open: press {verb} again."))

    # --- pay ----------------------------------------------------------------------------------
    def start_pay(self, detail: PatientDetail, items: list[UnpaidItem]) -> PayDialog:
        """One dialog, one idempotency key: a double press or a retry pays once."""
        key = f"gui-{uuid.uuid4().hex}"
        total = sum((item.amount_due for item in items), Decimal(0))
        patient = detail.patient
        dialog = PayDialog(
            currency=self._currency,
            total=total,
            wallet_balance=patient.wallet_balance,
            patient=f"{patient.name}  ·  {patient.mrn}",
            item_count=len(items),
            parent=self._parent,
        )
        dialog.set_online(self._monitor.online)
        ids = [item.id for item in items]
        dialog.pay_requested.connect(
            lambda tenders: self._send_pay(dialog, key, patient.mrn, ids, tenders)
        )
        dialog.payer_chosen.connect(lambda code: self._preview(dialog, patient.mrn, ids, code))
        self._offer_shift(dialog, "Pay")
        self.pay_dialog = dialog
        dialog.open()
        actor = self._session.actor
        self._ops.run(
            lambda uow: payers.memberships(
                uow, actor=actor, mrn=patient.mrn, today=uow.clock().date()
            ),
            on_success=dialog.set_memberships,
            owner=dialog,
        )
        return dialog

    def _preview(self, dialog: PayDialog, mrn: str, ids: list[int], code: str) -> None:
        """The chosen payer's split of these items, for the dialog to take the patient's share."""
        if code:
            self._ops.run(
                partial(
                    payers.preview_split,
                    actor=self._session.actor,
                    mrn=mrn,
                    item_ids=ids,
                    payer=code,
                ),
                on_success=dialog.set_split,
                owner=dialog,
                on_failure=lambda failure: self._split_refused(dialog, code, failure),
            )

    def _split_refused(self, dialog: PayDialog, code: str, failure: Failure) -> None:
        self._monitor.report_failure(failure)
        dialog.split_refused(code, failure.message)

    def _send_pay(
        self, dialog: PayDialog, key: str, mrn: str, ids: list[int], tenders: list[TenderRequest]
    ) -> None:
        self._send(
            dialog,
            partial(
                pay.pay,
                actor=self._session.actor,
                workstation=self._session.workstation,
                mrn=mrn,
                tenders=tenders,
                key=key,
                item_ids=ids,
                payer=dialog.payer or None,
            ),
            verb="Pay",
        )

    # --- top up -------------------------------------------------------------------------------
    def start_top_up(self, detail: PatientDetail) -> TopUpDialog:
        key = f"gui-{uuid.uuid4().hex}"
        patient = detail.patient
        dialog = TopUpDialog(
            currency=self._currency,
            patient=f"{patient.name}  ·  {patient.mrn}",
            balance=patient.wallet_balance,
            parent=self._parent,
        )
        dialog.set_online(self._monitor.online)
        dialog.top_up_requested.connect(
            lambda amount, method, ref: self._send_top_up(
                dialog, key, patient.mrn, amount, method, ref
            )
        )
        self._offer_shift(dialog, "Top up")
        self.top_up_dialog = dialog
        dialog.open()
        return dialog

    def _send_top_up(
        self, dialog: TopUpDialog, key: str, mrn: str, amount: str, method: str, reference: str
    ) -> None:
        self._send(
            dialog,
            partial(
                deposit.deposit,
                actor=self._session.actor,
                workstation=self._session.workstation,
                mrn=mrn,
                amount=amount,
                method=method,
                key=key,
                reference=reference or None,
            ),
            verb="Top up",
        )

    # --- cash out -----------------------------------------------------------------------------
    def start_cash_out(self, detail: PatientDetail) -> CashOutDialog:
        """One dialog, one idempotency key: a double press or a retry pays out once."""
        key = f"gui-{uuid.uuid4().hex}"
        patient, actor = detail.patient, self._session.actor
        dialog = CashOutDialog(
            currency=self._currency,
            patient=f"{patient.name}  ·  {patient.mrn}",
            balance=patient.wallet_balance,
            parent=self._parent,
            supervisor=actor.username if actor.role is not Role.CASHIER else "",
        )
        dialog.set_online(self._monitor.online)
        dialog.cash_out_requested.connect(
            lambda request: self._sign_off(dialog, key, patient.mrn, request)
        )
        self._offer_shift(dialog, "Cash out")
        self.cash_out_dialog = dialog
        dialog.open()
        return dialog

    def _sign_off(self, dialog: CashOutDialog, key: str, mrn: str, request: CashOutRequest) -> None:
        """Check the supervisor's password first, then withdraw with them as the approver."""
        self._ops.run(
            lambda uow: auth.check_credentials(
                uow, request.supervisor, request.password, workstation=self._session.workstation
            ),
            owner=dialog,
            on_success=lambda approver: self._send_cash_out(dialog, key, mrn, request, approver),
            on_failure=lambda failure: self._refused(
                dialog, replace(failure, message=f"Supervisor sign-off: {failure.message}")
            ),
        )

    def _send_cash_out(
        self, dialog: CashOutDialog, key: str, mrn: str, request: CashOutRequest, approver: Actor
    ) -> None:
        s = self._session
        self._send(
            dialog,
            partial(
                withdrawal.withdraw,
                actor=approver,
                workstation=s.workstation,
                mrn=mrn,
                amount=request.amount,
                reason=request.reason,
                key=key,
                cashier=s.actor,
            ),
            verb="Cash out",
            news=self._cashed_out,
        )

    def _cashed_out(self, result: WithdrawalResult) -> str:
        paid = money_with_code(self._currency, result.amount)
        left = money_with_code(self._currency, result.wallet_balance_after)
        return (
            f"Paid out {paid} from {result.mrn}'s wallet (receipt {result.receipt_no}, "
            f"approved by {result.approved_by}); balance now {left}."
        )
