"""Register a walk-in patient (Ctrl+N): MRN, name, phone and date of birth, then open them."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QFormLayout, QLineEdit, QWidget

from pos_app.gui.form_dialog import FormDialog

OFFLINE = "Database connection lost: registering waits until it is back. Nothing typed is lost."
DOB_FORMATS = ("%Y-%m-%d", "%d/%m/%Y")


@dataclass(frozen=True)
class WalkIn:
    """What the cashier typed, as the patients service takes it."""

    mrn: str
    name: str
    phone: str | None
    dob: date | None


def parse_dob(text: str, today: date) -> date | None:
    """A date of birth as typed (2019-03-14 or 14/03/2019); ValueError says what is wrong."""
    text = text.strip()
    if not text:
        return None
    for form in DOB_FORMATS:
        try:
            dob = datetime.strptime(text, form).date()
        except ValueError:
            continue
        if dob > today:
            raise ValueError("The date of birth is in the future.")
        return dob
    raise ValueError("Type the date of birth as 2019-03-14 or 14/03/2019.")


def split_search(text: str) -> dict[str, str]:
    """Put what was searched for in the field it most likely is: phone, MRN or name."""
    text = text.strip()
    if re.fullmatch(r"\+?[\d ]{7,}", text):
        return {"phone": text}
    if re.search(r"\d", text):
        return {"mrn": text.upper()}
    return {"name": text} if text else {}


class RegisterDialog(FormDialog):
    """Emits `register_requested(WalkIn)`; the controller registers and opens the patient."""

    register_requested = Signal(object)

    def __init__(
        self, *, search_text: str = "", today: date | None = None, parent: QWidget | None = None
    ) -> None:
        super().__init__(
            title="Register a walk-in patient",
            name="registerDialog",
            heading="New patient",
            offline=OFFLINE,
            parent=parent,
        )
        self._today = today or date.today()
        self.edits: dict[str, QLineEdit] = {}
        form = QFormLayout()
        for key, label, hint in (
            ("mrn", "&MRN", "medical record number, e.g. MRN204311"),
            ("name", "&Name", "full name"),
            ("phone", "&Phone", "optional, e.g. 0722 123456"),
            ("dob", "&Date of birth", "optional, 2019-03-14 or 14/03/2019"),
        ):
            edit = QLineEdit(objectName=f"register_{key}")
            edit.setPlaceholderText(hint)
            edit.textChanged.connect(self._refresh)
            form.addRow(label, edit)
            self.edits[key] = edit
        self.body.addLayout(form)
        self._finish("Register", "registerConfirm", width=720)
        for key, value in split_search(search_text).items():
            self.edits[key].setText(value)
        first_empty = next((e for e in self.edits.values() if not e.text()), self.edits["mrn"])
        first_empty.setFocus()

    def walk_in(self) -> WalkIn:
        """The form as the service takes it; ValueError when the date of birth is unreadable."""
        text = {key: edit.text().strip() for key, edit in self.edits.items()}
        return WalkIn(
            text["mrn"], text["name"], text["phone"] or None, parse_dob(text["dob"], self._today)
        )

    def _problem(self) -> str:
        try:
            self.walk_in()
        except ValueError as error:
            return str(error)
        return ""

    def _ready(self) -> bool:
        return bool(
            self.edits["mrn"].text().strip()
            and self.edits["name"].text().strip()
            and not self._problem()
        )

    def _refresh(self) -> None:
        super()._refresh()
        if self.message_label.property("refusal") is not True:
            self.message_label.setText(self._problem() or ("" if self._online else OFFLINE))

    def _send(self) -> None:
        self.register_requested.emit(self.walk_in())

    def _say(self, text: str) -> None:
        """A refusal stays until the next press; a date problem gives way to it."""
        self.message_label.setProperty("refusal", bool(text))
        self.message_label.setText(text)
