"""Open and close the cashier's shift through the shifts service; keep the top bar told."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from functools import partial

from PySide6.QtWidgets import QWidget

from pos_app.domain.actors import Actor
from pos_app.gui.close_shift_dialog import CloseRequest, CloseShiftDialog
from pos_app.gui.document_output import DocumentOutput
from pos_app.gui.formatting import money_with_code, when
from pos_app.gui.messages import Messages
from pos_app.gui.operations import Failure, Operations
from pos_app.gui.receipt_flows import ReceiptOutputs
from pos_app.gui.session import Session
from pos_app.gui.shift_dialogs import OpenShiftDialog
from pos_app.receipts.shift_slip import ShiftSlip, render_slip, slip_title
from pos_app.services import auth, shifts
from pos_app.services.shifts import ShiftSummary

NEEDS_SIGNOFF = "variance_needs_signoff"


class ShiftFlows:
    """The open shift (or none), the Open shift and the blind Close shift dialogs."""

    def __init__(
        self,
        *,
        operations: Operations,
        session: Session,
        parent: QWidget,
        on_change: Callable[[ShiftSummary | None], None],
        messages: Messages,
        outputs: ReceiptOutputs | None = None,
    ) -> None:
        self._ops, self._session, self._parent = operations, session, parent
        self._on_change, self._messages = on_change, messages
        self._outputs = outputs or ReceiptOutputs()
        self._documents = DocumentOutput(
            operations=operations, outputs=self._outputs, messages=messages
        )
        self.slip: ShiftSlip | None = None
        self.current: ShiftSummary | None = None
        self.open_dialog: OpenShiftDialog | None = None
        self.close_dialog: CloseShiftDialog | None = None

    def describe(self, summary: ShiftSummary | None) -> str:
        """The top bar's words for the shift."""
        if summary is None:
            return "No shift open"
        currency = self._session.facility.currency
        return (
            f"Shift open since {when(summary.opened_at)[-5:]}  ·  float "
            f"{money_with_code(currency, summary.opening_float)}"
        )

    def refresh(self) -> None:
        s = self._session
        self._ops.run(
            partial(shifts.current_shift, actor=s.actor, workstation=s.workstation),
            on_success=self._set,
            owner=self._parent,
            busy=False,
        )

    def _set(self, summary: ShiftSummary | None) -> None:
        self.current = summary if summary is not None and summary.status == "open" else None
        self._on_change(self.current)

    # --- open ---------------------------------------------------------------------------------
    def start_open(self, parent: QWidget | None = None) -> OpenShiftDialog:
        """`parent`: a money dialog that was refused for want of a shift stays under it."""
        s = self._session
        dialog = OpenShiftDialog(
            currency=s.facility.currency, who=s.actor.username, parent=parent or self._parent
        )
        dialog.open_requested.connect(
            lambda amount: self._ops.run(
                partial(
                    shifts.open_shift,
                    actor=s.actor,
                    workstation=s.workstation,
                    opening_float=amount,
                ),
                owner=dialog,
                on_success=lambda summary: self._opened(dialog, summary),
                on_failure=lambda failure: dialog.show_refusal(failure.message),
            )
        )
        self.open_dialog = dialog
        dialog.open()
        return dialog

    def _opened(self, dialog: OpenShiftDialog, summary: ShiftSummary) -> None:
        dialog.accept()
        self._set(summary)
        self._messages.success(
            f"Shift opened with a float of "
            f"{money_with_code(self._session.facility.currency, summary.opening_float)}."
        )

    # --- close --------------------------------------------------------------------------------
    def start_close(self) -> CloseShiftDialog:
        s = self._session
        opened = f"  ·  opened {when(self.current.opened_at)}" if self.current else ""
        dialog = CloseShiftDialog(
            currency=s.facility.currency,
            title=f"Close shift  ·  {s.actor.username}{opened}",
            parent=self._parent,
        )
        dialog.close_requested.connect(lambda request: self._close(dialog, request))
        self.close_dialog = dialog
        dialog.open()
        return dialog

    def _close(self, dialog: CloseShiftDialog, request: CloseRequest) -> None:
        """With a sign-off, check the supervisor's password first, then close with them."""
        if request.supervisor is None:
            self._send_close(dialog, request, None)
            return
        user, password = request.supervisor
        self._ops.run(
            lambda uow: auth.check_credentials(
                uow, user, password, workstation=self._session.workstation
            ),
            owner=dialog,
            on_success=lambda approver: self._send_close(dialog, request, approver),
            on_failure=lambda failure: dialog.show_refusal(
                f"Supervisor sign-off: {failure.message}"
            ),
        )

    def _send_close(
        self, dialog: CloseShiftDialog, request: CloseRequest, approver: Actor | None
    ) -> None:
        s = self._session
        call = partial(
            shifts.close_shift,
            actor=s.actor,
            workstation=s.workstation,
            counted_cash=request.counted_cash,
            denominations=request.denominations,
            confirmations=request.confirmations,
            reason_code=request.reason_code,
            approver=approver,
        )
        self._ops.run(
            call,
            owner=dialog,
            on_success=lambda summary: self._closed(dialog, summary),
            on_failure=lambda failure: self._close_refused(dialog, failure),
        )

    def _close_refused(self, dialog: CloseShiftDialog, failure: Failure) -> None:
        if failure.code == NEEDS_SIGNOFF:
            dialog.ask_signoff(failure.message)
        else:
            dialog.show_refusal(failure.message)

    def _closed(self, dialog: CloseShiftDialog, summary: ShiftSummary) -> None:
        self.slip = summary.slip(self._session.facility, printed_at=datetime.now(UTC))
        dialog.print_slip_requested.connect(lambda: self.print_slip(dialog))
        dialog.pdf_slip_requested.connect(lambda: self.save_slip(dialog))
        dialog.show_result(summary)
        self._set(None)
        self._messages.success("Shift closed: print the shift slip with Ctrl+P.")

    # --- the shift slip -------------------------------------------------------------------
    def print_slip(self, dialog: QWidget) -> None:
        if self.slip is not None:
            self._documents.print(
                dialog,
                render_slip(self.slip, columns=self._documents.columns),
                slip_title(self.slip),
            )

    def save_slip(self, dialog: QWidget) -> None:
        if self.slip is not None:
            self._documents.save_pdf(
                dialog,
                render_slip(self.slip, columns=self._documents.columns),
                title=slip_title(self.slip),
                author=self.slip.facility_name,
                file_name=f"shift-{self.slip.shift_id}.pdf",
            )
