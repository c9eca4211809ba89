"""A lost database shows the red banner, blocks money, keeps what was typed, and recovers."""

from __future__ import annotations

from PySide6.QtCore import Qt

from tests.gui.conftest import open_patient, type_into
from tests.gui.test_cashier_flow import _open_pay


def test_database_down_shows_banner_disables_pay_and_back_clears_it(qtbot, till):
    books = till.books
    books.patient("MRN800", balance="2000.00")
    books.bill("MRN800", ("CONS", 1))
    open_patient(qtbot, till, "MRN800", "MRN800")
    window = till.controller.window
    dialog = _open_pay(qtbot, till)
    type_into(qtbot, dialog.amounts["wallet"], "1000")
    assert dialog.confirm_button.isEnabled()

    till.database.down = True
    qtbot.waitUntil(lambda: window.banner.isVisible(), timeout=5000)
    assert not dialog.confirm_button.isEnabled()
    assert "connection lost" in dialog.message_label.text()
    assert not window.buttons["pay"].isEnabled() and not window.buttons["top_up"].isEnabled()
    assert not window.actions_by_name["pay"].isEnabled()
    qtbot.keyClick(dialog.amounts["wallet"], Qt.Key.Key_Return)
    assert books.count("payments") == 0
    assert dialog.isVisible() and dialog.amounts["wallet"].text() == "1000"

    till.database.down = False
    qtbot.waitUntil(lambda: not window.banner.isVisible(), timeout=5000)
    assert dialog.confirm_button.isEnabled() and dialog.message_label.text() == ""
    assert dialog.amounts["wallet"].text() == "1000"
    qtbot.mouseClick(dialog.confirm_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: till.controller.receipts.preview is not None)
    assert books.count("payments") == 1
