"""A cashier sees the state of their own approval requests and hears when one is decided."""

from __future__ import annotations

from PySide6.QtCore import Qt

from pos_app.services import approvals
from pos_app.services.withdrawal import request_withdrawal
from tests.gui.conftest import press
from tests.helpers.books import new_key


def _ask(books, mrn="P1"):
    return request_withdrawal(
        books.app.uow(),
        actor=books.cashier,
        workstation="WS01",
        mrn=mrn,
        amount="2500.00",
        reason="Discharged",
        key=new_key(),
    )


def _cells(table, row):
    return [table.item(row, c).text() for c in range(table.columnCount())]


def test_ctrl_shift_r_lists_my_requests_with_their_state(qtbot, till, gui_books):
    gui_books.patient("P1", balance="3000.00")
    gui_books.patient("P2", balance="3000.00")
    asked = _ask(gui_books)
    request_withdrawal(
        gui_books.app.uow(),
        actor=gui_books.cashier2,
        workstation="WS01",
        mrn="P2",
        amount="10.00",
        reason="Not mine",
        key=new_key(),
    )
    window = till.controller.window
    press(
        qtbot,
        window,
        Qt.Key.Key_R,
        Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier,
    )
    qtbot.waitUntil(
        lambda: (
            till.controller.my_requests.dialog is not None
            and till.controller.my_requests.dialog.table.rowCount() == 1
        )
    )
    dialog = till.controller.my_requests.dialog
    row = _cells(dialog.table, 0)
    assert row[:4] == [str(asked.id), "Cash out", "P1", "2,500.00"]
    assert row[5] == "Pending" and "1 waiting" in dialog.summary.text()
    qtbot.keyClick(dialog, Qt.Key.Key_Escape)
    assert not dialog.isVisible()


def test_a_decision_reaches_the_cashier_on_the_next_poll(qtbot, till, gui_books):
    gui_books.patient("P1", balance="3000.00")
    gui_books.patient("P2", balance="3000.00")
    watch = till.controller.my_requests
    qtbot.waitUntil(lambda: watch._decided is not None)  # the first answer: nothing is news
    approved, rejected = _ask(gui_books), _ask(gui_books, "P2")
    approvals.approve(
        gui_books.app.uow(),
        actor=gui_books.supervisor,
        workstation="WS09",
        request_id=approved.id,
        key=new_key(),
    )
    approvals.reject(
        gui_books.app.uow(),
        actor=gui_books.supervisor,
        workstation="WS09",
        request_id=rejected.id,
        reason="Deposit for surgery",
    )
    said = []
    till.controller.messages.posted.connect(lambda text, tone: said.append((text, tone)))
    watch.refresh()
    qtbot.waitUntil(lambda: len(said) == 2)
    told = dict((text.split(":")[0], (text, tone)) for text, tone in said)
    text, tone = told[f"Request {approved.id} approved by supervisor"]
    assert tone == "success" and "Cash out P1, receipt WS01-" in text
    assert told[f"Request {rejected.id} rejected by supervisor"] == (
        f"Request {rejected.id} rejected by supervisor: Cash out P2 — Deposit for surgery",
        "error",
    )
    watch.refresh()
    qtbot.waitUntil(lambda: till.operations.idle)
    assert len(said) == 2, "old news is not told twice"
