"""Sign in: wrong password says so, a forced change comes first, then the cashier is in."""

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


def test_wrong_password_is_said_plainly_and_the_right_one_signs_in(qtbot, gui_books, settle):
    dialog = _login(qtbot, gui_books)
    _sign_in(qtbot, dialog, "cashier", "wrong password")
    qtbot.waitUntil(lambda: dialog.message_label.text() == "Wrong user name or password.")
    assert dialog.actor is None
    with qtbot.waitSignal(dialog.signed_in) as signed:
        _sign_in(qtbot, dialog, "cashier", "correct horse")
    assert signed.args[0].username == "cashier"


def test_five_failures_lock_the_user_out_for_a_while(qtbot, gui_books, settle):
    dialog = _login(qtbot, gui_books)
    for _ in range(5):
        _sign_in(qtbot, dialog, "cashier", "nope")
        qtbot.waitUntil(lambda: dialog.sign_in_button.isEnabled())
    _sign_in(qtbot, dialog, "cashier", "correct horse")
    qtbot.waitUntil(lambda: "try again in a few minutes" in dialog.message_label.text())
    assert dialog.actor is None


def test_a_password_that_must_change_is_changed_before_the_window(qtbot, gui_books, settle):
    with gui_books.app.uow() as uow:
        uow.execute(update(t.users).where(t.users.c.username == "cashier")
                    .values(must_change_password=True))
        uow.commit()
    dialog = _login(qtbot, gui_books)
    _sign_in(qtbot, dialog, "cashier", "correct horse")
    qtbot.waitUntil(lambda: dialog.pages.currentIndex() == 1)
    assert dialog.actor is None
    qtbot.keyClicks(dialog.new_edit, "battery staple")
    qtbot.keyClicks(dialog.confirm_edit, "battery stapel")
    qtbot.mouseClick(dialog.change_button, Qt.MouseButton.LeftButton)
    assert dialog.message_label.text() == "The two new passwords differ."
    dialog.confirm_edit.clear()
    qtbot.keyClicks(dialog.confirm_edit, "battery staple")
    with qtbot.waitSignal(dialog.signed_in) as signed:
        qtbot.keyClick(dialog.confirm_edit, Qt.Key.Key_Return)
    assert not signed.args[0].must_change_password
