"""Refusals keep the Pay dialog open with plain words and every tender as typed."""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal

import pytest
from PySide6.QtCore import Qt

from pos_app.services.pay import pay
from pos_app.services.tenders import TenderRequest
from tests.gui.conftest import Till, close_till, open_patient, open_till, type_into
from tests.gui.test_cashier_flow import _open_pay
from tests.helpers.books import Books, new_key


def _press_pay_and_wait_for_refusal(qtbot, till: Till, dialog) -> str:
    qtbot.mouseClick(dialog.confirm_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: not till.operations.busy and dialog.message_label.text() != "")
    return dialog.message_label.text()


def test_insufficient_wallet_balance_keeps_the_dialog_and_the_tenders(qtbot, till):
    books = till.books
    books.patient("MRN600", balance="1000.00")
    ids = books.bill("MRN600", ("CONS", 1))
    other = books.bill("MRN600", ("LAB", 1))
    open_patient(qtbot, till, "MRN600", "MRN600")
    till.controller.items.set_checked(1, False)
    dialog = _open_pay(qtbot, till)
    type_into(qtbot, dialog.amounts["wallet"], "1000")
    # Meanwhile the wallet pays another bill at another till.
    pay(
        books.app.uow(),
        actor=books.cashier2,
        workstation="WS02",
        mrn="MRN600",
        tenders=[TenderRequest("wallet", "500.00")],
        key=new_key(),
        item_ids=other,
    )
    message = _press_pay_and_wait_for_refusal(qtbot, till, dialog)
    assert "wallet balance is KES 500.00" in message
    assert dialog.isVisible() and dialog.amounts["wallet"].text() == "1000"
    assert dialog.confirm_button.isEnabled()
    assert books.item_status(ids[0]) == "unpaid" and books.balance("MRN600") == Decimal("500.00")


@pytest.fixture
def shared_till(qtbot, app, settle) -> Iterator[Till]:
    """On SQLite and on PostgreSQL: a second cashier works on the same database."""
    till = open_till(qtbot, Books.open(app))
    yield till
    close_till(qtbot, till)


def test_an_item_another_cashier_paid_first_is_refused_clearly(qtbot, shared_till):
    till, books = shared_till, shared_till.books
    books.patient("MRN700", balance="2000.00")
    ids = books.bill("MRN700", ("CONS", 1))
    open_patient(qtbot, till, "MRN700", "MRN700")
    dialog = _open_pay(qtbot, till)
    dialog.amounts["wallet"].clear()  # prefilled with what the wallet covers
    type_into(qtbot, dialog.amounts["card"], "1000")
    type_into(qtbot, dialog.references["card"], "AUTH-1")
    pay(
        books.app.uow(),
        actor=books.cashier2,
        workstation="WS02",
        mrn="MRN700",
        tenders=[TenderRequest("cash", "1000.00")],
        key=new_key(),
        item_ids=ids,
    )
    message = _press_pay_and_wait_for_refusal(qtbot, till, dialog)
    assert "paid" in message.lower()
    assert dialog.isVisible() and dialog.references["card"].text() == "AUTH-1"
    assert books.count("payments") == 1
