"""The admin's Users screen: every change goes through the users services and shows at once."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt

from pos_app.domain.errors import Refused
from pos_app.gui.operations import Operations
from pos_app.gui.users_dialog import UsersDialog
from pos_app.services import auth
from tests.gui.conftest import activate, type_into
from tests.helpers.books import PASSWORD

CTRL = Qt.KeyboardModifier.ControlModifier


@pytest.fixture
def dialog(qtbot, gui_books, settle) -> UsersDialog:
    admin = auth.sign_in(gui_books.app.uow(), "admin", PASSWORD, workstation="WS01")
    shown = UsersDialog(
        operations=Operations(new_uow=gui_books.app.uow), actor=admin, workstation="WS01"
    )
    qtbot.addWidget(shown)
    shown.show()
    activate(qtbot, shown)
    qtbot.waitUntil(lambda: len(shown.rows) == 4)
    return shown


def row_of(dialog: UsersDialog, username: str):
    return next(row for row in dialog.rows if row.username == username)


def cell(dialog: UsersDialog, username: str, column: int) -> str:
    index = [row.username for row in dialog.rows].index(username)
    return dialog.table.item(index, column).text()


def test_lists_every_user_with_role_and_state_on_a_1366x768_screen(dialog):
    assert dialog.width() <= 1366 and dialog.height() <= 768
    assert dialog.minimumSizeHint().width() <= 1366 and dialog.minimumSizeHint().height() <= 768
    assert [row.username for row in dialog.rows] == ["admin", "cashier", "cashier2", "supervisor"]
    assert (cell(dialog, "cashier", 1), cell(dialog, "cashier", 2)) == ("Cashier", "active")
    assert not dialog.toggle_button.isEnabled()  # nothing selected yet


def test_a_disabled_user_can_no_longer_sign_in(qtbot, dialog, gui_books):
    dialog.select("cashier")
    assert dialog.toggle_button.text() == "Disable  [Ctrl+D]"
    qtbot.keyClick(dialog.table, Qt.Key.Key_D, CTRL)
    qtbot.waitUntil(lambda: not row_of(dialog, "cashier").active)
    assert dialog.notice_label.text() == "cashier is disabled."
    assert cell(dialog, "cashier", 2) == "disabled"
    assert dialog.selected().username == "cashier"
    assert dialog.toggle_button.text() == "Enable  [Ctrl+D]"
    with pytest.raises(Refused) as refused:
        auth.sign_in(gui_books.app.uow(), "cashier", PASSWORD, workstation="WS01")
    assert refused.value.code == "permission_denied"


def test_role_change_and_password_reset_take_effect(qtbot, dialog, gui_books):
    dialog.select("cashier2")
    dialog.role_combo.setCurrentIndex(dialog.role_combo.findData("supervisor"))
    qtbot.keyClick(dialog.table, Qt.Key.Key_R, CTRL)
    qtbot.waitUntil(lambda: row_of(dialog, "cashier2").role == "supervisor")
    type_into(qtbot, dialog.reset_edit, "temporary 123")
    qtbot.keyClick(dialog.reset_edit, Qt.Key.Key_P, CTRL)
    qtbot.waitUntil(lambda: row_of(dialog, "cashier2").must_change_password)
    assert dialog.reset_edit.text() == ""
    actor = auth.sign_in(gui_books.app.uow(), "cashier2", "temporary 123", workstation="WS01")
    assert actor.must_change_password and actor.role == "supervisor"


def test_a_new_user_must_choose_a_password_and_a_refusal_is_said(qtbot, dialog, gui_books):
    type_into(qtbot, dialog.new_name_edit, "nurse.j")
    dialog.new_role_combo.setCurrentIndex(dialog.new_role_combo.findData("cashier"))
    type_into(qtbot, dialog.new_password_edit, "short")
    qtbot.keyClick(dialog.new_password_edit, Qt.Key.Key_N, CTRL)
    qtbot.waitUntil(lambda: "at least 8 characters" in dialog.message_label.text())
    assert len(dialog.rows) == 4
    type_into(qtbot, dialog.new_password_edit, "first shift")
    qtbot.keyClick(dialog.new_password_edit, Qt.Key.Key_N, CTRL)
    qtbot.waitUntil(lambda: len(dialog.rows) == 5)
    assert cell(dialog, "nurse.j", 3) == "must change" and dialog.message_label.text() == ""
    assert auth.sign_in(
        gui_books.app.uow(), "nurse.j", "first shift", workstation="WS01"
    ).must_change_password
