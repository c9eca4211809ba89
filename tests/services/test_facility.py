"""A new facility takes cash only inside a cashier's shift unless the administrator opts out."""

from decimal import Decimal

import pytest

from pos_app.cli.parser import build_parser
from pos_app.domain.errors import Refused
from pos_app.services import shifts
from pos_app.services.facility import get_facility, set_facility
from tests.helpers.money import pay_items, tender, top_up

FACILITY = ["facility", "set", "--name", "St. Luke's", "--currency", "KES", "--minor-units", "2"]


def test_the_command_line_requires_shifts_unless_told_not_to():
    assert build_parser().parse_args(FACILITY).require_shift is True
    assert build_parser().parse_args([*FACILITY, "--no-require-shift"]).require_shift is False


def test_a_new_facility_refuses_cash_without_a_shift_and_counts_it_in_the_shift(books):
    set_facility(
        books.app.uow(),
        actor=books.admin,
        workstation="WS01",
        name="St. Luke's",
        currency_code="KES",
        minor_units=2,
    )
    assert get_facility(books.app.uow()).require_shift is True
    mrn = books.patient("P1")
    items = books.bill(mrn, ("CONS", 1))
    for take_cash in (
        lambda: top_up(books, mrn, "500.00"),
        lambda: pay_items(books, mrn, items, tender("cash", "1000.00")),
    ):
        with pytest.raises(Refused) as refused:
            take_cash()
        assert refused.value.code == "no_open_shift"

    shifts.open_shift(
        books.app.uow(), actor=books.cashier, workstation="WS01", opening_float="100.00"
    )
    top_up(books, mrn, "500.00")
    pay_items(books, mrn, items, tender("cash", "1000.00", "1200.00"))
    closed = shifts.close_shift(
        books.app.uow(), actor=books.cashier, workstation="WS01", counted_cash="1600.00"
    )
    assert closed.expected_cash == Decimal("1600.00") and closed.variance == 0


def test_an_administrator_may_opt_out(books):
    set_facility(
        books.app.uow(),
        actor=books.admin,
        workstation="WS01",
        name="Clinic",
        currency_code="KES",
        minor_units=2,
        require_shift=False,
    )
    top_up(books, books.patient("P1"), "500.00")
    assert books.balance("P1") == Decimal("500.00")
