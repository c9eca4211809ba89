"""The admin's Payers screen: insurers, employers and schemes, their cover, their members.

Each button is one `operations.run(...)` of a payers service call, checked by the service
against the admin's live session; the list reloads after every change.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from decimal import Decimal
from functools import partial
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtGui import QAction
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QMainWindow,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from pos_app.adapters.uow import UnitOfWork
from pos_app.domain.actors import Actor
from pos_app.domain.errors import BadInput
from pos_app.domain.kinds import ServiceKind
from pos_app.gui.operations import Failure, Operations
from pos_app.gui.shortcuts import BY_NAME
from pos_app.gui.widgets import (
    amount_edit,
    buddy_label,
    cancel_button,
    key_button,
    refusal_label,
    rows_table,
)
from pos_app.services import payers
from pos_app.services.payers import PAYER_KINDS, CoverView, Membership, PayerView

COLUMNS = ("Code", "Name", "Kind", "Cover")


def add_payers_action(window: QMainWindow, open_payers: Callable[[], None]) -> QAction:
    """Payers and schemes… in the window's Admin menu (made by `add_users_menu`)."""
    shortcut = BY_NAME["payers"]
    action = QAction(shortcut.what, window, shortcut=shortcut.sequence())
    action.setShortcutContext(Qt.ShortcutContext.WindowShortcut)
    action.triggered.connect(open_payers)
    admin = next(a.menu() for a in window.menuBar().actions() if a.text() == "A&dmin")
    admin.addAction(action)
    return action


def _amount(value: Decimal) -> str:
    """20000.00 -> "20,000"; 12.50 -> "12.50"."""
    return f"{value:,.0f}" if value == value.to_integral_value() else f"{value:,}"


def cover_text(cover: CoverView) -> str:
    """E.g. "lab_test 80 %, co-pay 100/visit, cap 20,000"."""
    parts = [f"{cover.service_kind} {cover.percent.normalize():f} %"]
    if cover.copay:
        parts.append(f"co-pay {_amount(cover.copay)}/{cover.copay_per}")
    if cover.cap is not None:
        parts.append(f"cap {_amount(cover.cap)}")
    return ", ".join(parts)


def _cells(payer: PayerView) -> tuple[str, str, str, str]:
    return (
        payer.code,
        payer.name,
        payer.kind,
        "\n".join(cover_text(c) for c in payer.covers) or "no cover yet",
    )


def _cover_patient(uow: UnitOfWork, *, valid_until: str, **membership: Any) -> Membership:
    """The membership, its end date read from YYYY-MM-DD (empty: no end)."""
    try:
        until = date.fromisoformat(valid_until.strip()) if valid_until.strip() else None
    except ValueError as exc:
        raise BadInput(
            f"Date {valid_until.strip()!r} is not YYYY-MM-DD.", code="invalid_date"
        ) from exc
    return payers.cover_patient(uow, valid_until=until, **membership)


def _combo(name: str, choices: Any) -> QComboBox:
    combo = QComboBox(objectName=name)
    for value in choices:
        combo.addItem(str(value), str(value))
    return combo


def _edit(name: str, placeholder: str) -> QLineEdit:
    edit = QLineEdit(objectName=name)
    edit.setPlaceholderText(placeholder)
    return edit


class PayersDialog(QDialog):
    """The list of payers with their cover; a new payer; cover and members of the selected."""

    def __init__(
        self,
        *,
        operations: Operations,
        actor: Actor,
        workstation: str,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle("CareTill – payers and schemes")
        self.setObjectName("payersDialog")
        self._ops, self._actor, self._workstation = operations, actor, workstation
        self.rows: list[PayerView] = []
        self.table = rows_table("payers", COLUMNS)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(3, QHeaderView.ResizeMode.Stretch)
        self.table.itemSelectionChanged.connect(self._selection_changed)
        self.message_label = refusal_label()
        self.notice_label = QLabel(objectName="notice")
        self.notice_label.setWordWrap(True)
        close = cancel_button(self)
        close.setText("Close  [Esc]")
        layout = QVBoxLayout(self)
        layout.addWidget(QLabel("Payers and schemes", objectName="dialogTitle"))
        layout.addWidget(self.table, 1)
        layout.addWidget(self._cover_box())
        layout.addWidget(self._member_box())
        layout.addWidget(self._add_box())
        layout.addWidget(self.message_label)
        layout.addWidget(self.notice_label)
        layout.addWidget(close, 0, Qt.AlignmentFlag.AlignLeft)
        self._selection_changed()
        self.resize(1100, 700)
        self.reload()

    def _cover_box(self) -> QGroupBox:
        box = QGroupBox("Cover of the selected payer, per service kind")
        row = QHBoxLayout(box)
        self.service_combo = _combo("serviceKind", ServiceKind)
        self.percent_edit = amount_edit("percent", "%", 60)
        self.copay_edit = amount_edit("copay", "co-pay", 90)
        self.copay_per_combo = _combo("copayPer", ("visit", "item"))
        self.cap_edit = amount_edit("cap", "cap", 100)
        self.cover_button = key_button("Set cover", "Ctrl+K", "setCover")
        self.cover_button.clicked.connect(self.set_cover)
        row.addWidget(buddy_label("Ser&vice", self.service_combo))
        row.addWidget(self.service_combo, 2)
        row.addWidget(buddy_label("Pe&rcent", self.percent_edit))
        row.addWidget(self.percent_edit, 1)
        row.addWidget(self.copay_edit, 1)
        row.addWidget(buddy_label("p&er", self.copay_per_combo))
        row.addWidget(self.copay_per_combo, 1)
        row.addWidget(self.cap_edit, 1)
        row.addWidget(self.cover_button)
        return box

    def _member_box(self) -> QGroupBox:
        box = QGroupBox("Cover a patient by the selected payer")
        row = QHBoxLayout(box)
        self.mrn_edit = _edit("memberMrn", "MRN")
        self.member_no_edit = _edit("memberNo", "member number")
        self.until_edit = _edit("validUntil", "valid until YYYY-MM-DD (empty: no end)")
        self.member_button = key_button("Cover patient", "Ctrl+M", "coverPatient")
        self.member_button.clicked.connect(self.cover_patient)
        row.addWidget(buddy_label("&MRN", self.mrn_edit))
        row.addWidget(self.mrn_edit, 2)
        row.addWidget(self.member_no_edit, 2)
        row.addWidget(self.until_edit, 3)
        row.addWidget(self.member_button)
        return box

    def _add_box(self) -> QGroupBox:
        box = QGroupBox("Add a payer")
        row = QHBoxLayout(box)
        self.code_edit = _edit("payerCode", "code")
        self.name_edit = _edit("payerName", "name")
        self.kind_combo = _combo("payerKind", PAYER_KINDS)
        self.add_button = key_button("Add payer", "Ctrl+N", "addPayer")
        self.add_button.clicked.connect(self.add_payer)
        row.addWidget(buddy_label("C&ode", self.code_edit))
        row.addWidget(self.code_edit, 1)
        row.addWidget(self.name_edit, 3)
        row.addWidget(self.kind_combo, 1)
        row.addWidget(self.add_button)
        return box

    # --- what is shown --------------------------------------------------------------------
    def selected(self) -> PayerView | None:
        """The payer whose row is selected, if any."""
        if not self.table.selectedItems():
            return None
        return self.rows[self.table.currentRow()]

    def select(self, code: str) -> None:
        for index, row in enumerate(self.rows):
            if row.code == code:
                self.table.selectRow(index)

    def _selection_changed(self) -> None:
        chosen = self.selected() is not None
        for widget in (
            self.service_combo,
            self.percent_edit,
            self.copay_edit,
            self.copay_per_combo,
            self.cap_edit,
            self.cover_button,
            self.mrn_edit,
            self.member_no_edit,
            self.until_edit,
            self.member_button,
        ):
            widget.setEnabled(chosen)

    def _show_rows(self, rows: list[PayerView], keep: str | None) -> None:
        self.rows = list(rows)
        self.table.setRowCount(len(self.rows))
        for index, row in enumerate(self.rows):
            for column, text in enumerate(_cells(row)):
                self.table.setItem(index, column, QTableWidgetItem(text))
        self.table.resizeRowsToContents()
        if keep:
            self.select(keep)
        self._selection_changed()

    # --- what the admin asks for ----------------------------------------------------------
    def reload(self, keep: str | None = None) -> None:
        self._ops.run(
            partial(payers.list_payers, actor=self._actor),
            owner=self,
            on_success=lambda rows: self._show_rows(rows, keep),
            on_failure=self._failed,
        )

    def add_payer(self) -> None:
        code = self.code_edit.text().strip().upper()
        call = partial(
            payers.add_payer,
            code=code,
            name=self.name_edit.text(),
            kind=self.kind_combo.currentData(),
        )
        self._send(
            call,
            code,
            f"{code} added: select it to set its cover.",
            clear=(self.code_edit, self.name_edit),
        )

    def set_cover(self) -> None:
        payer = self.selected()
        if payer is None:
            return
        kind = self.service_combo.currentData()
        call = partial(
            payers.set_cover,
            code=payer.code,
            service_kind=kind,
            percent=self.percent_edit.text(),
            copay=self.copay_edit.text() or None,
            copay_per=self.copay_per_combo.currentData(),
            cap=self.cap_edit.text() or None,
        )
        self._send(
            call,
            payer.code,
            f"{payer.code} now covers {kind} items.",
            clear=(self.percent_edit, self.copay_edit, self.cap_edit),
        )

    def cover_patient(self) -> None:
        payer = self.selected()
        if payer is None:
            return
        mrn = self.mrn_edit.text().strip()
        call = partial(
            _cover_patient,
            mrn=mrn,
            payer_code=payer.code,
            member_no=self.member_no_edit.text(),
            valid_until=self.until_edit.text(),
        )
        self._send(
            call,
            payer.code,
            f"{mrn} is now a member of {payer.code}.",
            clear=(self.mrn_edit, self.member_no_edit, self.until_edit),
        )

    def _send(
        self, call: Callable[..., Any], code: str, news: str, *, clear: tuple[QLineEdit, ...]
    ) -> None:
        """Run one change as this admin; on success say so and show the list as it is now."""
        self.message_label.setText("")
        self.notice_label.setText("")

        def done(_result: object) -> None:
            for edit in clear:
                edit.clear()
            self.notice_label.setText(news)
            self.reload(keep=code)

        self._ops.run(
            partial(call, actor=self._actor, workstation=self._workstation),
            owner=self,
            on_success=done,
            on_failure=self._failed,
        )

    def _failed(self, failure: Failure) -> None:
        self.notice_label.setText("")
        self.message_label.setText(failure.message)
