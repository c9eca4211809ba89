"""A cashier's day through the real window: search, select, pay, receipt, balance."""

from __future__ import annotations

from decimal import Decimal

from PySide6.QtCore import Qt

from tests.gui.conftest import Till, open_patient, type_into


def _open_pay(qtbot, till: Till):
    window = till.controller.window
    qtbot.keyClick(window, Qt.Key.Key_F5)
    qtbot.waitUntil(lambda: till.controller.flows.pay_dialog is not None
                    and till.controller.flows.pay_dialog.isVisible())
    dialog = till.controller.flows.pay_dialog
    dialog.activateWindow()
    qtbot.waitUntil(dialog.isActiveWindow)
    return dialog


def test_search_select_and_pay_with_wallet_drops_the_balance_and_shows_the_receipt(qtbot, till):
    books = till.books
    books.patient("MRN100", balance="3000.00", name="Achieng Otieno")
    ids = books.bill("MRN100", ("CONS", 1), ("DRUG", 2))
    open_patient(qtbot, till, "achie", "MRN100")
    window = till.controller.window
    assert window.balance_label.text() == "KES 3,000.00"
    assert "1,200.00" in window.total_label.text()

    dialog = _open_pay(qtbot, till)
    type_into(qtbot, dialog.amounts["wallet"], "1200")
    assert dialog.confirm_button.isEnabled()
    qtbot.keyClick(dialog.amounts["wallet"], Qt.Key.Key_Return)

    qtbot.waitUntil(lambda: till.controller.receipts.preview is not None)
    qtbot.waitUntil(lambda: window.balance_label.text() == "KES 1,800.00")
    assert not dialog.isVisible()
    assert [books.item_status(i) for i in ids] == ["paid", "paid"]
    assert books.balance("MRN100") == Decimal("1800.00")
    receipt = till.controller.receipts.preview.text()
    assert "WS01-" in receipt and "Achieng Otieno" in receipt and "1,800.00" in receipt
    assert till.controller.items.rowCount() == 0


def test_split_tender_wallet_and_cash_shows_change_and_pays_once(qtbot, till):
    books = till.books
    books.patient("MRN200", balance="500.00")
    ids = books.bill("MRN200", ("CONS", 1))
    open_patient(qtbot, till, "MRN200", "MRN200")
    dialog = _open_pay(qtbot, till)
    qtbot.keyClick(dialog, Qt.Key.Key_1, Qt.KeyboardModifier.ControlModifier)
    assert dialog.amounts["wallet"].text() == "500.00"
    assert "500.00" in dialog.remaining_label.text()
    assert not dialog.confirm_button.isEnabled()
    type_into(qtbot, dialog.amounts["cash"], "500")
    type_into(qtbot, dialog.tendered_edit, "1000")
    assert dialog.change_label.text() == "Change KES 500.00"
    assert "0.00" in dialog.remaining_label.text() and dialog.confirm_button.isEnabled()
    qtbot.mouseClick(dialog.confirm_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: till.controller.receipts.preview is not None)
    receipt = till.controller.receipts.preview.text()
    assert "Wallet" in receipt and "Tendered" in receipt and "Change" in receipt
    assert books.balance("MRN200") == Decimal("0.00")
    assert books.item_status(ids[0]) == "paid"


def test_pressing_pay_twice_and_retrying_the_same_dialog_pays_once(qtbot, till):
    books = till.books
    books.patient("MRN300", balance="5000.00")
    books.bill("MRN300", ("PROC", 1))
    open_patient(qtbot, till, "MRN300", "MRN300")
    dialog = _open_pay(qtbot, till)
    type_into(qtbot, dialog.amounts["wallet"], "2500")
    tenders = []
    dialog.pay_requested.connect(tenders.append)
    qtbot.mouseClick(dialog.confirm_button, Qt.MouseButton.LeftButton)
    qtbot.mouseClick(dialog.confirm_button, Qt.MouseButton.LeftButton)
    qtbot.keyClick(dialog.amounts["wallet"], Qt.Key.Key_Return)
    assert len(tenders) == 1, "Pay is disabled while the first press is in flight"
    qtbot.waitUntil(lambda: till.controller.receipts.preview is not None)
    first = till.controller.receipts.preview.text()
    dialog.pay_requested.emit(tenders[0])  # a retry after, say, a dropped answer
    qtbot.waitUntil(lambda: till.controller.receipts.preview.text() != first
                    or not till.operations.busy)
    till.operations.wait()
    qtbot.waitUntil(lambda: not till.operations.busy)
    assert books.count("payments") == 1
    assert books.balance("MRN300") == Decimal("2500.00")


def test_space_unticks_an_item_and_the_total_and_payment_follow(qtbot, till):
    books = till.books
    books.patient("MRN400", balance="5000.00")
    cons, drug = books.bill("MRN400", ("CONS", 1), ("DRUG", 1))
    open_patient(qtbot, till, "MRN400", "MRN400")
    window = till.controller.window
    assert "Selected 2 of 2" in window.total_label.text()
    window.items_view.setFocus()
    window.items_view.selectRow(1)
    qtbot.keyClick(window.items_view, Qt.Key.Key_Space)
    assert "Selected 1 of 2" in window.total_label.text()
    assert "1,000.00" in window.total_label.text()
    dialog = _open_pay(qtbot, till)
    assert "1,000.00" in dialog.total_label.text()
    type_into(qtbot, dialog.amounts["wallet"], "1000")
    qtbot.keyClick(dialog.amounts["wallet"], Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: till.controller.receipts.preview is not None)
    assert (books.item_status(cons), books.item_status(drug)) == ("paid", "unpaid")
    qtbot.waitUntil(lambda: till.controller.items.rowCount() == 1)
    qtbot.keyClick(window.items_view, Qt.Key.Key_Space)
    assert not window.buttons["pay"].isEnabled()


def test_wallet_row_cannot_exceed_the_balance(qtbot, till):
    till.books.patient("MRN500", balance="100.00")
    till.books.bill("MRN500", ("CONS", 1))
    open_patient(qtbot, till, "MRN500", "MRN500")
    dialog = _open_pay(qtbot, till)
    assert "KES 100.00" in dialog.findChild(type(dialog.message_label), "walletBalance").text()
    type_into(qtbot, dialog.amounts["wallet"], "1000")
    assert not dialog.confirm_button.isEnabled()
    assert "at most 100.00" in dialog.message_label.text()
