"""Adjust… (Ctrl+J), keyboard only: a cashier's discount waits for approval; a supervisor
signing on the spot applies it and the card shows the net due."""

from __future__ import annotations

from decimal import Decimal

from PySide6.QtCore import Qt

from tests.gui.conftest import activate, open_patient, press
from tests.helpers.books import PASSWORD

CTRL = Qt.KeyboardModifier.ControlModifier


def _open_adjust(qtbot, till, row: int):
    controller = till.controller
    flow = controller.adjusting
    flow.dialog = None
    controller.window.items_view.selectRow(row)
    press(qtbot, controller.window, Qt.Key.Key_J, CTRL)
    qtbot.waitUntil(lambda: flow.dialog is not None)
    activate(qtbot, flow.dialog)
    return flow.dialog


def test_a_discount_waits_for_approval_then_a_supervisor_on_the_spot_applies_one(qtbot, till):
    books = till.books
    mrn = books.patient("ADJ1", name="Amani Otieno")
    cons, lab = books.bill(mrn, ("CONS", 1), ("LAB", 1))
    open_patient(qtbot, till, "ADJ1", mrn)
    controller = till.controller
    qtbot.waitUntil(lambda: controller.items.rowCount() == 2)

    dialog = _open_adjust(qtbot, till, 0)
    assert dialog.focusWidget() is dialog.kind_box
    assert not dialog.confirm_button.isEnabled(), "a discount needs an amount or a percent"
    qtbot.keyClicks(dialog.percent_edit, "10")
    assert dialog.confirm_button.isEnabled()
    qtbot.keyClick(dialog.percent_edit, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: "Pending approval" in dialog.message_label.text())
    assert "100.00" in dialog.message_label.text()
    assert books.count("adjustments") == 0 and books.count("approval_requests") == 1
    dialog.reject()

    dialog = _open_adjust(qtbot, till, 1)
    qtbot.keyClicks(dialog.amount_edit, "150.00")
    index = dialog.reason_box.findData("indigent")
    dialog.reason_box.setCurrentIndex(index)
    qtbot.keyClicks(dialog.approver_edit, "supervisor")
    assert not dialog.confirm_button.isEnabled(), "an approver needs their password"
    qtbot.keyClicks(dialog.password_edit, PASSWORD)
    qtbot.keyClick(dialog.password_edit, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: not dialog.isVisible())
    qtbot.waitUntil(
        lambda: (
            controller.items.rowCount() == 2
            and controller.items.rows()[1].amount_due == Decimal("350.00")
        )
    )
    assert books.count("adjustments") == 1
    assert controller.items.selected_total() == Decimal("1350.00")
    assert "1,350.00" in controller.window.total_label.text()
    qtbot.waitUntil(lambda: till.operations.idle)
    assert "applied" in controller.window.statusBar().currentMessage()


def test_a_wrong_approver_password_is_said_in_place_and_nothing_is_written(qtbot, till):
    books = till.books
    mrn = books.patient("ADJ2", name="Baraka Njoroge")
    books.bill(mrn, ("CONS", 1))
    open_patient(qtbot, till, "ADJ2", mrn)
    qtbot.waitUntil(lambda: till.controller.items.rowCount() == 1)
    dialog = _open_adjust(qtbot, till, 0)
    dialog.kind_box.setCurrentIndex(1)  # waiver: no amount
    assert not dialog.amount_edit.isEnabled() and dialog.confirm_button.isEnabled()
    qtbot.keyClicks(dialog.approver_edit, "supervisor")
    qtbot.keyClicks(dialog.password_edit, "wrong")
    qtbot.keyClick(dialog.password_edit, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: dialog.message_label.text().startswith("Approver:"))
    assert dialog.isVisible() and books.count("adjustments") == 0
