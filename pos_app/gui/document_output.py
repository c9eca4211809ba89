"""Slips that are not receipts (shift slip, X report, wallet statement): printed or saved as PDF.

On the workstation's thermal printer when one is set up (off the GUI thread, it may be
slow or off), else through the system print dialog; PDF in the receipts' font and width.
"""

from __future__ import annotations

from PySide6.QtWidgets import QWidget

from pos_app.gui.messages import Messages
from pos_app.gui.operations import Operations
from pos_app.gui.receipt_flows import ReceiptOutputs
from pos_app.receipts.pdf import write_pdf


class DocumentOutput:
    """Prints or saves template lines the way the workstation prints receipts."""

    def __init__(
        self, *, operations: Operations, outputs: ReceiptOutputs, messages: Messages
    ) -> None:
        self._ops, self._outputs, self._messages = operations, outputs, messages

    @property
    def columns(self) -> int:
        return self._outputs.printer.columns

    def print(self, parent: QWidget, lines: list[str], title: str) -> None:
        out = self._outputs
        if out.printer.kind == "none":
            out.print_lines(parent, lines)
            return
        self._ops.run(
            lambda _uow: out.send_lines(lines, out.printer),
            owner=parent,
            on_success=lambda _none: self._messages.success(f"{title} printed."),
            on_failure=lambda failure: self._messages.error(failure.message),
        )

    def save_pdf(
        self, parent: QWidget, lines: list[str], *, title: str, author: str, file_name: str
    ) -> None:
        path = self._outputs.ask_document_path(parent, file_name)
        if path is not None:
            write_pdf(lines, path, columns=self.columns, title=title, author=author)
            self._messages.success(f"{title} saved to {path}.")
