"""The demo: a realistic small hospital on an empty database, never on one in use."""

from decimal import Decimal

import pytest
from sqlalchemy import func, select

from pos_app.adapters import tables as t
from pos_app.domain.actors import Actor, Role
from pos_app.domain.errors import Refused
from pos_app.services import shifts
from pos_app.services.check import run_check
from pos_app.services.demo import load_demo
from pos_app.services.deposit import deposit
from pos_app.services.facility import get_facility


def test_the_demo_fills_an_empty_database_with_consistent_books(app):
    summary = load_demo(
        app.uow,
        workstation="WS01",
        patients=30,
        seed=5,
        facility_name="St. Mary's Mission Hospital",
    )
    assert summary.patients == 30 and summary.bills > 0 and summary.deposits > 0
    assert get_facility(app.uow()).name == "St. Mary's Mission Hospital"
    with app.uow(write=False) as uow:
        kinds = set(uow.execute(select(t.services.c.kind)).scalars())
        must_change = set(uow.execute(select(t.users.c.must_change_password)).scalars())
        supervisor_id = uow.execute(
            select(t.users.c.id).where(t.users.c.username == "supervisor")
        ).scalar_one()
        funded = uow.execute(
            select(func.count()).select_from(t.wallets).where(t.wallets.c.balance_minor > 0)
        ).scalar_one()
        biggest_bill = uow.execute(
            select(func.count())
            .select_from(t.bill_items)
            .group_by(t.bill_items.c.bill_id)
            .order_by(func.count().desc())
            .limit(1)
        ).scalar_one()
    assert kinds == {"consultation", "lab_test", "pharmacy", "procedure", "other"}
    assert must_change == {True}
    assert 0 < funded < 30 and biggest_bill > 1
    supervisor = Actor(supervisor_id, "supervisor", Role.SUPERVISOR)
    assert run_check(app.uow(), actor=supervisor) == []


def test_the_demo_refuses_a_database_that_has_data(app):
    load_demo(app.uow, workstation="WS01", patients=2)
    with pytest.raises(Refused) as refused:
        load_demo(app.uow, workstation="WS01", patients=2)
    assert refused.value.code == "database_not_empty"


def test_demo_prices_are_exact(app):
    load_demo(app.uow, workstation="WS01", patients=1)
    with app.uow(write=False) as uow:
        price = uow.execute(
            select(t.services.c.unit_price_minor).where(t.services.c.code == "LAB-MAL")
        ).scalar_one()
    assert Decimal(price) / 100 == Decimal("450.00")


def test_the_demo_takes_cash_only_inside_a_shift_and_counts_it_there(app):
    load_demo(app.uow, workstation="WS01", patients=2, seed=2)
    with app.uow(write=False) as uow:
        cashier_id = uow.execute(
            select(t.users.c.id).where(t.users.c.username == "cashier")
        ).scalar_one()
        earlier = uow.execute(select(t.shifts.c.status, t.shifts.c.variance_minor)).all()
    assert [(row.status, row.variance_minor) for row in earlier] == [("closed", 0)], (
        "the demo's own top-ups are a closed shift with nothing missing"
    )
    cashier = Actor(cashier_id, "cashier", Role.CASHIER)
    take = dict(actor=cashier, workstation="WS01", mrn="MRN000001", method="cash")
    with pytest.raises(Refused) as refused:
        deposit(app.uow(), amount="700", key="no-shift", **take)
    assert refused.value.code == "no_open_shift"
    shifts.open_shift(app.uow(), actor=cashier, workstation="WS01", opening_float="100")
    deposit(app.uow(), amount="700", key="in-shift", **take)
    closed = shifts.close_shift(app.uow(), actor=cashier, workstation="WS01", counted_cash="800")
    assert closed.expected_cash == Decimal("800.00") and closed.variance == 0
