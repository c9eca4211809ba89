"""Honest outcomes in the money dialogs: an unknown save keeps the dialog and its key; a
missing shift is offered right there, and nothing typed is lost."""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal

import pytest
from PySide6.QtCore import Qt

from pos_app.domain.errors import OutcomeUnknown
from pos_app.services import pay as pay_module
from pos_app.services import shifts
from tests.gui.conftest import Till, activate, close_till, open_patient, open_till, type_into
from tests.gui.test_cashier_flow import _open_pay
from tests.helpers.books import Books

CTRL_SHIFT = Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier


def _press(qtbot, till: Till, dialog, waiting_for: str) -> str:
    qtbot.mouseClick(dialog.confirm_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: not till.operations.busy and waiting_for in dialog.message_label.text())
    return dialog.message_label.text()


def test_a_lost_answer_keeps_the_dialog_and_pressing_pay_again_pays_once(qtbot, till, monkeypatch):
    books = till.books
    books.patient("MRN910", balance="5000.00")
    ids = books.bill("MRN910", ("PROC", 1))
    real_pay, keys = pay_module.pay, []

    def answer_lost_the_first_time(uow, **kwargs):
        keys.append(kwargs["key"])
        result = real_pay(uow, **kwargs)  # committed ...
        if len(keys) == 1:
            raise OutcomeUnknown(OutcomeUnknown.MESSAGE)  # ... but the answer never came
        return result

    monkeypatch.setattr(pay_module, "pay", answer_lost_the_first_time)
    open_patient(qtbot, till, "MRN910", "MRN910")
    dialog = _open_pay(qtbot, till)
    type_into(qtbot, dialog.amounts["wallet"], "2500")
    message = _press(qtbot, till, dialog, "may have gone through")
    assert "Press Pay again to retry safely" in message
    assert dialog.isVisible() and dialog.amounts["wallet"].text() == "2500"
    assert dialog.confirm_button.isEnabled() and till.controller.receipts.preview is None

    qtbot.mouseClick(dialog.confirm_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: till.controller.receipts.preview is not None)
    assert len(keys) == 2 and keys[0] == keys[1], "the retry carries the dialog's key"
    assert books.count("payments") == 1 and books.item_status(ids[0]) == "paid"
    assert books.balance("MRN910") == Decimal("2500.00")


@pytest.fixture
def shift_till(qtbot, sqlite_app, settle) -> Iterator[Till]:
    """A facility as it is set up new: cash only inside a shift."""
    till = open_till(qtbot, Books.open(sqlite_app, require_shift=True))
    yield till
    close_till(qtbot, till)


def test_cash_without_a_shift_offers_to_open_one_over_the_dialog_then_pays(qtbot, shift_till):
    till, books = shift_till, shift_till.books
    books.patient("MRN920")
    books.bill("MRN920", ("CONS", 1))
    open_patient(qtbot, till, "MRN920", "MRN920")
    qtbot.waitUntil(
        lambda: (
            till.controller.shifts.current is None
            and "No shift" in till.controller.window.shift_label.text()
        )
    )
    dialog = _open_pay(qtbot, till)
    type_into(qtbot, dialog.amounts["cash"], "1000")
    type_into(qtbot, dialog.tendered_edit, "1000")
    message = _press(qtbot, till, dialog, "Ctrl+Shift+O")
    assert "no open shift" in message and "then Pay again" in message
    assert books.count("payments") == 0

    activate(qtbot, dialog)
    qtbot.keyClick(dialog, Qt.Key.Key_O, CTRL_SHIFT)
    qtbot.waitUntil(
        lambda: (
            till.controller.shifts.open_dialog is not None
            and till.controller.shifts.open_dialog.isVisible()
        )
    )
    opening = till.controller.shifts.open_dialog
    assert opening.parent() is dialog, "the open-shift dialog comes over the Pay dialog"
    type_into(qtbot, opening.float_edit, "100")
    qtbot.mouseClick(opening.confirm_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: till.controller.shifts.current is not None)
    qtbot.waitUntil(lambda: "press Pay again" in dialog.message_label.text())
    assert dialog.isVisible() and dialog.amounts["cash"].text() == "1000"

    qtbot.mouseClick(dialog.confirm_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: till.controller.receipts.preview is not None)
    closed = shifts.close_shift(
        books.app.uow(), actor=books.cashier, workstation="WS01", counted_cash="1100.00"
    )
    assert closed.expected_cash == Decimal("1100.00") and closed.variance == 0
