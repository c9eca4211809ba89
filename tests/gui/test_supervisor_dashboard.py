"""The supervisor dashboard: charts of the day, variances, audit trail, approvals, exports."""

from __future__ import annotations

import os
from datetime import timedelta
from decimal import Decimal
from pathlib import Path

import pytest
from PySide6.QtCore import Qt

from pos_app.domain.clock import system_clock
from pos_app.gui.operations import Operations
from pos_app.gui.receipt_flows import ReceiptOutputs
from pos_app.gui.supervisor.dashboard import SupervisorDashboard
from pos_app.receipts.text import render_text
from pos_app.services.pay import pay
from pos_app.services.receipts import get_receipt
from pos_app.services.refund_requests import request_refund
from pos_app.services.shifts import close_shift, open_shift
from pos_app.services.tenders import TenderRequest
from tests.helpers.books import new_key
from tests.helpers.clock import SteppingClock

SCREENSHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"


@pytest.fixture
def a_busy_day(gui_books, monkeypatch):
    """Payments by two cashiers over five hours of today, a shift closed short, a request.

    The app's clock starts at 09:05 UTC today, whatever the hour now, and moves 37 minutes
    per payment: the day's figures never depend on when the test runs. (The audit tab
    filters by the local calendar day, which holds 09:05-14:00 UTC from UTC-9 to UTC+9.)
    """
    books = gui_books
    clock = SteppingClock(system_clock().replace(hour=9, minute=5, second=0, microsecond=0))
    monkeypatch.setattr(books.app, "clock", clock)
    books.patient("P1", balance="20000.00")
    open_shift(books.app.uow(), actor=books.cashier, workstation="WS01", opening_float="2000")
    plan = [
        (books.cashier, "cash"),
        (books.cashier2, "card"),
        (books.cashier, "wallet"),
        (books.cashier, "mobile_money"),
        (books.cashier2, "wallet"),
        (books.cashier, "cash"),
        (books.cashier2, "card"),
        (books.cashier, "wallet"),
    ]
    receipts = []
    for n, (who, method) in enumerate(plan):
        code, price = [("CONS", "1000.00"), ("PROC", "2500.00"), ("LAB", "500.00")][n % 3]
        reference = f"REF-{n}-{new_key()[-6:]}" if method in ("card", "mobile_money") else None
        clock.advance(timedelta(minutes=37))
        receipts.append(
            pay(
                books.app.uow(),
                actor=who,
                workstation="WS01",
                mrn="P1",
                item_ids=books.bill("P1", (code, 1)),
                key=new_key(),
                tenders=[TenderRequest(method, price, reference)],
            ).receipt_no
        )
    close_shift(
        books.app.uow(),
        actor=books.cashier,
        workstation="WS01",
        counted_cash="3450",
        reason_code="change_error",
        approver=books.supervisor,
    )
    request_refund(
        books.app.uow(),
        actor=books.cashier2,
        workstation="WS01",
        receipt_no=receipts[1],
        reason="Card charged twice",
    )
    return books


@pytest.fixture
def printed() -> list:
    """Receipts sent to the (stubbed) system print dialog."""
    return []


@pytest.fixture
def dashboard(qtbot, a_busy_day, settle, tmp_path, printed):
    operations = Operations(new_uow=a_busy_day.app.uow)
    with a_busy_day.app.uow(write=False) as uow:
        currency = uow.facility().currency
    outputs = ReceiptOutputs(
        system_print=lambda _w, receipt, _columns: printed.append(receipt),
        ask_pdf_path=lambda _w, receipt: tmp_path / "refund.pdf",
    )
    view = SupervisorDashboard(
        operations=operations,
        actor=a_busy_day.supervisor,
        workstation="WS01",
        currency=currency,
        choose_path=lambda kind, report: tmp_path / f"day.{kind}",
        receipt_outputs=outputs,
    )
    qtbot.addWidget(view)
    view.show()
    view.start()
    qtbot.waitUntil(
        lambda: (
            view.today.report is not None
            and bool(view.approvals.requests)
            and view.audit.table.rowCount() > 0
        )
    )
    yield view
    qtbot.waitUntil(lambda: operations.idle)


def test_the_dashboard_opens_with_charts_of_today(dashboard, qtbot):
    report = dashboard.today.report
    assert report.totals["payments"] == Decimal("11500.00")
    for chart in (dashboard.today.by_hour, dashboard.today.by_method, dashboard.today.by_cashier):
        assert chart.chart().series(), "every chart is drawn"
        assert sum(amount for _, amount in chart.points) == report.totals["payments"]
    assert {label for label, _ in dashboard.today.by_cashier.points} == {"cashier", "cashier2"}
    assert len(dashboard.today.by_hour.points) > 1
    assert dashboard.today.total_labels["payments"].text() == "11,500.00"
    assert "no gaps" in dashboard.today.ranges_label.text()
    variances = dashboard.variances.table
    cash_row = next(r for r in range(variances.rowCount()) if variances.item(r, 3).text() == "Cash")
    assert variances.item(cash_row, 6).text() == "Cash short by KES 50.00"
    assert variances.item(cash_row, 4).text() == "3,500.00"
    assert variances.item(cash_row, 7).text() == "Wrong change given"
    dashboard.tabs.setCurrentIndex(0)
    image = dashboard.grab()
    target = Path(os.environ.get("CARETILL_SCREENSHOT_DIR", str(qtbot_tmp(dashboard))))
    target.mkdir(parents=True, exist_ok=True)
    assert image.save(str(target / "supervisor_dashboard.png"))


def qtbot_tmp(dashboard) -> Path:
    return Path(dashboard.choose_path("png", dashboard.today.report)).parent


def test_verify_chain_says_the_audit_trail_is_intact(dashboard, qtbot):
    dashboard.tabs.setCurrentWidget(dashboard.audit)
    qtbot.mouseClick(dashboard.audit.verify_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: "intact" in dashboard.audit.chain_label.text())


def test_audit_filters_narrow_the_events(dashboard, qtbot):
    dashboard.audit.action_box.setCurrentText("shift.")
    qtbot.mouseClick(dashboard.audit.search_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: dashboard.audit.table.rowCount() == 2)
    words = sorted(dashboard.audit.table.item(r, 3).text() for r in range(2))
    assert words[0].startswith("Shift closed cash short by KES 50.00 by cashier")
    assert words[1] == "Shift opened float KES 2,000.00 by cashier"


def test_exports_write_csv_and_pdf(dashboard, qtbot, tmp_path):
    qtbot.mouseClick(dashboard.today.csv_button, Qt.MouseButton.LeftButton)
    qtbot.mouseClick(dashboard.today.pdf_button, Qt.MouseButton.LeftButton)
    assert "totals,payments,8,11500.00" in (tmp_path / "day.csv").read_text()
    assert (tmp_path / "day.pdf").read_bytes().startswith(b"%PDF")


def test_approving_a_request_issues_the_refund_and_updates_the_day(dashboard, qtbot):
    dashboard.tabs.setCurrentWidget(dashboard.approvals)
    qtbot.mouseClick(dashboard.approvals.approve_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: "Refund" in dashboard.message_label.text())
    qtbot.waitUntil(lambda: dashboard.today.report.totals["refunds"] == Decimal("2500.00"))
    qtbot.waitUntil(lambda: not dashboard.approvals.requests)


def test_approving_a_request_shows_the_refund_receipt_ready_to_print(
    dashboard, qtbot, printed, a_busy_day, tmp_path
):
    request = dashboard.approvals.requests[0]
    dashboard.tabs.setCurrentWidget(dashboard.approvals)
    qtbot.mouseClick(dashboard.approvals.approve_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: dashboard.receipts.preview is not None)
    preview = dashboard.receipts.preview
    refund_no = preview.actions.current.receipt_no
    issued = get_receipt(
        a_busy_day.app.uow(write=False),
        actor=a_busy_day.supervisor,
        workstation="WS01",
        receipt_no=refund_no,
    )
    assert preview.isVisible() and preview.text() == "\n".join(render_text(issued))
    lines = preview.text().splitlines()
    assert "REFUND" in [line.strip() for line in lines] and "COPY" not in preview.text()
    assert f"Reverses  {request.subject}" in lines
    assert {"Cashier   cashier2", "Approved  supervisor", "Reason    Card charged twice"} <= set(
        lines
    )
    assert any(line.startswith("Card ") and line.endswith(" 2,500.00") for line in lines)
    assert f"receipt {refund_no} issued" in dashboard.message_label.text()
    qtbot.mouseClick(preview.buttons["print"], Qt.MouseButton.LeftButton)
    qtbot.mouseClick(preview.buttons["pdf"], Qt.MouseButton.LeftButton)
    assert [receipt.receipt_no for receipt in printed] == [refund_no]
    assert (tmp_path / "refund.pdf").read_bytes().startswith(b"%PDF")
    preview.accept()


def test_a_cashier_sees_permission_denied_not_figures(gui_books, qtbot, settle):
    operations = Operations(new_uow=gui_books.app.uow)
    view = SupervisorDashboard(
        operations=operations,
        actor=gui_books.cashier,
        workstation="WS01",
        currency=gui_books.currency,
    )
    qtbot.addWidget(view)
    view.start()
    qtbot.waitUntil(lambda: "may not" in view.message_label.text())
    qtbot.waitUntil(lambda: operations.idle)
    assert view.today.report is None


def test_it_opens_on_today_fits_the_till_screen_and_esc_closes_it(dashboard, qtbot):
    assert dashboard.tabs.currentWidget() is dashboard.today
    frame = dashboard.frameGeometry()
    assert frame.width() <= 1366 and frame.height() <= 768
    for button in (
        dashboard.today.refresh_button,
        dashboard.today.csv_button,
        dashboard.today.pdf_button,
        dashboard.today.close_button,
        dashboard.audit.search_button,
        dashboard.audit.verify_button,
        dashboard.approvals.approve_button,
        dashboard.approvals.reject_button,
        dashboard.approvals.refresh_button,
        dashboard.variances.x_button,
    ):
        keys = button.shortcut().toString()
        assert keys and button.text().endswith("]"), button.text()
        assert button.width() >= button.sizeHint().width(), f"{button.text()} is cut"
    dashboard.activateWindow()
    qtbot.waitUntil(dashboard.isActiveWindow)
    qtbot.keyClick(dashboard, Qt.Key.Key_Escape)
    qtbot.waitUntil(lambda: not dashboard.isVisible())


def test_audit_details_read_as_one_line_in_words_not_json(dashboard):
    lines = [
        dashboard.audit.table.item(r, 3).text() for r in range(dashboard.audit.table.rowCount())
    ]
    assert not any("{" in line for line in lines)
    assert any(
        line.startswith("Payment WS01-") and " KES 2,500.00 card for P1 by cashier2" in line
        for line in lines
    ), lines
    assert any(
        line.startswith("Refund requested WS01-") and "Card charged twice" in line for line in lines
    )


def test_x_report_shows_an_open_shifts_figures_so_far(dashboard, qtbot, a_busy_day):
    open_shift(
        a_busy_day.app.uow(), actor=a_busy_day.cashier2, workstation="WS02", opening_float="750"
    )
    dashboard.tabs.setCurrentWidget(dashboard.variances)
    dashboard.activateWindow()
    qtbot.waitUntil(dashboard.isActiveWindow)
    qtbot.keyClick(
        dashboard.variances,
        Qt.Key.Key_X,
        Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier,
    )
    table = dashboard.variances.open_table
    qtbot.waitUntil(lambda: table.rowCount() > 0)
    cash = next(r for r in range(table.rowCount()) if table.item(r, 3).text() == "Cash")
    assert [table.item(cash, c).text() for c in (0, 1, 4)] == ["cashier2", "WS02", "750.00"]
    assert "stay open" in dashboard.variances.open_label.text()
