"""Receipts from the template, reprints, a blind shift close and a refund request, via the keys."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel

from pos_app.receipts.text import render_text
from pos_app.services.receipts import get_receipt
from tests.gui.conftest import (
    Till,
    activate,
    close_till,
    open_patient,
    open_till,
    press,
    type_into,
)
from tests.helpers.books import PASSWORD

CTRL_SHIFT = Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier


def _pay(qtbot, till: Till, mrn: str, method: str, amount: str, tendered: str = "") -> str:
    """Pay everything selected with one tender; the receipt number of the preview shown."""
    open_patient(qtbot, till, mrn, mrn)
    press(qtbot, till.controller.window, Qt.Key.Key_F5)
    dialog = till.controller.flows.pay_dialog
    activate(qtbot, dialog)
    dialog.amounts["wallet"].clear()  # prefilled with what the wallet covers
    type_into(qtbot, dialog.amounts[method], amount)
    if tendered:
        type_into(qtbot, dialog.tendered_edit, tendered)
    qtbot.keyClick(dialog.amounts[method], Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: till.controller.receipts.preview is not None)
    return till.controller.receipts.preview.actions.current.receipt_no


def test_the_preview_after_paying_is_the_template_text_of_the_issued_receipt(qtbot, till):
    till.books.patient("MRN700", balance="5000.00", name="Wanjiru Kamau")
    till.books.bill("MRN700", ("CONS", 1))
    receipt_no = _pay(qtbot, till, "MRN700", "wallet", "1000")
    preview = till.controller.receipts.preview
    issued = get_receipt(
        till.books.app.uow(), actor=till.books.cashier, workstation="WS01", receipt_no=receipt_no
    )
    assert preview.text() == "\n".join(render_text(issued))
    assert receipt_no in preview.text() and receipt_no in preview.title.text()
    assert "Wanjiru Kamau" in preview.text() and "COPY" not in preview.text()
    assert not preview.qr_label.pixmap().isNull()


def test_reprint_by_number_asks_a_reason_and_shows_copy_1(qtbot, till):
    till.books.patient("MRN710", balance="5000.00")
    till.books.bill("MRN710", ("CONS", 1))
    receipt_no = _pay(qtbot, till, "MRN710", "wallet", "1000")
    till.controller.receipts.preview.accept()
    window = till.controller.window
    press(qtbot, window, Qt.Key.Key_F8)
    dialog = till.controller.receipts.dialog
    activate(qtbot, dialog)
    assert dialog.receipt_edit.text() == receipt_no, "the last receipt is offered"
    assert not dialog.confirm_button.isEnabled(), "no reprint without a reason"
    type_into(qtbot, dialog.reason_edit, "patient lost it")
    qtbot.keyClick(dialog.reason_edit, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: "COPY 1" in till.controller.receipts.preview.text())
    assert "*** COPY 1 ***" in till.controller.receipts.preview.text()
    assert not dialog.isVisible()


def test_reprint_of_an_unknown_receipt_is_refused_in_the_dialog(qtbot, till):
    press(qtbot, till.controller.window, Qt.Key.Key_F8)
    dialog = till.controller.receipts.dialog
    activate(qtbot, dialog)
    type_into(qtbot, dialog.receipt_edit, "WS01-999999")
    type_into(qtbot, dialog.reason_edit, "lost")
    qtbot.keyClick(dialog.reason_edit, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: "WS01-999999" in dialog.message_label.text())
    assert dialog.isVisible() and dialog.confirm_button.isEnabled()


def test_open_shift_pay_cash_then_close_blind_shows_the_variance_after_a_sign_off(qtbot, till):
    till.books.patient("MRN720", name="Cash Patient")
    till.books.bill("MRN720", ("CONS", 1))
    window = till.controller.window
    qtbot.waitUntil(lambda: window.shift_label.text() == "No shift open")
    assert not window.actions_by_name["close_shift"].isEnabled()
    press(qtbot, window, Qt.Key.Key_O, CTRL_SHIFT)
    opening = till.controller.shifts.open_dialog
    activate(qtbot, opening)
    type_into(qtbot, opening.float_edit, "500")
    qtbot.keyClick(opening.float_edit, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: "Shift open since" in window.shift_label.text())
    assert "KES 500.00" in window.shift_label.text()

    _pay(qtbot, till, "MRN720", "cash", "1000", tendered="1500")
    till.controller.receipts.preview.accept()

    press(qtbot, window, Qt.Key.Key_C, CTRL_SHIFT)
    closing = till.controller.shifts.close_dialog
    activate(qtbot, closing)
    shown = " ".join(
        label.text() for label in closing.findChildren(QLabel) if label.isVisibleTo(closing)
    )
    assert "1,500" not in shown and closing.pages.currentIndex() == 0, "the count is blind"
    qtbot.keyClick(closing, Qt.Key.Key_D, Qt.KeyboardModifier.ControlModifier)
    assert closing.notes_box.isVisible()
    value, count = closing.note_rows[0]
    assert value == "1000" and closing.focusWidget() is count
    # Note values are labels, not fields: Tab goes from one count to the next.
    for keys in ("1", "\t", "\t", "\t", "4", "\t", "1"):  # 1 x 1000, 4 x 100, 1 x 50
        if keys == "\t":
            qtbot.keyClick(closing.focusWidget(), Qt.Key.Key_Tab)
        else:
            qtbot.keyClicks(closing.focusWidget(), keys)
    assert closing.focusWidget() is closing.note_rows[4][1]
    assert closing.cash_edit.text() == "1,450.00", "cash counted follows the notes"
    qtbot.mouseClick(closing.submit_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(closing.signoff_box.isVisible)
    assert "tolerance" in closing.message_label.text() and closing.pages.currentIndex() == 0
    closing.reason_combo.setCurrentIndex(closing.reason_combo.findData("counting_error"))
    type_into(qtbot, closing.supervisor_edit, "supervisor")
    type_into(qtbot, closing.password_edit, PASSWORD)
    qtbot.keyClick(closing.password_edit, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: closing.pages.currentIndex() == 1)
    table = closing.result_table
    rows = {
        table.item(r, 0).text(): [table.item(r, c).text() for c in (1, 2, 3)]
        for r in range(table.rowCount())
    }
    assert rows["Cash"] == ["1,500.00", "1,450.00", "Cash short by KES 50.00"]
    assert rows["Card"][1] == "not confirmed"
    assert closing.summary_label.text() == (
        "Cash short by KES 50.00  ·  reason: counting error, signed off by supervisor"
    )
    activate(qtbot, closing)
    qtbot.keyClick(closing, Qt.Key.Key_P, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: bool(till.printed.slips))  # a button's key clicks it animated
    [slip] = till.printed.slips
    assert "SHIFT CLOSE SLIP" in slip[1] and "Cash short by KES 50.00" in "\n".join(slip)
    assert "  1,000.00 x 1" in "\n".join(slip)
    qtbot.keyClick(closing, Qt.Key.Key_S, Qt.KeyboardModifier.ControlModifier)
    pdf = till.printed.folder / f"shift-{till.controller.shifts.slip.shift_id}.pdf"
    qtbot.waitUntil(pdf.exists)
    assert pdf.read_bytes().startswith(b"%PDF")
    qtbot.waitUntil(lambda: window.shift_label.text() == "No shift open")
    assert window.actions_by_name["open_shift"].isEnabled()


def test_request_refund_then_a_supervisor_approves_and_the_items_are_unpaid(qtbot, till):
    books = till.books
    books.patient("MRN730", balance="3000.00")
    ids = books.bill("MRN730", ("CONS", 1))
    receipt_no = _pay(qtbot, till, "MRN730", "wallet", "1000")
    till.controller.receipts.preview.accept()
    window = till.controller.window
    assert not window.actions_by_name["dashboard"].isEnabled(), "cashiers do not approve"
    press(qtbot, window, Qt.Key.Key_F7)
    dialog = till.controller.receipts.dialog
    activate(qtbot, dialog)
    assert dialog.receipt_edit.text() == receipt_no
    type_into(qtbot, dialog.reason_edit, "charged twice")
    qtbot.keyClick(dialog.reason_edit, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: "waiting for a supervisor" in window.statusBar().currentMessage())
    assert books.item_status(ids[0]) == "paid"

    boss = open_till(qtbot, books, actor_name="supervisor")
    try:
        press(qtbot, boss.controller.window, Qt.Key.Key_A, CTRL_SHIFT)
        dashboard = boss.controller.dashboard
        qtbot.waitUntil(lambda: dashboard is not None and bool(dashboard.approvals.requests))
        assert dashboard.tabs.currentWidget() is dashboard.today
        dashboard.tabs.setCurrentWidget(dashboard.approvals)
        assert dashboard.approvals.requests[0].subject == receipt_no
        qtbot.mouseClick(dashboard.approvals.approve_button, Qt.MouseButton.LeftButton)
        qtbot.waitUntil(lambda: books.item_status(ids[0]) == "unpaid")
        qtbot.waitUntil(lambda: len(dashboard.approvals.requests) == 0)
    finally:
        close_till(qtbot, boss)
        boss.controller.dashboard and boss.controller.dashboard.close()
