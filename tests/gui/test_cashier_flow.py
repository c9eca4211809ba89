"""A cashier's day through the real window: search, select, pay, receipt, balance."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication

from pos_app.services.patients import add_patient
from tests.gui.conftest import Till, activate, open_patient, type_into


def _open_pay(qtbot, till: Till):
    window = till.controller.window
    qtbot.keyClick(window, Qt.Key.Key_F5)
    qtbot.waitUntil(
        lambda: (
            till.controller.flows.pay_dialog is not None
            and till.controller.flows.pay_dialog.isVisible()
        )
    )
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
    qtbot.waitUntil(
        lambda: till.controller.receipts.preview.text() != first or not till.operations.busy
    )
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
    items = till.controller.items
    skipped, kept = items.index(1, 2), items.index(0, 2)
    assert items.data(items.index(1, 0)) == "skip" and items.data(items.index(0, 0)) == "pay"
    assert items.data(skipped, Qt.ItemDataRole.ForegroundRole) is not None, "left out: greyed"
    assert items.data(kept, Qt.ItemDataRole.ForegroundRole) is None
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


def test_after_paying_and_closing_the_receipt_typing_goes_to_the_search_box(qtbot, till):
    till.books.patient("MRN600", balance="5000.00", name="Akinyi Wafula")
    till.books.bill("MRN600", ("CONS", 1))
    open_patient(qtbot, till, "akinyi", "MRN600")
    window = till.controller.window
    dialog = _open_pay(qtbot, till)
    qtbot.keyClick(dialog.amounts["wallet"], Qt.Key.Key_Return)  # prefilled: Enter pays
    qtbot.waitUntil(
        lambda: (
            till.controller.receipts.preview is not None
            and till.controller.receipts.preview.isVisible()
        )
    )
    preview = till.controller.receipts.preview
    activate(qtbot, preview)
    qtbot.waitUntil(lambda: not till.operations.busy)
    qtbot.keyClick(preview, Qt.Key.Key_Escape)
    qtbot.waitUntil(lambda: not preview.isVisible())
    window.activateWindow()
    qtbot.waitUntil(lambda: QApplication.focusWidget() is window.search_edit)
    assert window.search_edit.selectedText() == "akinyi"
    qtbot.keyClicks(QApplication.focusWidget(), "Otieno")
    assert window.search_edit.text() == "Otieno"


def test_wallet_row_is_prefilled_with_what_the_wallet_covers(qtbot, till):
    till.books.patient("MRN610", balance="400.00")
    till.books.bill("MRN610", ("CONS", 1))
    open_patient(qtbot, till, "MRN610", "MRN610")
    dialog = _open_pay(qtbot, till)
    assert dialog.amounts["wallet"].text() == "400.00"
    assert "600.00 still to pay" in dialog.message_label.text()
    assert dialog.focusWidget() is dialog.amounts["cash"], "the rest is typed on the cash row"
    qtbot.keyClick(dialog, Qt.Key.Key_2, Qt.KeyboardModifier.ControlModifier)
    assert dialog.amounts["cash"].text() == "600.00" and dialog.confirm_button.isEnabled()


def test_rest_keys_fill_amounts_with_thousands_separators_and_pay_parses_them(qtbot, till):
    books = till.books
    books.patient("MRN620")
    ids = books.bill("MRN620", ("PROC", 4), ("DRUG", 1))
    open_patient(qtbot, till, "MRN620", "MRN620")
    dialog = _open_pay(qtbot, till)
    assert dialog.amounts["wallet"].text() == "", "an empty wallet prefills nothing"
    qtbot.keyClick(dialog, Qt.Key.Key_2, Qt.KeyboardModifier.ControlModifier)
    assert dialog.amounts["cash"].text() == "10,100.00"
    type_into(qtbot, dialog.tendered_edit, "10,750")
    assert dialog.change_label.text() == "Change KES 650.00"
    qtbot.keyClick(dialog.tendered_edit, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: till.controller.receipts.preview is not None)
    assert [books.item_status(i) for i in ids] == ["paid", "paid"]


def test_after_cash_a_large_change_panel_shows_until_the_next_search(qtbot, till):
    till.books.patient("MRN630")
    till.books.bill("MRN630", ("CONS", 1))
    open_patient(qtbot, till, "MRN630", "MRN630")
    window = till.controller.window
    dialog = _open_pay(qtbot, till)
    qtbot.keyClick(dialog, Qt.Key.Key_2, Qt.KeyboardModifier.ControlModifier)
    type_into(qtbot, dialog.tendered_edit, "1650")
    qtbot.keyClick(dialog.tendered_edit, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: till.controller.receipts.preview is not None)
    preview = till.controller.receipts.preview
    assert preview.change_panel.isVisible()
    assert preview.change_panel.text() == "CHANGE  KES 650.00"
    assert window.change_panel.isVisible() and window.change_panel.text() == "CHANGE  KES 650.00"
    preview.accept()
    qtbot.waitUntil(lambda: not till.operations.busy)
    qtbot.keyClicks(window.search_edit, "x")
    assert not window.change_panel.isVisible()


def test_pay_waits_with_its_reason_for_every_invalid_form(qtbot, till):
    till.books.patient("MRN640")
    till.books.bill("MRN640", ("CONS", 1))
    open_patient(qtbot, till, "MRN640", "MRN640")
    dialog = _open_pay(qtbot, till)
    type_into(qtbot, dialog.amounts["card"], "1,000")
    assert not dialog.confirm_button.isEnabled()
    assert dialog.message_label.text() == "Card needs its reference."
    type_into(qtbot, dialog.references["card"], "AUTH-77")
    assert dialog.confirm_button.isEnabled() and dialog.message_label.text() == ""
    type_into(qtbot, dialog.amounts["cash"], "5")
    assert not dialog.confirm_button.isEnabled()
    assert "more than the total" in dialog.message_label.text()


def test_the_change_label_has_its_room_before_it_appears(qtbot, till):
    till.books.patient("MRN650")
    till.books.bill("MRN650", ("CONS", 1))
    open_patient(qtbot, till, "MRN650", "MRN650")
    dialog = _open_pay(qtbot, till)
    qtbot.keyClick(dialog, Qt.Key.Key_2, Qt.KeyboardModifier.ControlModifier)
    before = (dialog.tendered_edit.geometry(), dialog.size())
    type_into(qtbot, dialog.tendered_edit, "5000")
    qtbot.waitUntil(lambda: dialog.change_label.text() == "Change KES 4,000.00")
    assert (dialog.tendered_edit.geometry(), dialog.size()) == before


def test_results_show_age_and_phone_to_tell_same_names_apart(qtbot, till):
    for mrn, dob in (("MRN661", date(1984, 3, 2)), ("MRN662", date(2015, 7, 9))):
        add_patient(
            till.books.app.uow(),
            actor=till.books.cashier,
            mrn=mrn,
            name="Otieno Odhiambo",
            phone="0722 000111",
            dob=dob,
        )
    window = till.controller.window
    qtbot.keyClicks(window.search_edit, "otieno odh")
    qtbot.waitUntil(lambda: window.results_model.rowCount() == 2)
    model = window.results_model
    headers = [model.headerData(c, Qt.Orientation.Horizontal) for c in range(model.columnCount())]
    cells = {
        model.row(r).mrn: [model.index(r, c).data() for c in range(model.columnCount())]
        for r in range(2)
    }
    assert "Age" in headers and "Phone" in headers
    years = date.today().year - 1984 - ((date.today().month, date.today().day) < (3, 2))
    assert f"{years} y" in cells["MRN661"] and f"{years} y" not in cells["MRN662"]
    assert "0722 000111" in cells["MRN662"]


def test_an_empty_result_says_so_and_names_the_register_key(qtbot, till):
    window = till.controller.window
    qtbot.keyClicks(window.search_edit, "Zzyzx")
    qtbot.waitUntil(window.search_hint.isVisible)
    assert window.search_hint.text() == (
        "No patient matches \u201cZzyzx\u201d \u2014 press Ctrl+N to register"
    )
    window.search_edit.clear()
    qtbot.waitUntil(lambda: not window.search_hint.isVisible())
