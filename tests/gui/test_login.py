"""Sign in: a wrong password says what is left, a forced change comes first, then one is in."""

from __future__ import annotations

from PySide6.QtCore import Qt
from sqlalchemy import update

from pos_app.adapters import tables as t
from pos_app.gui.login import LoginDialog
from pos_app.gui.operations import Operations


def _login(qtbot, books) -> LoginDialog:
    dialog = LoginDialog(operations=Operations(new_uow=books.app.uow), workstation="WS01")
    qtbot.addWidget(dialog)
    dialog.show()
    return dialog


def _sign_in(qtbot, dialog: LoginDialog, user: str, password: str) -> None:
    dialog.user_edit.clear()
    dialog.password_edit.clear()
    qtbot.keyClicks(dialog.user_edit, user)
    qtbot.keyClicks(dialog.password_edit, password)
    qtbot.keyClick(dialog.password_edit, Qt.Key.Key_Return)


def test_a_wrong_password_is_cleared_and_says_how_many_tries_are_left(qtbot, gui_books, settle):
    dialog = _login(qtbot, gui_books)
    dialog.activateWindow()
    qtbot.waitUntil(dialog.isActiveWindow)
    _sign_in(qtbot, dialog, "cashier", "wrong password")
    qtbot.waitUntil(lambda: "4 attempts left" in dialog.message_label.text())
    assert "lock-out of 2 minutes" in dialog.message_label.text()
    assert dialog.password_edit.text() == "" and dialog.password_edit.hasFocus()
    assert dialog.user_edit.text() == "cashier" and dialog.actor is None
    qtbot.keyClicks(dialog.password_edit, "correct horse")  # nothing left over to append to
    with qtbot.waitSignal(dialog.signed_in) as signed:
        qtbot.keyClick(dialog.password_edit, Qt.Key.Key_Return)
    assert signed.args[0].username == "cashier"


def test_five_failures_lock_the_user_out_and_say_for_how_long(qtbot, gui_books, settle):
    dialog = _login(qtbot, gui_books)
    for left in (4, 3, 2, 1):
        _sign_in(qtbot, dialog, "cashier", "nope")
        qtbot.waitUntil(lambda left=left: f"{left} attempt" in dialog.message_label.text())
    _sign_in(qtbot, dialog, "cashier", "nope")
    qtbot.waitUntil(lambda: "locked for 2 minutes" in dialog.message_label.text())
    dialog.message_label.clear()
    _sign_in(qtbot, dialog, "cashier", "correct horse")
    qtbot.waitUntil(lambda: "locked for 2 minutes" in dialog.message_label.text())
    assert dialog.actor is None and dialog.password_edit.text() == ""


def test_a_password_that_must_change_is_changed_before_the_window(qtbot, gui_books, settle):
    with gui_books.app.uow() as uow:
        uow.execute(
            update(t.users).where(t.users.c.username == "cashier").values(must_change_password=True)
        )
        uow.commit()
    dialog = _login(qtbot, gui_books)
    _sign_in(qtbot, dialog, "cashier", "correct horse")
    qtbot.waitUntil(lambda: dialog.pages.currentIndex() == 1)
    assert dialog.actor is None
    assert dialog.notice_label.text() == "Your password must be changed before you start."
    assert dialog.notice_label.objectName() == "notice" and dialog.message_label.text() == ""
    qtbot.keyClicks(dialog.new_edit, "battery staple")
    qtbot.keyClicks(dialog.confirm_edit, "battery stapel")
    qtbot.mouseClick(dialog.change_button, Qt.MouseButton.LeftButton)
    assert dialog.message_label.text() == "The two new passwords differ."
    dialog.confirm_edit.clear()
    qtbot.keyClicks(dialog.confirm_edit, "battery staple")
    with qtbot.waitSignal(dialog.signed_in) as signed:
        qtbot.keyClick(dialog.confirm_edit, Qt.Key.Key_Return)
    assert not signed.args[0].must_change_password
