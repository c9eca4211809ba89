"""Open shift: the opening float the cashier puts in the drawer."""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QFormLayout, QWidget

from pos_app.domain.errors import BadInput
from pos_app.domain.money import Currency
from pos_app.gui.form_dialog import FormDialog
from pos_app.gui.widgets import amount_edit


class OpenShiftDialog(FormDialog):
    """Emits `open_requested(amount text)`; the presenter opens the shift."""

    open_requested = Signal(str)

    def __init__(self, *, currency: Currency, who: str, parent: QWidget | None = None) -> None:
        super().__init__(
            title="Open shift",
            name="openShiftDialog",
            heading=f"Open shift  ·  {who}",
            parent=parent,
        )
        self._currency = currency
        form = QFormLayout()
        self.float_edit = amount_edit("openingFloat", "0")
        form.addRow(f"Opening &float in the drawer ({currency.code})", self.float_edit)
        self.body.addLayout(form)
        self.float_edit.textChanged.connect(self._refresh)
        self._finish("Open shift", "openShiftConfirm", width=760)
        self.float_edit.setFocus()

    def _ready(self) -> bool:
        try:
            self._currency.parse(
                self.float_edit.text() or "0", what="opening float", allow_zero=True
            )
        except BadInput:
            return False
        return True

    def _send(self) -> None:
        self.open_requested.emit(self.float_edit.text().strip() or "0")
