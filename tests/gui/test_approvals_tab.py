"""The dashboard's Approvals tab: every kind listed, approved and rejected from the keyboard."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
from PySide6.QtCore import Qt

from pos_app.gui.operations import Operations
from pos_app.gui.receipt_flows import ReceiptOutputs
from pos_app.gui.supervisor.approvals_view import waiting_for
from pos_app.gui.supervisor.dashboard import SupervisorDashboard
from pos_app.services import approvals
from pos_app.services.pay import pay
from pos_app.services.refund_requests import request_refund
from pos_app.services.tenders import TenderRequest
from pos_app.services.withdrawal import request_withdrawal
from tests.helpers.books import new_key


@pytest.fixture
def waiting(gui_books):
    """A refund request and a large cash-out request, both by the cashier."""
    books = gui_books
    books.patient("P1", balance="15000.00", name="Achieng Otieno")
    items = books.bill("P1", ("CONS", 1), ("DRUG", 2))
    paid = pay(
        books.app.uow(),
        actor=books.cashier,
        workstation="WS01",
        mrn="P1",
        item_ids=items,
        key=new_key(),
        tenders=[TenderRequest("wallet", "1200.00")],
    )
    request_refund(
        books.app.uow(),
        actor=books.cashier,
        workstation="WS01",
        receipt_no=paid.receipt_no,
        reason="Charged twice",
    )
    request_withdrawal(
        books.app.uow(),
        actor=books.cashier,
        workstation="WS01",
        mrn="P1",
        amount="12500.00",
        reason="Discharged, balance back",
        key=new_key(),
    )
    return books


@pytest.fixture
def dashboard(qtbot, waiting, settle, tmp_path):
    operations = Operations(new_uow=waiting.app.uow)
    outputs = ReceiptOutputs(
        system_print=lambda *_: None, ask_pdf_path=lambda _w, receipt: tmp_path / "r.pdf"
    )
    view = SupervisorDashboard(
        operations=operations,
        actor=waiting.supervisor,
        workstation="WS09",
        currency=waiting.currency,
        choose_path=lambda kind, report: tmp_path / f"day.{kind}",
        receipt_outputs=outputs,
    )
    qtbot.addWidget(view)
    view.show()
    view.start()
    qtbot.waitUntil(lambda: len(view.approvals.requests) == 2)
    view.tabs.setCurrentWidget(view.approvals)
    yield view
    qtbot.waitUntil(lambda: operations.idle)


def _cells(table, row):
    return [table.item(row, c).text() for c in range(table.columnCount())]


def test_every_kind_is_listed_with_its_amount_requester_and_age(dashboard):
    table = dashboard.approvals.table
    refund, cash_out = _cells(table, 0), _cells(table, 1)
    assert refund[1:5] == ["Refund", refund[2], "1,200.00", "cashier"]
    assert refund[2].startswith("WS01-") and refund[7] == "Charged twice"
    assert cash_out[1:5] == ["Cash out", "P1", "12,500.00", "cashier"]
    assert cash_out[6] == "just now"
    assert "2 request(s) waiting" in dashboard.approvals.count_label.text()


def test_ctrl_enter_approves_the_chosen_request_and_it_executes(dashboard, qtbot, waiting):
    dashboard.approvals.table.selectRow(1)
    qtbot.keyClick(
        dashboard.approvals.table, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier
    )
    qtbot.waitUntil(lambda: len(dashboard.approvals.requests) == 1)
    assert "approved (Cash out P1): receipt WS01-" in dashboard.message_label.text()
    assert waiting.balance("P1") == Decimal("1300.00")


def test_reject_asks_for_a_reason_first_then_enter_rejects(dashboard, qtbot, waiting):
    view = dashboard.approvals
    qtbot.keyClick(view.table, Qt.Key.Key_Backspace, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: dashboard.focusWidget() is view.reason_edit)  # a button's
    assert len(view.requests) == 2  # shortcut clicks it a moment later, as a mouse would
    qtbot.keyClicks(view.reason_edit, "Refund already given in cash")
    qtbot.keyClick(view.reason_edit, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: len(view.requests) == 1)
    assert "rejected" in dashboard.message_label.text()
    (rejected,) = approvals.list_requests(
        waiting.app.uow(write=False), actor=waiting.supervisor, status="rejected"
    )
    assert (rejected.kind, rejected.decision_reason) == ("refund", "Refund already given in cash")
    assert waiting.balance("P1") == Decimal("13800.00")  # nothing refunded


def test_a_refusal_is_shown_and_the_request_stays(dashboard, qtbot, waiting):
    approvals.set_limit(
        waiting.app.uow(),
        actor=waiting.admin,
        workstation="WS01",
        role="supervisor",
        kind="withdrawal",
        amount="10000.00",
    )
    dashboard.approvals.table.selectRow(1)
    qtbot.mouseClick(dashboard.approvals.approve_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: "limit" in dashboard.message_label.text())
    assert "KES 10,000.00" in dashboard.message_label.text()
    assert len(dashboard.approvals.requests) == 2


@pytest.mark.parametrize(
    ("minutes", "words"), [(0, "just now"), (5, "5 min"), (125, "2 h 05 min"), (3 * 24 * 60, "3 d")]
)
def test_waiting_time_reads_in_words(minutes, words):
    now = datetime(2026, 11, 30, 12, 0, tzinfo=UTC)
    assert waiting_for((now - timedelta(minutes=minutes)).isoformat(), now) == words
