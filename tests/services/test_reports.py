"""Daily report totals equal the receipts behind them; the Z report freezes a day."""

from __future__ import annotations

from datetime import datetime, timedelta
from decimal import Decimal

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select

from pos_app.adapters import tables as t
from pos_app.domain.errors import Refused
from pos_app.services.check import run_check
from pos_app.services.deposit import deposit
from pos_app.services.pay import pay
from pos_app.services.reports import business_date_of, close_day, daily_report, facility_zone
from pos_app.services.reversal import reverse_payment
from pos_app.services.tenders import TenderRequest
from tests.helpers.books import new_key


def _day_of(books, at: str):
    with books.app.uow(write=False) as uow:
        return business_date_of(uow, datetime.fromisoformat(at), facility_zone(uow))


def _report(books, day):
    return daily_report(books.app.uow(write=False), actor=books.supervisor, day=day)


def _receipt_sums(books, report) -> dict[str, Decimal]:
    """Sums straight from receipts and the documents behind them, per receipt kind."""
    start, end = (
        datetime.fromisoformat(report.window_start),
        datetime.fromisoformat(report.window_end),
    )
    sums = {}
    with books.app.uow(write=False) as uow:
        for kind, table in [
            ("payment", t.payments),
            ("deposit", t.deposits),
            ("refund", t.reversals),
            ("withdrawal", t.withdrawals),
        ]:
            minor = uow.execute(
                select(func.coalesce(func.sum(table.c.amount_minor), 0))
                .join(t.receipts, t.receipts.c.receipt_no == table.c.receipt_no)
                .where(
                    t.receipts.c.kind == kind,
                    t.receipts.c.created_at >= start,
                    t.receipts.c.created_at < end,
                )
            ).scalar_one()
            sums[kind] = books.currency.from_minor(minor)
    return sums


def _pay(books, mrn, codes, tenders, actor=None):
    return pay(
        books.app.uow(),
        actor=actor or books.cashier,
        workstation="WS01",
        mrn=mrn,
        item_ids=books.bill(mrn, *codes),
        key=new_key(),
        tenders=tenders,
    )


def test_daily_totals_equal_the_receipts_and_every_breakdown_adds_up(books):
    books.patient("P1", balance="3000.00")
    first = _pay(
        books,
        "P1",
        [("CONS", 1), ("LAB", 1)],
        [TenderRequest("wallet", "1000.00"), TenderRequest("card", "500.00", "C-1")],
    )
    _pay(
        books,
        "P1",
        [("DRUG", 3)],
        [TenderRequest("cash", "300.00", cash_tendered="500.00")],
        actor=books.cashier2,
    )
    reverse_payment(
        books.app.uow(),
        actor=books.supervisor,
        workstation="WS01",
        receipt_no=first.receipt_no,
        reason="Wrong bill",
        key=new_key(),
    )

    report = _report(books, _day_of(books, first.at))

    sums = _receipt_sums(books, report)
    assert report.totals["payments"] == sums["payment"] == Decimal("1800.00")
    assert report.totals["deposits"] == sums["deposit"] == Decimal("3000.00")
    assert report.totals["refunds"] == sums["refund"] == Decimal("1500.00")
    assert report.totals["net_payments"] == Decimal("300.00")
    assert report.totals["wallet_liability"] == books.balance("P1") == Decimal("3000.00")
    for breakdown in (
        report.by_method,
        report.by_cashier,
        report.by_department,
        report.by_kind,
        report.by_hour,
    ):
        assert sum(line.amount for line in breakdown) == report.totals["payments"]
    assert {line.label: line.amount for line in report.by_cashier} == {
        "cashier": Decimal("1500.00"),
        "cashier2": Decimal("300.00"),
    }
    assert {line.label: line.amount for line in report.refunds_by_method} == {
        "card": Decimal("500.00"),
        "wallet": Decimal("1000.00"),
    }
    (ws01,) = report.receipt_ranges
    assert (ws01.first, ws01.last, ws01.count, ws01.missing) == (
        "WS01-000001",
        "WS01-000004",
        4,
        [],
    )


def test_a_cashier_may_not_see_reports(books):
    with pytest.raises(Refused) as refused:
        daily_report(books.app.uow(write=False), actor=books.cashier, day=datetime.now().date())
    assert refused.value.code == "permission_denied"


def test_the_z_report_freezes_the_day_and_later_money_lands_on_the_next(books):
    books.patient("P1", balance="2000.00")
    paid = _pay(books, "P1", [("CONS", 1)], [TenderRequest("wallet", "1000.00")])
    day = _day_of(books, paid.at)
    closed = close_day(books.app.uow(), actor=books.supervisor, workstation="WS01", day=day)
    frozen = _report(books, day).to_json()
    assert closed.closed and frozen["closed"] and frozen["totals"] == closed.to_json()["totals"]

    reversal = reverse_payment(
        books.app.uow(),
        actor=books.supervisor,
        workstation="WS01",
        receipt_no=paid.receipt_no,
        reason="After close",
        key=new_key(),
    )
    later = _pay(books, "P1", [("PROC", 1)], [TenderRequest("cash", "2500.00")])

    assert _report(books, day).to_json() == frozen
    assert _day_of(books, reversal.at) == _day_of(books, later.at) == day + timedelta(days=1)
    next_day = _report(books, day + timedelta(days=1))
    assert (next_day.totals["refunds"], next_day.totals["payments"]) == (
        Decimal("1000.00"),
        Decimal("2500.00"),
    )
    # The liability goes on from the Z close's frozen figure (1000.00) plus the refund.
    assert frozen["totals"]["wallet_liability"] == "1000.00"
    assert next_day.totals["wallet_liability"] == books.balance("P1") == Decimal("2000.00")
    with pytest.raises(Refused) as again:
        close_day(books.app.uow(), actor=books.supervisor, workstation="WS01", day=day)
    assert again.value.code == "day_already_closed"
    assert run_check(books.app.uow(write=False), actor=books.supervisor) == []


OPERATIONS = st.lists(
    st.tuples(
        st.sampled_from(["deposit", "wallet", "cash", "card", "reverse"]),
        st.integers(min_value=1, max_value=3),
    ),
    min_size=1,
    max_size=6,
)


@settings(
    max_examples=20, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(operations=OPERATIONS)
def test_report_totals_equal_the_sum_of_receipts_over_random_days(books, operations):
    mrn = books.patient(f"H{new_key()[-10:]}", balance="100.00")
    reversible = []
    for operation, quantity in operations:
        if operation == "deposit":
            deposit(
                books.app.uow(),
                actor=books.cashier,
                workstation="WS01",
                mrn=mrn,
                amount=f"{quantity * 250}.00",
                method="mobile_money",
                key=new_key(),
                reference=new_key(),
            )
        elif operation == "reverse":
            if reversible:
                reverse_payment(
                    books.app.uow(),
                    actor=books.supervisor,
                    workstation="WS02",
                    receipt_no=reversible.pop(),
                    reason="Test",
                    key=new_key(),
                )
        else:
            amount = f"{quantity * 100}.00"
            if operation == "wallet":
                books.top_up(mrn, amount)
            reference = "R" + new_key()[-10:] if operation == "card" else None
            reversible.append(
                _pay(
                    books, mrn, [("DRUG", quantity)], [TenderRequest(operation, amount, reference)]
                ).receipt_no
            )
            with books.app.uow() as uow:  # keep the pharmacy stocked for the next example
                stock_id = books.stock["AMOX"]
                uow.execute(
                    t.stock_movements.insert().values(
                        stock_item_id=stock_id,
                        delta=quantity,
                        reason="receipt",
                        created_at=datetime.now().astimezone(),
                    )
                )
                uow.execute(
                    t.stock_items.update()
                    .where(t.stock_items.c.id == stock_id)
                    .values(quantity_on_hand=t.stock_items.c.quantity_on_hand + quantity)
                )
                uow.commit()
    with books.app.uow(write=False) as uow:
        day = business_date_of(uow, datetime.now().astimezone(), facility_zone(uow))
    report = _report(books, day)
    sums = _receipt_sums(books, report)
    assert (report.totals["payments"], report.totals["deposits"], report.totals["refunds"]) == (
        sums["payment"],
        sums["deposit"],
        sums["refund"],
    )
    assert sum(line.amount for line in report.by_method) == report.totals["payments"]
    assert sum(line.amount for line in report.refunds_by_method) == report.totals["refunds"]
    assert all(not r.missing for r in report.receipt_ranges)


def test_a_day_that_has_not_started_cannot_be_closed(books):
    with books.app.uow(write=False) as uow:
        today = business_date_of(uow, datetime.now().astimezone(), facility_zone(uow))
    with pytest.raises(Refused) as refused:
        close_day(
            books.app.uow(),
            actor=books.supervisor,
            workstation="WS01",
            day=today + timedelta(days=2),
        )
    assert refused.value.code == "day_not_started"
