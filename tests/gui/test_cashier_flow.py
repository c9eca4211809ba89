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
    return till.controller.flows.pay_dialog


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
    assert dialog.pay_button.isEnabled()
    qtbot.keyClick(dialog.amounts["wallet"], Qt.Key.Key_Return)

    qtbot.waitUntil(lambda: till.controller.flows.receipt is not None)
    qtbot.waitUntil(lambda: window.balance_label.text() == "KES 1,800.00")
    assert not dialog.isVisible()
    assert [books.item_status(i) for i in ids] == ["paid", "paid"]
    assert books.balance("MRN100") == Decimal("1800.00")
    receipt = till.controller.flows.receipt.text()
    assert "WS01-" in receipt and "Achieng Otieno" in receipt and "1,800.00" in receipt
    assert till.controller.items.rowCount() == 0
