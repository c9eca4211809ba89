"""The Adjust… flow: reason codes fetched, the dialog shown, the approver signed in, the
adjustment sent, and the card reloaded once it is applied (or "pending approval" said)."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from functools import partial

from PySide6.QtCore import QObject
from PySide6.QtWidgets import QWidget

from pos_app.domain.actors import Actor
from pos_app.gui.adjust_dialog import AdjustDialog, AdjustRequest
from pos_app.gui.formatting import money_with_code
from pos_app.gui.health import ConnectionMonitor
from pos_app.gui.messages import Messages
from pos_app.gui.operations import Failure, Operations
from pos_app.gui.session import Session
from pos_app.services import adjustments, auth
from pos_app.services.adjustments import AdjustmentResult
from pos_app.services.patients import UnpaidItem


class AdjustFlow(QObject):
    """One dialog per item, one idempotency key per dialog: a double press asks once."""

    def __init__(
        self,
        *,
        operations: Operations,
        monitor: ConnectionMonitor,
        session: Session,
        parent: QWidget,
        messages: Messages,
        on_applied: Callable[[], None],
    ) -> None:
        super().__init__(parent)
        self._ops, self._monitor, self._session = operations, monitor, session
        self._parent, self._messages, self._on_applied = parent, messages, on_applied
        self.dialog: AdjustDialog | None = None

    def start(self, item: UnpaidItem) -> None:
        self._ops.run(
            partial(adjustments.reason_codes, actor=self._session.actor),
            owner=self._parent,
            on_success=lambda codes: self._open(item, codes),
        )

    def _open(self, item: UnpaidItem, codes: tuple[str, ...]) -> None:
        key = f"gui-{uuid.uuid4().hex}"
        dialog = AdjustDialog(
            currency=self._session.facility.currency,
            item=item.service_name,
            where=f"Item {item.id} of bill {item.bill_no}",
            due=item.amount_due,
            reason_codes=codes,
            parent=self._parent,
        )
        dialog.set_online(self._monitor.online)
        self._monitor.online_changed.connect(dialog.set_online)
        dialog.adjust_requested.connect(lambda asked: self._sign_in(dialog, key, item, asked))
        self.dialog = dialog
        dialog.open()

    def _sign_in(
        self, dialog: AdjustDialog, key: str, item: UnpaidItem, asked: AdjustRequest
    ) -> None:
        """With an approver, check their password first; then ask."""
        if not asked.approver:
            self._send(dialog, key, item, asked, None)
            return
        self._ops.run(
            lambda uow: auth.check_credentials(
                uow, asked.approver, asked.password, workstation=self._session.workstation
            ),
            owner=dialog,
            on_success=lambda approver: self._send(dialog, key, item, asked, approver),
            on_failure=lambda failure: self._refused(dialog, failure, "Approver: "),
        )

    def _send(
        self,
        dialog: AdjustDialog,
        key: str,
        item: UnpaidItem,
        asked: AdjustRequest,
        approver: Actor | None,
    ) -> None:
        call = partial(
            adjustments.adjust,
            actor=self._session.actor,
            workstation=self._session.workstation,
            item_id=item.id,
            kind=asked.kind,
            amount=asked.amount,
            percent=asked.percent,
            reason_code=asked.reason_code,
            key=key,
            approver=approver,
        )
        self._ops.run(
            call,
            owner=dialog,
            on_success=lambda result: self._done(dialog, item, result),
            on_failure=lambda failure: self._refused(dialog, failure),
        )

    def _done(self, dialog: AdjustDialog, item: UnpaidItem, result: AdjustmentResult) -> None:
        currency = self._session.facility.currency
        if result.status == "pending":
            dialog.show_pending(
                f"Pending approval: request {result.request_id} for "
                f"{money_with_code(currency, result.amount)} off. Esc closes."
            )
            self._messages.info(
                f"{item.service_name}: {result.kind} request "
                f"{result.request_id} waits for a supervisor's approval."
            )
            return
        dialog.accept()
        self._messages.success(
            f"{item.service_name}: {result.kind} applied, now due "
            f"{money_with_code(currency, result.amount_due)}."
        )
        self._on_applied()

    def _refused(self, dialog: AdjustDialog, failure: Failure, prefix: str = "") -> None:
        self._monitor.report_failure(failure)
        dialog.show_refusal(prefix + failure.message)
