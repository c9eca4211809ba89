"""The New bill dialog (Ctrl+B), keyboard only: find services, set quantities, raise it once."""

from __future__ import annotations

from decimal import Decimal

from PySide6.QtCore import Qt
from sqlalchemy import update

from pos_app.adapters import tables as t
from pos_app.domain.money import Currency
from pos_app.gui.supervisor.audit_words import describe
from tests.gui.conftest import activate, open_patient, press

CTRL = Qt.KeyboardModifier.ControlModifier


def _open_new_bill(qtbot, till, mrn: str = "WALK1"):
    till.books.patient(mrn, name="Zawadi Mwangi")
    open_patient(qtbot, till, mrn, mrn)
    press(qtbot, till.controller.window, Qt.Key.Key_B, CTRL)
    qtbot.waitUntil(lambda: till.controller.new_bill_dialog is not None)
    dialog = till.controller.new_bill_dialog
    activate(qtbot, dialog)
    return dialog


def _add(qtbot, dialog, text: str, code: str) -> None:
    """Type in the search box, wait for `code` to come up first, press Enter."""
    assert dialog.focusWidget() is dialog.search_edit
    qtbot.keyClicks(dialog.search_edit, text)
    qtbot.waitUntil(
        lambda: dialog.results_model.rowCount() > 0 and dialog.results_model.row(0).code == code
    )
    qtbot.keyClick(dialog.search_edit, Qt.Key.Key_Return)


def _lines(dialog) -> list[tuple[str, int]]:
    return [(row.entry.code, row.quantity) for row in dialog.rows]


def test_a_bill_is_put_together_by_keyboard_and_raised_once(qtbot, till):
    dialog = _open_new_bill(qtbot, till)
    _add(qtbot, dialog, "lab", "LAB")
    _add(qtbot, dialog, "cons", "CONS")
    _add(qtbot, dialog, "LAB", "LAB")  # again: one more
    _add(qtbot, dialog, "drug2", "DRUG2")
    assert _lines(dialog) == [("LAB", 2), ("CONS", 1), ("DRUG2", 1)]
    assert not dialog.confirm_button.isDefault(), "Enter adds lines; it never raises the bill"

    qtbot.keyClick(dialog.search_edit, Qt.Key.Key_Tab)  # to the results
    qtbot.keyClick(dialog.focusWidget(), Qt.Key.Key_Tab)  # to the lines, on the last one
    table = dialog.lines_table
    assert dialog.focusWidget() is table and table.currentRow() == 2
    qtbot.keyClick(table, Qt.Key.Key_3)  # typing a digit edits the quantity
    qtbot.keyClick(table.focusWidget() or table, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: _lines(dialog)[2] == ("DRUG2", 3))
    table.setFocus()
    qtbot.keyClick(table, Qt.Key.Key_Up)
    qtbot.keyClick(table, Qt.Key.Key_Delete)
    assert _lines(dialog) == [("LAB", 2), ("DRUG2", 3)]
    assert dialog.total() == Decimal("1150.00")
    assert "KES 1,150.00" in dialog.total_label.text()

    qtbot.keyClick(table, Qt.Key.Key_Return, CTRL)
    qtbot.keyClick(table, Qt.Key.Key_Return, CTRL)  # a double press raises one bill
    qtbot.waitUntil(lambda: not dialog.isVisible())
    controller = till.controller
    qtbot.waitUntil(lambda: controller.items.rowCount() == 2)
    items = controller.items.rows()
    assert [(i.service_code, i.quantity, i.amount) for i in items] == [
        ("LAB", 2, Decimal("1000.00")),
        ("DRUG2", 3, Decimal("150.00")),
    ]
    assert items[0].bill_no.startswith("TWS01-")
    assert controller.items.selected() == items, "the new items come ticked, ready for F5"
    assert controller.window.buttons["pay"].isEnabled()
    qtbot.waitUntil(lambda: till.operations.idle)
    assert till.books.count("bills") == 1 and till.books.count("bill_items") == 2
    assert "raised" in controller.window.statusBar().currentMessage()


def test_a_refused_bill_says_why_in_place_keeps_the_lines_and_can_be_fixed(qtbot, till):
    dialog = _open_new_bill(qtbot, till)
    _add(qtbot, dialog, "proc", "PROC")
    _add(qtbot, dialog, "misc", "MISC")
    with till.books.app.uow() as uow:  # taken off the list while the dialog was open
        uow.execute(update(t.services).where(t.services.c.code == "PROC").values(active=False))
        uow.commit()
    qtbot.keyClick(dialog.search_edit, Qt.Key.Key_Return, CTRL)
    qtbot.waitUntil(lambda: "no longer on the active price list" in dialog.message_label.text())
    assert dialog.isVisible() and _lines(dialog) == [("PROC", 1), ("MISC", 1)]
    assert till.books.count("bills") == 0

    table = dialog.lines_table
    table.setFocus()
    qtbot.keyClick(table, Qt.Key.Key_Up)
    qtbot.keyClick(table, Qt.Key.Key_Delete)
    assert _lines(dialog) == [("MISC", 1)]
    assert dialog.confirm_button.isEnabled()
    qtbot.keyClick(table, Qt.Key.Key_Return, CTRL)  # the same dialog key, never used yet
    qtbot.waitUntil(lambda: not dialog.isVisible())
    qtbot.waitUntil(lambda: till.controller.items.rowCount() == 1)
    assert till.books.count("bills") == 1


def test_a_quantity_that_is_not_a_whole_number_is_refused_and_the_old_one_kept(qtbot, till):
    dialog = _open_new_bill(qtbot, till)
    _add(qtbot, dialog, "cons", "CONS")
    table = dialog.lines_table
    table.setFocus()
    qtbot.keyClick(table, Qt.Key.Key_0)
    qtbot.keyClick(table.focusWidget() or table, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: "not from 1 to 10000" in dialog.message_label.text())
    assert _lines(dialog) == [("CONS", 1)] and table.item(0, 2).text() == "1"
    qtbot.keyClick(table, Qt.Key.Key_Delete)
    assert not dialog.confirm_button.isEnabled(), "nothing to bill"
    assert "Add services" in dialog.total_label.text()


def test_nothing_to_search_for_and_no_match_say_so(qtbot, till):
    dialog = _open_new_bill(qtbot, till)
    qtbot.keyClicks(dialog.search_edit, "zzz")
    qtbot.waitUntil(lambda: "No active service matches" in dialog.hint_label.text())
    qtbot.keyClick(dialog.search_edit, Qt.Key.Key_Return)
    assert dialog.rows == [] and dialog.isVisible()


def test_without_an_open_patient_ctrl_b_does_nothing(qtbot, till):
    window = till.controller.window
    assert not window.actions_by_name["new_bill"].isEnabled()
    press(qtbot, window, Qt.Key.Key_B, CTRL)
    assert till.controller.new_bill_dialog is None


def test_the_audit_trail_reads_a_raised_bill_in_words():
    details = '{"bill_no": "TWS01-000007", "mrn": "WALK1", "total": "1500.00"}'
    assert describe(
        "bill.new", details, receipt_no=None, user="cashier", currency=Currency("KES", 2)
    ) == ("Bill raised TWS01-000007 KES 1,500.00 for WALK1 by cashier")
