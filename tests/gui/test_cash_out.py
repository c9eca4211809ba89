"""Cash out wallet: a supervisor signs off in the dialog, the wallet pays out once, via the keys."""

from __future__ import annotations

from decimal import Decimal

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel

from pos_app.gui.cash_out_dialog import CashOutDialog, CashOutRequest
from tests.gui.conftest import Till, activate, close_till, open_patient, open_till, press, type_into
from tests.helpers.books import PASSWORD

CTRL = Qt.KeyboardModifier.ControlModifier


def _cash_out_dialog(qtbot, till: Till, mrn: str) -> CashOutDialog:
    """Open the patient and press Ctrl+W."""
    open_patient(qtbot, till, mrn, mrn)
    press(qtbot, till.controller.window, Qt.Key.Key_W, CTRL)
    dialog = till.controller.flows.cash_out_dialog
    activate(qtbot, dialog)
    return dialog


def _fill(
    qtbot,
    dialog: CashOutDialog,
    amount: str,
    supervisor: str,
    password: str,
    reason: str = "patient discharged",
) -> None:
    type_into(qtbot, dialog.amount_edit, amount)
    type_into(qtbot, dialog.reason_edit, reason)
    type_into(qtbot, dialog.supervisor_edit, supervisor)
    type_into(qtbot, dialog.password_edit, password)


def test_cash_out_with_a_supervisor_sign_off_lowers_the_wallet_and_shows_its_receipt(qtbot, till):
    till.books.patient("MRN800", balance="5000.00", name="Achieng Otieno")
    dialog = _cash_out_dialog(qtbot, till, "MRN800")
    assert "KES 5,000.00" in dialog.findChild(QLabel, "walletBalance").text()
    assert dialog.supervisor_edit.text() == "", "a cashier cannot approve: nobody is prefilled"
    _fill(qtbot, dialog, "1,200", "supervisor", PASSWORD)
    qtbot.keyClick(dialog.password_edit, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: till.controller.receipts.preview is not None)
    preview = till.controller.receipts.preview
    receipt_no = till.controller.receipts.last_receipt_no
    assert "WALLET WITHDRAWAL" in preview.text() and receipt_no in preview.text()
    assert "Achieng Otieno" in preview.text()
    window = till.controller.window
    qtbot.waitUntil(lambda: window.balance_label.text() == "KES 3,800.00")
    assert till.books.balance("MRN800") == Decimal("3800.00")
    assert till.books.count("withdrawals") == 1
    assert not dialog.isVisible()
    status = window.statusBar()
    assert receipt_no in status.currentMessage() and "KES 1,200.00" in status.currentMessage()
    assert status.property("tone") == "success"


@pytest.mark.parametrize(
    ("amount", "supervisor", "password", "said"),
    [
        ("800", "supervisor", PASSWORD, "cannot be withdrawn"),
        ("100", "supervisor", "wrong horse", "Supervisor sign-off: Wrong user name or password."),
        ("100", "cashier2", PASSWORD, "may not approve wallet withdrawals"),
    ],
    ids=["above_the_balance", "wrong_supervisor_password", "a_cashier_as_approver"],
)
def test_a_refused_cash_out_says_why_keeps_what_was_typed_and_writes_nothing(
    qtbot, till, amount, supervisor, password, said
):
    till.books.patient("MRN810", balance="500.00")
    dialog = _cash_out_dialog(qtbot, till, "MRN810")
    _fill(qtbot, dialog, amount, supervisor, password)
    qtbot.keyClick(dialog.password_edit, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: said in dialog.message_label.text())
    qtbot.waitUntil(lambda: not till.operations.busy)
    assert dialog.isVisible() and dialog.confirm_button.isEnabled()
    assert dialog.request() == CashOutRequest(amount, "patient discharged", supervisor, password)
    assert till.books.count("withdrawals") == 0
    assert till.books.balance("MRN810") == Decimal("500.00")
    assert till.controller.receipts.preview is None


def test_a_double_press_pays_out_once(qtbot, till):
    till.books.patient("MRN820", balance="1000.00")
    dialog = _cash_out_dialog(qtbot, till, "MRN820")
    _fill(qtbot, dialog, "300", "supervisor", PASSWORD)
    qtbot.keyClick(dialog.password_edit, Qt.Key.Key_Return)
    assert not dialog.confirm_button.isEnabled(), "confirm waits while the request is out"
    qtbot.keyClick(dialog.password_edit, Qt.Key.Key_Return)
    qtbot.mouseClick(dialog.confirm_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: till.controller.receipts.preview is not None)
    qtbot.waitUntil(lambda: till.operations.idle)
    assert till.books.count("withdrawals") == 1
    assert till.books.balance("MRN820") == Decimal("700.00")


def test_the_same_request_sent_twice_from_one_dialog_replays_the_first_withdrawal(qtbot, till):
    """One idempotency key for the dialog's life: even a request that beats the button pays once."""
    till.books.patient("MRN830", balance="1000.00")
    dialog = _cash_out_dialog(qtbot, till, "MRN830")
    _fill(qtbot, dialog, "250", "supervisor", PASSWORD)
    dialog.cash_out_requested.emit(dialog.request())
    dialog.cash_out_requested.emit(dialog.request())
    qtbot.waitUntil(lambda: till.controller.receipts.preview is not None)
    qtbot.waitUntil(lambda: till.operations.idle)
    assert till.books.count("withdrawals") == 1
    assert till.books.balance("MRN830") == Decimal("750.00")


def test_cash_out_needs_an_open_patient_and_the_database(qtbot, till):
    till.books.patient("MRN840", balance="100.00")
    action = till.controller.window.actions_by_name["cash_out"]
    assert not action.isEnabled()
    open_patient(qtbot, till, "MRN840", "MRN840")
    assert action.isEnabled() and action.shortcut().toString() == "Ctrl+W"
    till.database.down = True
    qtbot.waitUntil(lambda: not action.isEnabled())
    till.database.down = False
    qtbot.waitUntil(action.isEnabled)


def test_a_supervisor_at_the_till_finds_their_name_prefilled(qtbot, gui_books, settle):
    gui_books.patient("MRN850", balance="100.00")
    boss = open_till(qtbot, gui_books, actor_name="supervisor")
    try:
        dialog = _cash_out_dialog(qtbot, boss, "MRN850")
        assert dialog.supervisor_edit.text() == "supervisor"
        assert dialog.password_edit.text() == "", "the password is always typed"
        assert not dialog.confirm_button.isEnabled()
    finally:
        close_till(qtbot, boss)
