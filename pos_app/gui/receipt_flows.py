"""Receipts in the window: the preview after money moves, reprint by number, refund requests.

Every receipt is loaded through the receipts service off the GUI thread and shown
from the one template; copies are counted and audited by the service.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path

from PySide6.QtWidgets import QWidget

from pos_app.gui import receipt_actions
from pos_app.gui.messages import Messages, as_messages
from pos_app.gui.operations import Operations
from pos_app.gui.reason_dialog import REPRINT_HINT, ReceiptReasonDialog, ask_reprint_reason
from pos_app.gui.receipt_actions import Failed, ReceiptActions
from pos_app.gui.receipt_preview import ReceiptPreview
from pos_app.gui.receipts_list import ReceiptsListDialog
from pos_app.gui.session import Session
from pos_app.receipts.escpos import print_lines as print_on_thermal
from pos_app.receipts.escpos import send_to_printer
from pos_app.receipts.model import Receipt
from pos_app.receipts.printer_config import PrinterConfig
from pos_app.services import receipt_list, receipts, refund_requests
from pos_app.services.refund_requests import RefundRequest


@dataclass(frozen=True)
class ReceiptOutputs:
    """The workstation's printer and how the cashier is asked; tests hand in stubs."""

    printer: PrinterConfig = field(default_factory=PrinterConfig)
    ask_reason: Callable[[QWidget | None, str], str | None] = ask_reprint_reason
    ask_pdf_path: Callable[[QWidget | None, Receipt], Path | None] = receipt_actions.ask_pdf_path
    system_print: Callable[[QWidget | None, Receipt, int], None] = receipt_actions.print_with_dialog
    send_thermal: Callable[[Receipt, PrinterConfig], None] = send_to_printer
    # Slips without QR code (shift slip, statement) go the same ways: see document_output.
    print_lines: Callable[[QWidget | None, list[str]], None] = (
        receipt_actions.print_lines_with_dialog
    )
    ask_document_path: Callable[[QWidget | None, str], Path | None] = (
        receipt_actions.ask_document_path
    )
    send_lines: Callable[[list[str], PrinterConfig], None] = print_on_thermal


class ReceiptFlows:
    """Shows receipts and copies, and sends refund requests, all through `operations`."""

    def __init__(
        self,
        *,
        operations: Operations,
        session: Session,
        parent: QWidget,
        report: Messages | Callable[[str], None],
        outputs: ReceiptOutputs | None = None,
    ) -> None:
        self._ops, self._session, self._parent = operations, session, parent
        self._messages = as_messages(report, parent)
        self._outputs = outputs or ReceiptOutputs()
        self.preview: ReceiptPreview | None = None
        self.dialog: ReceiptReasonDialog | None = None
        self.receipts_list: ReceiptsListDialog | None = None
        self.last_receipt_no = ""

    def _get(self, receipt_no: str, reason: str | None = None) -> Callable:
        return partial(
            receipts.get_receipt,
            actor=self._session.actor,
            workstation=self._session.workstation,
            receipt_no=receipt_no,
            reprint_reason=reason,
        )

    # --- preview ----------------------------------------------------------------------------
    def show(self, receipt_no: str) -> None:
        """After a payment or deposit: load the receipt as issued and preview it."""
        self.last_receipt_no = receipt_no
        self._ops.run(
            self._get(receipt_no),
            on_success=self.show_receipt,
            on_failure=lambda failure: self._messages.error(failure.message),
            owner=self._parent,
        )

    def show_receipt(self, receipt: Receipt) -> ReceiptPreview:
        out = self._outputs
        actions = ReceiptActions(
            receipt,
            printer_config=out.printer,
            messages=self._messages,
            fetch_copy=lambda reason, done, failed: self._fetch_copy(actions, reason, done, failed),
            send_thermal=lambda r, done, failed: self._send_thermal(actions, r, done, failed),
            ask_reason=out.ask_reason,
            ask_pdf_path=out.ask_pdf_path,
            system_print=out.system_print,
        )
        self.preview = ReceiptPreview(actions, parent=self._parent)
        self.preview.open()
        return self.preview

    def _fetch_copy(
        self, actions: ReceiptActions, reason: str, done: Callable[[Receipt], None], failed: Failed
    ) -> None:
        self._ops.run(
            self._get(actions.current.receipt_no, reason),
            on_success=done,
            on_failure=lambda failure: failed(failure.message),
            owner=actions,
        )

    def _send_thermal(
        self, actions: ReceiptActions, receipt: Receipt, done: Callable[[], None], failed: Failed
    ) -> None:
        """The printer may take seconds to answer: never on the GUI thread."""
        send, config = self._outputs.send_thermal, self._outputs.printer
        self._ops.run(
            lambda _uow: send(receipt, config),
            on_success=lambda _none: done(),
            on_failure=lambda failure: failed(failure.message),
            owner=actions,
        )

    # --- reprint by number ----------------------------------------------------------------
    def ask_reprint(self, parent: QWidget | None = None) -> ReceiptReasonDialog:
        """Any receipt of this facility, by number: the copy is counted, audited, shown."""
        dialog = self._dialog("Reprint a receipt", "Show copy", REPRINT_HINT, parent)
        dialog.submitted.connect(
            lambda no, reason: self._ops.run(
                self._get(no, reason),
                owner=dialog,
                on_success=lambda copy: (dialog.accept(), self.show_receipt(copy)),
                on_failure=lambda failure: dialog.show_refusal(failure.message),
            )
        )
        return dialog

    # --- the receipts list ------------------------------------------------------------------
    def show_list(self, patient: tuple[str, str] | None = None) -> ReceiptsListDialog:
        """F4: today's receipts here, or the open patient's (mrn, name); reprint or refund one."""
        s = self._session
        dialog = ReceiptsListDialog(
            currency=s.facility.currency,
            workstation=s.workstation,
            patient=patient[1] if patient else None,
            parent=self._parent,
        )
        mrn = patient[0] if patient else None
        dialog.search_requested.connect(
            lambda text, only_patient: self._ops.run(
                partial(
                    receipt_list.find_receipts,
                    actor=s.actor,
                    workstation=s.workstation,
                    text=text,
                    mrn=mrn if only_patient else None,
                ),
                owner=dialog,
                on_success=dialog.set_rows,
                on_failure=lambda failure: dialog.show_refusal(failure.message),
            )
        )
        dialog.reprint_requested.connect(
            lambda no: self._from_list(no, lambda: self.ask_reprint(dialog))
        )
        dialog.refund_requested.connect(
            lambda no: self._from_list(no, lambda: self.ask_refund(dialog))
        )
        self.receipts_list = dialog
        dialog.open()
        dialog.search_requested.emit("", mrn is not None)
        return dialog

    def _from_list(self, receipt_no: str, ask: Callable[[], ReceiptReasonDialog]) -> None:
        """The usual reprint or refund dialog, for the receipt chosen in the list."""
        self.last_receipt_no = receipt_no
        ask()

    # --- refund request -------------------------------------------------------------------
    def ask_refund(self, parent: QWidget | None = None) -> ReceiptReasonDialog:
        """A cashier asks; a different supervisor approves or rejects in the dashboard."""
        dialog = self._dialog(
            "Request a refund",
            "Send request",
            "A supervisor must approve it before anything is refunded.",
            parent,
        )
        dialog.submitted.connect(
            lambda no, reason: self._ops.run(
                partial(
                    refund_requests.request_refund,
                    actor=self._session.actor,
                    workstation=self._session.workstation,
                    receipt_no=no,
                    reason=reason,
                ),
                owner=dialog,
                on_success=lambda request: self._requested(dialog, request),
                on_failure=lambda failure: dialog.show_refusal(failure.message),
            )
        )
        return dialog

    def _requested(self, dialog: ReceiptReasonDialog, request: RefundRequest) -> None:
        dialog.accept()
        self._messages.success(
            f"Refund of {request.payment_receipt_no} requested (request "
            f"{request.request_id}): waiting for a supervisor."
        )

    def _dialog(
        self, title: str, confirm: str, hint: str, parent: QWidget | None
    ) -> ReceiptReasonDialog:
        self.dialog = ReceiptReasonDialog(
            title=title,
            confirm=confirm,
            hint=hint,
            receipt_no=self.last_receipt_no,
            parent=parent or self._parent,
        )
        self.dialog.open()
        return self.dialog
