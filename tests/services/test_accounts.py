"""Receivable accounts: the statement, and settlements allocated to the oldest charges."""

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
from sqlalchemy import select

from pos_app.adapters import tables as t
from pos_app.domain.allocation import BUCKETS
from pos_app.domain.errors import BadInput, Refused
from pos_app.receipts.text import render_text
from pos_app.services.accounts import Debtor, settle, statement
from pos_app.services.check import run_check
from pos_app.services.receipts import get_receipt
from pos_app.services.reports import daily_report
from pos_app.services.shifts import Confirmation, close_shift, open_shift
from tests.helpers.books import new_key
from tests.helpers.clock import SteppingClock, clock_of
from tests.helpers.money import pay_items, tender
from tests.services.test_credit import give_credit
from tests.services.test_payers import member, pay_with, scheme
from tests.services.test_shifts import _require_shifts


def _settle(books, mrn, amount, *, key=None, method="cash", reference=None):
    return settle(
        books.app.uow(),
        actor=books.cashier,
        workstation="WS01",
        debtor=Debtor(patient=mrn),
        amount=amount,
        method=method,
        reference=reference,
        key=key or new_key(),
    )


def _owing(books, mrn="P1"):
    """A patient with two credit charges, a day apart: 300 then 1000."""
    mrn = books.patient(mrn)
    give_credit(books, mrn, "5000.00")
    clock = SteppingClock(datetime(2026, 1, 5, 9, tzinfo=UTC))
    with clock_of(books.app, clock):
        first = pay_items(books, mrn, books.bill(mrn, ("DRUG", 3)), tender("credit", "300.00"))
        clock.advance(timedelta(days=1))
        second = pay_items(books, mrn, books.bill(mrn, ("CONS", 1)), tender("credit", "1000.00"))
    return mrn, first.receipt_no, second.receipt_no


def _allocations(books):
    with books.app.uow(write=False) as uow:
        e = t.receivable_entries
        return sorted(
            uow.execute(
                select(e.c.receipt_no, t.settlement_allocations.c.amount_minor).join(
                    t.settlement_allocations, t.settlement_allocations.c.charge_entry_id == e.c.id
                )
            ).all()
        )


def test_a_settlement_has_its_receipt_lowers_the_balance_and_pays_the_oldest_first(books):
    mrn, first, second = _owing(books)
    done = _settle(books, mrn, "500.00")
    assert done.balance_after == Decimal("800.00")
    assert [(a.receipt_no, a.amount) for a in done.allocations] == [
        (first, Decimal("300.00")),
        (second, Decimal("200.00")),
    ]
    assert _allocations(books) == [(first, 30000), (second, 20000)]
    account = statement(books.app.uow(), actor=books.cashier, debtor=Debtor(patient=mrn))
    assert account.to_json()["account"] == f"patient:{mrn}"
    assert account.balance == Decimal("800.00")
    assert [(e.kind, e.amount, e.balance_after, e.receipt_no) for e in account.entries][-1] == (
        "settlement",
        Decimal("-500.00"),
        Decimal("800.00"),
        done.receipt_no,
    )
    with books.app.uow(write=False) as uow:
        assert (
            uow.execute(
                select(t.receipts.c.kind).where(t.receipts.c.receipt_no == done.receipt_no)
            ).scalar_one()
            == "settlement"
        )
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


@pytest.mark.parametrize(
    ("amount", "method", "reference", "error", "code"),
    [
        ("1300.01", "cash", None, Refused, "over_balance"),
        ("0", "cash", None, BadInput, "invalid_amount"),
        ("10", "card", None, BadInput, "missing_reference"),
        ("10", "wallet", None, BadInput, "invalid_method"),
    ],
)
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
    mrn, first, _ = _owing(books)
    _settle(books, mrn, "300.00")
    assert run_check(books.app.uow(), actor=books.supervisor, full=True) == []
    done = _settle(books, mrn, "100.00")
    with books.app.uow() as uow:  # a second allocation onto the already paid first charge
        e = t.receivable_entries
        charge = uow.execute(select(e.c.id).where(e.c.receipt_no == first)).scalar_one()
        paid = uow.execute(select(e.c.id).where(e.c.receipt_no == done.receipt_no)).scalar_one()
        uow.execute(
            t.settlement_allocations.insert().values(
                settlement_entry_id=paid, charge_entry_id=charge, amount_minor=5000
            )
        )
        uow.commit()
    rules = {f.rule for f in run_check(books.app.uow(), actor=books.supervisor, full=True)}
    assert "settlements_allocated_within" in rules


def test_ageing_buckets_open_charges_by_their_age(books):
    from pos_app.services.accounts import ageing

    mrn, _, _ = _owing(books)  # 300 on 5 January, 1000 on 6 January
    _settle(books, mrn, "100.00")  # pays 100 of the oldest
    for today, expected in [
        (datetime(2026, 2, 5, 12, tzinfo=UTC), {"days_0_30": "1000.00", "days_31_60": "200.00"}),
        (datetime(2026, 4, 6, 12, tzinfo=UTC), {"days_61_90": "1000.00", "over_90": "200.00"}),
    ]:
        with clock_of(books.app, SteppingClock(today)):
            (line,) = ageing(books.app.uow(), actor=books.supervisor)
        assert line.account == f"patient {mrn}"
        data = line.to_json()
        assert {k: data[k] for k in BUCKETS if data[k] != "0.00"} == expected
        assert line.total == Decimal("1200.00")


def _receipt(books, receipt_no, reason=None):
    return get_receipt(
        books.app.uow(),
        actor=books.cashier,
        workstation="WS01",
        receipt_no=receipt_no,
        reprint_reason=reason,
    )


def test_a_settlement_receipt_names_the_account_and_its_allocations_and_reprints(books):
    mrn, first, second = _owing(books)
    done = _settle(books, mrn, "500.00", method="bank_transfer", reference="TRX-7")
    shown = _receipt(books, done.receipt_no)
    assert (shown.kind, shown.account, shown.total, shown.account_balance_after) == (
        "settlement",
        f"Test Patient (patient {mrn})",
        Decimal("500.00"),
        Decimal("800.00"),
    )
    assert [(x.method, x.amount, x.reference) for x in shown.tenders] == [
        ("bank_transfer", Decimal("500.00"), "TRX-7")
    ]
    assert [(line.description, line.amount) for line in shown.lines] == [
        (f"Against {first}", Decimal("300.00")),
        (f"Against {second}", Decimal("200.00")),
    ]
    copy = _receipt(books, done.receipt_no, reason="lost it")
    text = "\n".join(render_text(copy))
    assert copy.copy_number == 1
    for expected in (
        "ACCOUNT SETTLEMENT",
        "COPY 1",
        f"patient {mrn}",
        "Bank transfer",
        "Ref TRX-7",
        f"Against {first}",
        "800.00",
    ):
        assert expected in text


def test_a_payers_settlement_receipt_names_the_payer(books):
    scheme(books, ("consultation", "100", None, "visit", None))
    mrn = books.patient("P1")
    member(books, mrn)
    paid = pay_with(books, mrn, books.bill(mrn, ("CONS", 1)))
    done = settle(
        books.app.uow(),
        actor=books.cashier,
        workstation="WS01",
        debtor=Debtor(payer="NHIF"),
        amount="400.00",
        method="cash",
        key=new_key(),
    )
    shown = _receipt(books, done.receipt_no)
    assert (shown.account, shown.mrn, shown.account_balance_after) == (
        "National Health Fund (payer NHIF)",
        "",
        Decimal("600.00"),
    )
    assert [(line.description, line.amount) for line in shown.lines] == [
        (f"Against {paid.receipt_no}", Decimal("400.00"))
    ]


def test_settlements_at_the_till_count_in_the_shift_and_cash_needs_one(books):
    mrn, _, _ = _owing(books)
    open_shift(books.app.uow(), actor=books.cashier, workstation="WS01", opening_float="100.00")
    _settle(books, mrn, "300.00")
    _settle(books, mrn, "200.00", method="card", reference="SLIP-2")
    _settle(books, mrn, "100.00", method="bank_transfer", reference="TRX-1")
    closed = close_shift(
        books.app.uow(),
        actor=books.cashier,
        workstation="WS01",
        counted_cash="400.00",
        confirmations={"card": Confirmation("200.00", 1)},
    )
    by_method = {line.method: line for line in closed.tenders}
    assert (closed.expected_cash, closed.variance) == (Decimal("400.00"), Decimal("0.00"))
    assert by_method["card"].expected == Decimal("200.00")
    assert run_check(books.app.uow(), actor=books.supervisor, full=True) == []
    day = daily_report(books.app.uow(write=False), actor=books.supervisor).to_json()
    assert (day["totals"]["settlements"], day["counts"]["settlements"]) == ("600.00", 3)
    assert {line["label"]: line["amount"] for line in day["settlements_by_method"]} == {
        "bank_transfer": "100.00",
        "card": "200.00",
        "cash": "300.00",
    }
    _require_shifts(books)
    before = books.snapshot()
    with pytest.raises(Refused) as refused:
        _settle(books, mrn, "50.00")
    assert refused.value.code == "no_open_shift"
    assert books.snapshot() == before
    assert _settle(books, mrn, "50.00", method="bank_transfer", reference="TRX-2").receipt_no


def test_check_finds_a_settlement_added_to_a_closed_shift(books):
    mrn, first, _ = _owing(books)
    open_shift(books.app.uow(), actor=books.cashier, workstation="WS01", opening_float="0")
    done = _settle(books, mrn, "100.00")
    close_shift(books.app.uow(), actor=books.cashier, workstation="WS01", counted_cash="100.00")
    with books.app.uow() as uow:  # money slipped into the shift after its close
        row = (
            uow.execute(select(t.settlements).where(t.settlements.c.receipt_no == done.receipt_no))
            .one()
            ._asdict()
        )
        del row["id"]
        uow.execute(
            t.settlements.insert().values(
                {**row, "receipt_no": first, "created_at": datetime.now(UTC) + timedelta(days=1)}
            )
        )
        uow.commit()
    rules = {f.rule for f in run_check(books.app.uow(), actor=books.supervisor, full=True)}
    assert "closed_shifts_unchanged" in rules
