"""Receivable accounts: the statement, and settlements allocated to the oldest charges."""

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
from sqlalchemy import select

from pos_app.adapters import tables as t
from pos_app.domain.allocation import BUCKETS
from pos_app.domain.errors import BadInput, Refused
from pos_app.services.accounts import Debtor, settle, statement
from tests.helpers.books import new_key
from tests.helpers.clock import SteppingClock, clock_of
from tests.helpers.money import pay_items, tender
from tests.services.test_credit import give_credit


def _settle(books, mrn, amount, *, key=None, method="cash", reference=None):
    return settle(books.app.uow(), actor=books.cashier, workstation="WS01",
                  debtor=Debtor(patient=mrn), amount=amount, method=method,
                  reference=reference, key=key or new_key())


def _owing(books, mrn="P1"):
    """A patient with two credit charges, a day apart: 300 then 1000."""
    mrn = books.patient(mrn)
    give_credit(books, mrn, "5000.00")
    clock = SteppingClock(datetime(2026, 1, 5, 9, tzinfo=UTC))
    with clock_of(books.app, clock):
        first = pay_items(books, mrn, books.bill(mrn, ("DRUG", 3)), tender("credit", "300.00"))
        clock.advance(timedelta(days=1))
        second = pay_items(books, mrn, books.bill(mrn, ("CONS", 1)),
                           tender("credit", "1000.00"))
    return mrn, first.receipt_no, second.receipt_no


def _allocations(books):
    with books.app.uow(write=False) as uow:
        e = t.receivable_entries
        return sorted(uow.execute(
            select(e.c.receipt_no, t.settlement_allocations.c.amount_minor)
            .join(t.settlement_allocations,
                  t.settlement_allocations.c.charge_entry_id == e.c.id)).all())


def test_a_settlement_has_its_receipt_lowers_the_balance_and_pays_the_oldest_first(books):
    mrn, first, second = _owing(books)
    done = _settle(books, mrn, "500.00")
    assert done.balance_after == Decimal("800.00")
    assert [(a.receipt_no, a.amount) for a in done.allocations] == [
        (first, Decimal("300.00")), (second, Decimal("200.00"))]
    assert _allocations(books) == [(first, 30000), (second, 20000)]
    account = statement(books.app.uow(), actor=books.cashier, debtor=Debtor(patient=mrn))
    assert account.to_json()["account"] == f"patient:{mrn}"
    assert account.balance == Decimal("800.00")
    assert [(e.kind, e.amount, e.balance_after, e.receipt_no) for e in account.entries][-1] == (
        "settlement", Decimal("-500.00"), Decimal("800.00"), done.receipt_no)
    with books.app.uow(write=False) as uow:
        assert uow.execute(select(t.receipts.c.kind).where(
            t.receipts.c.receipt_no == done.receipt_no)).scalar_one() == "settlement"
    again = _settle(books, mrn, "200.00", method="bank_transfer", reference="TRX-9")
    assert [(a.receipt_no, a.amount) for a in again.allocations] == [(second, Decimal("200.00"))]


def test_a_replayed_settlement_settles_once(books):
    mrn, _, _ = _owing(books)
    key = new_key()
    done = _settle(books, mrn, "100.00", key=key)
    replayed = _settle(books, mrn, "100.00", key=key)
    assert replayed.replayed and replayed.receipt_no == done.receipt_no
    account = statement(books.app.uow(), actor=books.cashier, debtor=Debtor(patient=mrn))
    assert account.balance == Decimal("1200.00")
    assert [e.kind for e in account.entries].count("settlement") == 1


@pytest.mark.parametrize(("amount", "method", "reference", "error", "code"), [
    ("1300.01", "cash", None, Refused, "over_balance"),
    ("0", "cash", None, BadInput, "invalid_amount"),
    ("10", "card", None, BadInput, "missing_reference"),
    ("10", "wallet", None, BadInput, "invalid_method"),
])
def test_bad_settlements_write_nothing(books, amount, method, reference, error, code):
    mrn, _, _ = _owing(books)
    before = books.snapshot()
    with pytest.raises(error) as caught:
        _settle(books, mrn, amount, method=method, reference=reference)
    assert caught.value.code == code
    assert books.snapshot() == before


def test_an_account_is_named_by_exactly_one_debtor():
    with pytest.raises(BadInput) as caught:
        Debtor(payer="NHIF", patient="P1")
    assert caught.value.code == "invalid_account"


def test_check_finds_a_settlement_allocated_beyond_its_charge(books):
    from pos_app.services.check import run_check

    mrn, first, _ = _owing(books)
    _settle(books, mrn, "300.00")
    assert run_check(books.app.uow(), actor=books.supervisor, full=True) == []
    done = _settle(books, mrn, "100.00")
    with books.app.uow() as uow:  # a second allocation onto the already paid first charge
        e = t.receivable_entries
        charge = uow.execute(select(e.c.id).where(e.c.receipt_no == first)).scalar_one()
        paid = uow.execute(select(e.c.id).where(e.c.receipt_no == done.receipt_no)
                           ).scalar_one()
        uow.execute(t.settlement_allocations.insert().values(
            settlement_entry_id=paid, charge_entry_id=charge, amount_minor=5000))
        uow.commit()
    rules = {f.rule for f in run_check(books.app.uow(), actor=books.supervisor, full=True)}
    assert "settlements_allocated_within" in rules


def test_ageing_buckets_open_charges_by_their_age(books):
    from pos_app.services.accounts import ageing

    mrn, _, _ = _owing(books)  # 300 on 5 January, 1000 on 6 January
    _settle(books, mrn, "100.00")  # pays 100 of the oldest
    for today, expected in [
        (datetime(2026, 2, 5, 12, tzinfo=UTC), {"days_0_30": "1000.00",
                                                "days_31_60": "200.00"}),
        (datetime(2026, 4, 6, 12, tzinfo=UTC), {"days_61_90": "1000.00",
                                                "over_90": "200.00"}),
    ]:
        with clock_of(books.app, SteppingClock(today)):
            (line,) = ageing(books.app.uow(), actor=books.supervisor)
        assert line.account == f"patient {mrn}"
        data = line.to_json()
        assert {k: data[k] for k in BUCKETS if data[k] != "0.00"} == expected
        assert line.total == Decimal("1200.00")
