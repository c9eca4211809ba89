"""The admin's Payers screen: payers, cover and members set by keyboard, used by payments."""

from __future__ import annotations

from decimal import Decimal

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QMainWindow

from pos_app.gui.operations import Operations
from pos_app.gui.payers_dialog import PayersDialog, add_payers_action, cover_text
from pos_app.gui.users_dialog import add_users_menu
from pos_app.services import auth, payers
from pos_app.services.payers import CoverView
from tests.gui.conftest import activate, type_into
from tests.helpers.books import PASSWORD

CTRL = Qt.KeyboardModifier.ControlModifier


@pytest.fixture
def dialog(qtbot, gui_books, settle) -> PayersDialog:
    admin = auth.sign_in(gui_books.app.uow(), "admin", PASSWORD, workstation="WS01")
    shown = PayersDialog(
        operations=Operations(new_uow=gui_books.app.uow), actor=admin, workstation="WS01"
    )
    qtbot.addWidget(shown)
    shown.show()
    activate(qtbot, shown)
    qtbot.waitUntil(lambda: shown.table.rowCount() == 0 and not shown._ops.busy)
    return shown


def add_payer(qtbot, dialog: PayersDialog, code: str, name: str) -> None:
    type_into(qtbot, dialog.code_edit, code)
    type_into(qtbot, dialog.name_edit, name)
    qtbot.keyClick(dialog.name_edit, Qt.Key.Key_N, CTRL)


def test_a_payer_its_lab_cover_and_a_member_split_the_patients_payment(qtbot, dialog, gui_books):
    assert dialog.width() <= 1366 and dialog.height() <= 768
    assert dialog.minimumSizeHint().width() <= 1366 and dialog.minimumSizeHint().height() <= 768
    assert not dialog.cover_button.isEnabled()  # nothing selected yet
    add_payer(qtbot, dialog, "nhif", "National Health Fund")
    qtbot.waitUntil(lambda: [p.code for p in dialog.rows] == ["NHIF"])
    assert dialog.selected().code == "NHIF" and dialog.table.item(0, 3).text() == "no cover yet"
    assert dialog.code_edit.text() == ""

    dialog.service_combo.setFocus()
    dialog.service_combo.setCurrentIndex(dialog.service_combo.findData("lab_test"))
    type_into(qtbot, dialog.percent_edit, "80")
    qtbot.keyClick(dialog.percent_edit, Qt.Key.Key_K, CTRL)
    qtbot.waitUntil(lambda: dialog.rows[0].covers != [])
    assert dialog.table.item(0, 3).text() == "lab_test 80 %"
    assert dialog.notice_label.text() == "NHIF now covers lab_test items."
    dialog.service_combo.setCurrentIndex(dialog.service_combo.findData("pharmacy"))
    type_into(qtbot, dialog.percent_edit, "50")
    type_into(qtbot, dialog.cap_edit, "5,000")
    qtbot.keyClick(dialog.cap_edit, Qt.Key.Key_K, CTRL)
    qtbot.waitUntil(lambda: len(dialog.rows[0].covers) == 2)
    assert dialog.table.item(0, 3).text() == "lab_test 80 %\npharmacy 50 %, cap 5,000"

    mrn = gui_books.patient("P1")
    [lab] = gui_books.bill(mrn, ("LAB", 1))
    type_into(qtbot, dialog.mrn_edit, mrn)
    type_into(qtbot, dialog.member_no_edit, "M-77")
    type_into(qtbot, dialog.until_edit, "2999-12-31")
    qtbot.keyClick(dialog.until_edit, Qt.Key.Key_M, CTRL)
    qtbot.waitUntil(lambda: dialog.notice_label.text() == "P1 is now a member of NHIF.")
    assert dialog.message_label.text() == ""

    preview = payers.preview_split(
        gui_books.app.uow(), actor=gui_books.cashier, mrn=mrn, item_ids=[lab], payer="NHIF"
    )
    assert (preview.member_no, preview.payer_share, preview.patient_share) == (
        "M-77",
        Decimal("400.00"),
        Decimal("100.00"),
    )


def test_refusals_are_said_in_place_and_change_nothing(qtbot, dialog, gui_books):
    add_payer(qtbot, dialog, "NHIF", "National Health Fund")
    qtbot.waitUntil(lambda: len(dialog.rows) == 1)
    add_payer(qtbot, dialog, "NHIF", "Another fund")
    qtbot.waitUntil(lambda: "has code NHIF already" in dialog.message_label.text())
    assert [p.name for p in dialog.rows] == ["National Health Fund"]

    dialog.select("NHIF")
    type_into(qtbot, dialog.mrn_edit, gui_books.patient("P2"))
    type_into(qtbot, dialog.member_no_edit, "M-1")
    type_into(qtbot, dialog.until_edit, "31/12/2030")
    qtbot.keyClick(dialog.until_edit, Qt.Key.Key_M, CTRL)
    qtbot.waitUntil(lambda: "is not YYYY-MM-DD" in dialog.message_label.text())
    assert dialog.until_edit.text() == "31/12/2030" and dialog.notice_label.text() == ""
    assert (
        payers.memberships(
            gui_books.app.uow(),
            actor=gui_books.cashier,
            mrn="P2",
            today=gui_books.app.uow().clock().date(),
        )
        == []
    )


def test_cover_reads_as_percent_co_pay_and_cap():
    cover = CoverView("lab_test", Decimal("80.00"), Decimal("100.00"), "visit", Decimal("20000.00"))
    assert cover_text(cover) == "lab_test 80 %, co-pay 100/visit, cap 20,000"
    assert (
        cover_text(CoverView("pharmacy", Decimal("12.5"), Decimal("0"), "item", None))
        == "pharmacy 12.5 %"
    )


def test_the_admin_menu_opens_payers_with_ctrl_shift_y(qtbot):
    window = QMainWindow()
    qtbot.addWidget(window)
    opened: list[bool] = []
    add_users_menu(window, lambda: None)
    action = add_payers_action(window, lambda: opened.append(True))
    assert action.shortcut().toString() == "Ctrl+Shift+Y"
    assert action in window.menuBar().actions()[0].menu().actions()
    action.trigger()
    assert opened == [True]
