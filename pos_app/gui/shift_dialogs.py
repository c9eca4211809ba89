"""Open shift: the opening float the cashier puts in the drawer."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from pos_app.domain.errors import BadInput
from pos_app.domain.money import Currency


class OpenShiftDialog(QDialog):
    """Emits `open_requested(float)`; the presenter opens the shift."""

    open_requested = Signal(str)

    def __init__(self, *, currency: Currency, who: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Open shift")
        self.setObjectName("openShiftDialog")
        self._currency, self._sending = currency, False
        layout = QVBoxLayout(self)
        layout.addWidget(QLabel(f"Open shift  ·  {who}", objectName="dialogTitle"))
        form = QFormLayout()
        self.float_edit = QLineEdit(objectName="openingFloat")
        self.float_edit.setAlignment(Qt.AlignmentFlag.AlignRight)
        self.float_edit.setPlaceholderText("0")
        form.addRow(f"Opening &float in the drawer ({currency.code})", self.float_edit)
        layout.addLayout(form)
        self.message_label = QLabel(objectName="refusal")
        self.message_label.setWordWrap(True)
        layout.addWidget(self.message_label)
        row = QHBoxLayout()
        cancel = QPushButton("Cancel  [Esc]")
        cancel.setAutoDefault(False)
        cancel.clicked.connect(self.reject)
        self.confirm_button = QPushButton("Open shift  [Enter]", objectName="openShiftConfirm")
        self.confirm_button.setDefault(True)
        self.confirm_button.clicked.connect(self._confirm)
        row.addWidget(cancel)
        row.addStretch(1)
        row.addWidget(self.confirm_button)
        layout.addLayout(row)
        self.float_edit.textChanged.connect(self._refresh)
        self.setMinimumWidth(760)
        self._refresh()
        self.float_edit.setFocus()

    def _refresh(self) -> None:
        try:
            self._currency.parse(self.float_edit.text() or "0", what="opening float",
                                 allow_zero=True)
            valid = True
        except BadInput:
            valid = False
        self.confirm_button.setEnabled(valid and not self._sending)

    def _confirm(self) -> None:
        if self.confirm_button.isEnabled():
            self._sending = True
            self._refresh()
            self.open_requested.emit(self.float_edit.text().strip() or "0")

    def show_refusal(self, text: str) -> None:
        self._sending = False
        self.message_label.setText(text)
        self._refresh()
