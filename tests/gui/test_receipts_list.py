"""F4, the receipts list: find by last digits or a scanned QR code, reprint or ask a refund."""

from __future__ import annotations

from PySide6.QtCore import Qt

from pos_app.receipts.model import qr_payload
from pos_app.services.receipts import get_receipt
from tests.gui.conftest import Till, activate, open_patient, press, type_into


def _list(qtbot, till: Till):
    press(qtbot, till.controller.window, Qt.Key.Key_F4)
    dialog = till.controller.receipts.receipts_list
    activate(qtbot, dialog)
    qtbot.waitUntil(lambda: bool(dialog.rows))
    return dialog


def _numbers(dialog) -> list[str]:
    return [row.receipt_no for row in dialog.rows]


def _search(qtbot, dialog, text: str, expected: list[str]) -> None:
    type_into(qtbot, dialog.search_edit, text)
    qtbot.waitUntil(lambda: _numbers(dialog) == expected, timeout=3000)


def test_last_digits_find_todays_receipts_and_enter_reprints_a_copy(qtbot, till):
    till.books.patient("MRN800", name="Otieno Odhiambo")
    for _ in range(12):
        till.books.top_up("MRN800", "100.00")
    dialog = _list(qtbot, till)
    assert _numbers(dialog)[0] == "WS01-000012" and len(dialog.rows) == 12
    assert dialog.search_edit.hasFocus()
    _search(qtbot, dialog, "12", ["WS01-000012"])
    _search(qtbot, dialog, "2", ["WS01-000012", "WS01-000002"])  # several matches listed
    assert dialog.table.item(1, 3).text() == "Otieno Odhiambo (MRN800)"

    qtbot.keyClick(dialog.search_edit, Qt.Key.Key_Down)
    qtbot.keyClick(dialog.table, Qt.Key.Key_Down)
    qtbot.keyClick(dialog.table, Qt.Key.Key_Return)
    reason = till.controller.receipts.dialog
    activate(qtbot, reason)
    assert reason.receipt_edit.text() == "WS01-000002" and reason.reason_edit.hasFocus()
    qtbot.keyClicks(reason.reason_edit, "patient lost it")
    qtbot.keyClick(reason.reason_edit, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: till.controller.receipts.preview is not None)
    preview = till.controller.receipts.preview
    assert preview.actions.current.copy_number == 1 and "COPY 1" in preview.text()


def test_a_scanned_qr_code_finds_its_receipt_without_stretching_the_dialog(qtbot, till):
    till.books.patient("MRN810")
    for _ in range(3):
        till.books.top_up("MRN810", "100.00")
    receipt = get_receipt(
        till.books.app.uow(), actor=till.books.cashier, workstation="WS01", receipt_no="WS01-000002"
    )
    dialog = _list(qtbot, till)
    width = dialog.width()
    scanned = qr_payload(receipt)
    dialog.search_edit.setFocus()
    qtbot.keyClicks(dialog.search_edit, scanned)
    qtbot.keyClick(dialog.search_edit, Qt.Key.Key_Return)  # scanners end with Enter
    qtbot.waitUntil(lambda: _numbers(dialog) == ["WS01-000002"])
    qtbot.waitUntil(dialog.table.hasFocus)
    type_into(
        qtbot,
        dialog.search_edit,
        scanned.replace("CARETILL:1:WS01-000002", "CARETILL:1:WS01-000999"),
    )
    qtbot.waitUntil(lambda: "No receipt matches" in dialog.status_label.text())
    assert "…" in dialog.status_label.text(), "a long code is elided, not spelled out"
    assert dialog.width() == width and dialog.frameGeometry().width() <= 1366


def test_the_open_patients_receipts_and_a_refund_request_from_the_list(qtbot, till):
    till.books.patient("MRN820", balance="3000.00")
    till.books.patient("MRN821", balance="500.00")
    till.books.bill("MRN820", ("CONS", 1))
    open_patient(qtbot, till, "MRN820", "MRN820")
    press(qtbot, till.controller.window, Qt.Key.Key_F5)
    pay_dialog = till.controller.flows.pay_dialog
    activate(qtbot, pay_dialog)
    qtbot.keyClick(pay_dialog.amounts["wallet"], Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: till.controller.receipts.preview is not None)
    paid = till.controller.receipts.preview.actions.current.receipt_no
    till.controller.receipts.preview.accept()

    dialog = _list(qtbot, till)
    assert dialog.patient_box.isChecked()
    assert _numbers(dialog) == [paid, "WS01-000001"], "only MRN820's receipts"
    dialog.table.setFocus()
    dialog.table.selectRow(1)
    qtbot.keyClick(dialog.table, Qt.Key.Key_F7)
    qtbot.waitUntil(lambda: "only a payment" in dialog.status_label.text())
    dialog.table.selectRow(0)
    qtbot.keyClick(dialog.table, Qt.Key.Key_F7)
    qtbot.waitUntil(
        lambda: (
            till.controller.receipts.dialog is not None
            and till.controller.receipts.dialog.isVisible()
        )
    )
    request = till.controller.receipts.dialog
    activate(qtbot, request)
    assert request.receipt_edit.text() == paid
    qtbot.keyClicks(request.reason_edit, "charged twice")
    qtbot.keyClick(request.reason_edit, Qt.Key.Key_Return)
    qtbot.waitUntil(
        lambda: "waiting for a supervisor" in till.controller.window.statusBar().currentMessage()
    )
