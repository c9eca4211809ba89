"""Cash shifts: one open per cashier and workstation, blind close per tender, immutable after."""

from __future__ import annotations

from decimal import Decimal

import pytest
from sqlalchemy import select, update

from pos_app.adapters import tables as t
from pos_app.domain.errors import CareTillError, Refused
from pos_app.domain.facility import Facility
from pos_app.services.check import run_check
from pos_app.services.deposit import deposit
from pos_app.services.facility import write_facility
from pos_app.services.pay import pay
from pos_app.services.reversal import reverse_payment
from pos_app.services.shifts import (
    Confirmation,
    close_shift,
    current_shift,
    open_shift,
    set_tolerance,
    x_report,
)
from pos_app.services.tenders import TenderRequest
from tests.helpers.books import new_key


def _pay(books, mrn, items, *tenders):
    return pay(
        books.app.uow(),
        actor=books.cashier,
        workstation="WS01",
        mrn=mrn,
        item_ids=items,
        key=new_key(),
        tenders=list(tenders),
    )


def _close(books, counted, **options):
    return close_shift(
        books.app.uow(), actor=books.cashier, workstation="WS01", counted_cash=counted, **options
    )


def _require_shifts(books):
    with books.app.uow() as uow:
        write_facility(uow, Facility("Test Hospital", books.currency, require_shift=True))
        uow.commit()


def test_expected_cash_is_float_plus_cash_in_minus_change_and_payouts(books):
    books.patient("P1")
    open_shift(books.app.uow(), actor=books.cashier, workstation="WS01", opening_float="1000.00")
    deposit(
        books.app.uow(),
        actor=books.cashier,
        workstation="WS01",
        mrn="P1",
        amount="500.00",
        method="cash",
        key=new_key(),
    )
    first = _pay(
        books,
        "P1",
        books.bill("P1", ("CONS", 1)),
        TenderRequest("cash", "1000.00", cash_tendered="2000.00"),
    )
    _pay(
        books,
        "P1",
        books.bill("P1", ("PROC", 1)),
        TenderRequest("card", "2500.00", reference="SLIP-1"),
    )
    reverse_payment(
        books.app.uow(),
        actor=books.supervisor,
        workstation="WS01",
        receipt_no=first.receipt_no,
        reason="Duplicate",
        key=new_key(),
        requested_by=books.cashier,
    )

    closed = _close(
        books,
        "1490.00",
        confirmations={"card": Confirmation("2500.00", 1)},
        reason_code="counting_error",
        approver=books.supervisor,
    )

    # 1000 float + 500 deposit + 1000 cash payment (change 1000 not counted) - 1000 refund
    assert closed.expected_cash == Decimal("1500.00")
    assert (closed.counted_cash, closed.variance) == (Decimal("1490.00"), Decimal("-10.00"))
    by_method = {line.method: line for line in closed.tenders}
    assert (by_method["card"].expected, by_method["card"].variance) == (
        Decimal("2500.00"),
        Decimal("0.00"),
    )
    assert by_method["mobile_money"].counted is None
    assert run_check(books.app.uow(write=False), actor=books.supervisor) == []


def test_variance_beyond_tolerance_needs_a_reason_and_another_supervisor(books):
    open_shift(books.app.uow(), actor=books.cashier, workstation="WS01", opening_float="100.00")
    set_tolerance(books.app.uow(), actor=books.supervisor, workstation="WS01", amount="5.00")
    with pytest.raises(Refused) as refused:
        _close(books, "90.00")
    assert refused.value.code == "variance_needs_signoff"
    closed = _close(books, "90.00", reason_code="counting_error", approver=books.supervisor)
    assert (closed.variance, closed.approved_by) == (Decimal("-10.00"), "supervisor")


def test_variance_within_tolerance_closes_without_sign_off(books):
    open_shift(books.app.uow(), actor=books.cashier, workstation="WS01", opening_float="100.00")
    set_tolerance(books.app.uow(), actor=books.supervisor, workstation="WS01", amount="5.00")
    assert _close(books, "104.00").variance == Decimal("4.00")


def test_cash_counted_by_denomination_must_agree_with_the_total(books):
    open_shift(books.app.uow(), actor=books.cashier, workstation="WS01", opening_float="1500.00")
    closed = _close(books, None, denominations={"1000": 1, "200": 2, "50": 2})
    assert closed.counted_cash == Decimal("1500.00")
    open_shift(books.app.uow(), actor=books.cashier, workstation="WS01", opening_float="10.00")
    with pytest.raises(CareTillError) as mismatch:
        _close(books, "20.00", denominations={"10": 1})
    assert mismatch.value.code == "count_mismatch"


def test_one_open_shift_per_cashier_and_workstation(books):
    open_shift(books.app.uow(), actor=books.cashier, workstation="WS01", opening_float="0")
    with pytest.raises(Refused) as refused:
        open_shift(books.app.uow(), actor=books.cashier, workstation="WS01", opening_float="0")
    assert refused.value.code == "shift_already_open"
    open_shift(books.app.uow(), actor=books.cashier, workstation="WS02", opening_float="0")
    open_shift(books.app.uow(), actor=books.cashier2, workstation="WS01", opening_float="0")


def test_cash_without_an_open_shift_is_refused_when_the_facility_requires_shifts(books):
    books.patient("P1")
    _require_shifts(books)
    items = books.bill("P1", ("CONS", 1))
    before = books.snapshot()
    with pytest.raises(Refused) as refused:
        _pay(books, "P1", items, TenderRequest("cash", "1000.00"))
    assert refused.value.code == "no_open_shift"
    with pytest.raises(Refused):
        deposit(
            books.app.uow(),
            actor=books.cashier,
            workstation="WS01",
            mrn="P1",
            amount="50.00",
            method="cash",
            key=new_key(),
        )
    assert books.snapshot() == before
    _pay(books, "P1", items, TenderRequest("card", "1000.00", reference="C1"))


def test_a_closed_shift_is_immutable_and_takes_no_more_money(books):
    books.patient("P1")
    shift = open_shift(books.app.uow(), actor=books.cashier, workstation="WS01", opening_float="0")
    _close(books, "0")
    with pytest.raises(Exception), books.app.uow() as uow:  # noqa: B017 - the database refuses
        uow.execute(
            update(t.shifts).where(t.shifts.c.id == shift.shift_id).values(counted_cash_minor=1)
        )
        uow.commit()
    paid = _pay(books, "P1", books.bill("P1", ("CONS", 1)), TenderRequest("cash", "1000.00"))
    with books.app.uow(write=False) as uow:
        linked = uow.execute(
            select(t.payments.c.shift_id).where(t.payments.c.receipt_no == paid.receipt_no)
        ).scalar_one()
    assert linked is None
    assert run_check(books.app.uow(write=False), actor=books.supervisor) == []


def test_x_report_shows_figures_so_far_and_leaves_the_shift_open(books):
    books.patient("P1")
    open_shift(books.app.uow(), actor=books.cashier, workstation="WS01", opening_float="1000.00")
    _pay(
        books,
        "P1",
        books.bill("P1", ("CONS", 1)),
        TenderRequest("cash", "1000.00", cash_tendered="1500.00"),
    )
    _pay(
        books,
        "P1",
        books.bill("P1", ("PROC", 1)),
        TenderRequest("card", "2500.00", reference="SLIP-9"),
    )

    [report] = x_report(books.app.uow(write=False), actor=books.supervisor, cashier="cashier")

    by_method = {line.method: line for line in report.tenders}
    assert report.status == "open" and report.expected_cash == Decimal("2000.00")
    assert (by_method["cash"].expected, by_method["cash"].expected_count) == (Decimal("2000.00"), 1)
    assert (by_method["card"].expected, by_method["card"].expected_count) == (Decimal("2500.00"), 1)
    assert by_method["card"].counted is None
    assert current_shift(books.app.uow(), actor=books.cashier, workstation="WS01") is not None
    # The shift still closes normally afterwards, with the same expectation.
    assert _close(books, "2000.00").variance == Decimal("0.00")


def test_x_report_is_for_supervisors_and_names_a_cashier_without_a_shift(books):
    with pytest.raises(Refused) as refused:
        x_report(books.app.uow(write=False), actor=books.cashier)
    assert refused.value.code == "permission_denied"
    with pytest.raises(Refused) as refused:
        x_report(books.app.uow(write=False), actor=books.supervisor, cashier="cashier2")
    assert refused.value.code == "no_open_shift"


def test_close_by_denominations_keeps_the_counts_for_the_slip(books):
    open_shift(books.app.uow(), actor=books.cashier, workstation="WS01", opening_float="1550.00")
    closed = _close(books, None, denominations={"1000": 1, "500": 1, "50": 1})
    assert closed.counted_cash == Decimal("1550.00")
    assert closed.cash_counts == (
        (Decimal("50.00"), 1),
        (Decimal("500.00"), 1),
        (Decimal("1000.00"), 1),
    )
    assert closed.to_json()["cash_counts"][0] == {"value": "50.00", "count": 1}
