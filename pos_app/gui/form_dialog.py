"""A dialog whose confirm button sends one request and waits: refused, it says why in place.

Open shift, Top up, Pay and the receipt-reason prompts all work this way; each says
only what its form holds (`_ready`) and what it sends (`_send`).
"""

from __future__ import annotations

from PySide6.QtWidgets import QDialog, QLabel, QVBoxLayout, QWidget

from pos_app.gui.widgets import confirm_row, refusal_label


class FormDialog(QDialog):
    """Title, the subclass's form, a refusal line, then Cancel and the confirm button."""

    def __init__(
        self,
        *,
        title: str,
        name: str,
        heading: str,
        offline: str = "",
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle(title)
        self.setObjectName(name)
        self._offline = offline  # what the refusal line says while the database is away
        self._online, self._sending = True, False
        self.body = QVBoxLayout(self)
        self.body.addWidget(QLabel(heading, objectName="dialogTitle"))
        self.message_label = refusal_label()

    def _finish(self, confirm: str, name: str, *, width: int) -> None:
        """Add the refusal line and the buttons under what the subclass laid out."""
        self.body.addWidget(self.message_label)
        row, self.confirm_button = confirm_row(self, confirm, name, self._confirm)
        self.body.addLayout(row)
        self.setMinimumWidth(width)
        self._refresh()

    # --- for subclasses -----------------------------------------------------------------------
    def _ready(self) -> bool:
        """Whether what is typed may be sent."""
        return True

    def _send(self) -> None:
        """Emit the request; the dialog is marked sending already."""
        raise NotImplementedError

    def _say(self, text: str) -> None:
        self.message_label.setText(text)

    def _refresh(self) -> None:
        self.confirm_button.setEnabled(self._ready() and self._online and not self._sending)

    def _confirm(self) -> None:
        if self.confirm_button.isEnabled():
            self.set_sending(True)
            self._send()

    # --- setters for the flows ----------------------------------------------------------------
    def set_sending(self, sending: bool) -> None:
        """While a request is in flight confirm stays disabled: one press, one request."""
        self._sending = sending
        if sending:
            self._say("")
        self._refresh()

    def show_refusal(self, text: str) -> None:
        """The request was refused: say why; everything typed stays as it was."""
        self.set_sending(False)
        self._say(text)

    def set_online(self, online: bool) -> None:
        self._online = online
        if not online:
            self._say(self._offline)
        elif self.message_label.text() == self._offline:
            self._say("")
        self._refresh()
