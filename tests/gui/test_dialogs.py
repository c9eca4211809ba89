"""Top up, statement, help sheet, shift menu and receipt buttons, driven from the keyboard."""

from __future__ import annotations

from decimal import Decimal

from PySide6.QtCore import Qt

from pos_app.gui.shortcuts import OTHER_KEYS, SHORTCUTS
from tests.gui.conftest import activate, open_patient, type_into


def test_top_up_by_mobile_money_shows_its_receipt_and_the_new_balance(qtbot, till):
    till.books.patient("MRN900", balance="100.00")
    open_patient(qtbot, till, "MRN900", "MRN900")
    window = till.controller.window
    qtbot.keyClick(window, Qt.Key.Key_F6)
    dialog = till.controller.flows.top_up_dialog
    activate(qtbot, dialog)
    type_into(qtbot, dialog.amount_edit, "2,000")
    dialog.method_combo.setCurrentIndex(dialog.method_combo.findData("mobile_money"))
    qtbot.keyClick(dialog.amount_edit, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: "reference" in dialog.message_label.text())
    assert dialog.isVisible() and dialog.amount_edit.text() == "2,000"
    type_into(qtbot, dialog.reference_edit, "MPESA123")
    qtbot.keyClick(dialog.reference_edit, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: till.controller.receipts.preview is not None)
    receipt = till.controller.receipts.preview
    assert "WALLET DEPOSIT RECEIPT" in receipt.text() and "MPESA123" in receipt.text()
    qtbot.waitUntil(lambda: window.balance_label.text() == "KES 2,100.00")
    assert till.books.balance("MRN900") == Decimal("2100.00")

    qtbot.mouseClick(receipt.buttons["print"], Qt.MouseButton.LeftButton)
    qtbot.mouseClick(receipt.buttons["pdf"], Qt.MouseButton.LeftButton)
    assert till.printed.pdfs[0].read_bytes().startswith(b"%PDF")
    qtbot.mouseClick(receipt.buttons["reprint"], Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: len(till.printed.printed) == 2)
    assert [r.copy_number for r in till.printed.printed] == [0, 1]
    assert "*** COPY 1 ***" in receipt.text()


def test_statement_lists_the_ledger_newest_first(qtbot, till):
    books = till.books
    books.patient("MRN910", balance="100.00")
    books.top_up("MRN910", "250.00")
    open_patient(qtbot, till, "MRN910", "MRN910")
    qtbot.keyClick(till.controller.window, Qt.Key.Key_F9)
    dialog = till.controller.statement_dialog
    qtbot.waitUntil(lambda: dialog.model.rowCount() == 2)
    assert [e.amount for e in dialog.model.rows()] == [Decimal("250.00"), Decimal("100.00")]
    assert dialog.balance_label.text() == "KES 350.00"
    assert dialog.model.data(dialog.model.index(0, 2)) == "250.00"


def test_the_statement_prints_and_saves_as_pdf_from_the_keyboard(qtbot, till):
    books = till.books
    books.patient("MRN911", balance="100.00", name="Zoë Wanjirũ")
    books.top_up("MRN911", "1250.00")
    open_patient(qtbot, till, "MRN911", "MRN911")
    qtbot.keyClick(till.controller.window, Qt.Key.Key_F9)
    dialog = till.controller.statement_dialog
    qtbot.waitUntil(lambda: dialog.statement is not None)
    activate(qtbot, dialog)
    qtbot.keyClick(dialog, Qt.Key.Key_P, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: bool(till.printed.slips))  # a button's key clicks it animated
    (lines,) = till.printed.slips
    assert "WALLET STATEMENT" in "\n".join(lines) and "Zoë Wanjirũ" in "\n".join(lines)
    assert any(line.endswith("1,350.00") for line in lines), "balance with separators"
    assert any(line.endswith("1,250.00") for line in lines), "the top-up's line"
    qtbot.keyClick(dialog, Qt.Key.Key_S, Qt.KeyboardModifier.ControlModifier)
    pdf = till.printed.folder / "statement-MRN911.pdf"
    qtbot.waitUntil(pdf.exists)
    assert pdf.read_bytes().startswith(b"%PDF")


def test_f1_lists_every_shortcut_and_buttons_show_their_keys(qtbot, till):
    window = till.controller.window
    qtbot.keyClick(window, Qt.Key.Key_F1)
    sheet = till.controller.help_sheet
    qtbot.waitUntil(sheet.isVisible)
    listed = {sheet.table.item(row, 0).text() for row in range(sheet.table.rowCount())}
    assert {s.keys for s in SHORTCUTS + OTHER_KEYS} <= listed
    assert {"F2", "F5", "F6", "F9", "F1", "Esc"} <= listed
    assert "[F5]" in window.buttons["pay"].text() and "[F6]" in window.buttons["top_up"].text()
    assert "[F9]" in window.buttons["statement"].text()


def test_session_line_shows_user_and_workstation_and_settings_need_an_admin(qtbot, till):
    window = till.controller.window
    assert "cashier" in window.session_label.text() and "WS01" in window.session_label.text()
    assert not window.settings_action.isEnabled()
