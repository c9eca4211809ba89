"""Patient credit: a limit a supervisor approves, and the credit tender within it."""

from decimal import Decimal

import pytest

from pos_app.domain.errors import Refused
from pos_app.services import approvals, credit
from pos_app.services.accounts import Debtor, statement
from pos_app.services.reversal import reverse_payment
from tests.helpers.books import new_key
from tests.helpers.money import pay_items, tender


def give_credit(books, mrn: str, amount: str) -> None:
    asked = credit.request_limit(
        books.app.uow(),
        actor=books.cashier,
        workstation="WS01",
        mrn=mrn,
        amount=amount,
        reason="known patient",
        key=new_key(),
    )
    approvals.approve(
        books.app.uow(),
        actor=books.supervisor,
        workstation="WS01",
        request_id=asked.id,
        key=new_key(),
    )


def _statement(books, mrn):
    return statement(books.app.uow(), actor=books.cashier, debtor=Debtor(patient=mrn))


def test_a_credit_limit_waits_for_a_supervisor_then_applies(books):
    mrn = books.patient("P1")
    asked = credit.request_limit(
        books.app.uow(),
        actor=books.cashier,
        workstation="WS01",
        mrn=mrn,
        amount="2000.00",
        reason="known patient",
        key=new_key(),
    )
    assert asked.status == "pending" and asked.kind == "credit_limit"
    assert _statement(books, mrn).credit_limit == Decimal("0.00")
    decided = approvals.approve(
        books.app.uow(),
        actor=books.supervisor,
        workstation="WS01",
        request_id=asked.id,
        key=new_key(),
    )
    assert decided.status == "approved"
    assert decided.result["credit_limit"] == "2000.00"
    assert _statement(books, mrn).credit_limit == Decimal("2000.00")


def test_credit_within_the_limit_goes_on_the_patients_account(books):
    mrn = books.patient("P1")
    give_credit(books, mrn, "1200.00")
    paid = pay_items(
        books,
        mrn,
        books.bill(mrn, ("CONS", 1), ("DRUG", 2)),
        tender("credit", "1000.00"),
        tender("cash", "200.00"),
    )
    account = _statement(books, mrn)
    assert account.balance == Decimal("1000.00")
    assert [(e.kind, e.amount, e.balance_after, e.receipt_no) for e in account.entries] == [
        ("credit", Decimal("1000.00"), Decimal("1000.00"), paid.receipt_no)
    ]


def test_credit_beyond_the_limit_is_refused_and_writes_nothing(books):
    mrn = books.patient("P1")
    give_credit(books, mrn, "1000.00")
    pay_items(books, mrn, books.bill(mrn, ("DRUG", 3)), tender("credit", "300.00"))
    items = books.bill(mrn, ("CONS", 1))
    before = books.snapshot()
    with pytest.raises(Refused) as refused:
        pay_items(books, mrn, items, tender("credit", "1000.00"))
    assert refused.value.code == "credit_limit_exceeded"
    assert books.snapshot() == before


def test_no_credit_without_a_limit(books):
    mrn = books.patient("P1")
    items = books.bill(mrn, ("DRUG", 1))
    before = books.snapshot()
    with pytest.raises(Refused) as refused:
        pay_items(books, mrn, items, tender("credit", "100.00"))
    assert refused.value.code == "credit_limit_exceeded"
    assert books.snapshot() == before


def test_reversing_a_credit_payment_restores_the_receivable(books):
    mrn = books.patient("P1")
    give_credit(books, mrn, "5000.00")
    paid = pay_items(
        books,
        mrn,
        books.bill(mrn, ("CONS", 1)),
        tender("credit", "600.00"),
        tender("cash", "400.00"),
    )
    reversed_ = reverse_payment(
        books.app.uow(),
        actor=books.supervisor,
        workstation="WS01",
        receipt_no=paid.receipt_no,
        reason="wrong patient",
        key=new_key(),
    )
    account = _statement(books, mrn)
    assert account.balance == Decimal("0.00")
    assert [(e.kind, e.amount, e.receipt_no) for e in account.entries] == [
        ("credit", Decimal("600.00"), paid.receipt_no),
        ("reversal", Decimal("-600.00"), reversed_.receipt_no),
    ]
