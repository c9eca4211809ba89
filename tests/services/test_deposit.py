"""Wallet top-ups: their own receipt and ledger entry; bad input writes nothing."""

from decimal import Decimal

import pytest

from pos_app.domain.errors import BadInput, NotFound, Refused
from pos_app.services.statement import wallet_statement
from tests.helpers.money import pay_items, tender, top_up


def test_a_deposit_credits_the_wallet_with_its_own_receipt_and_entry(books):
    mrn = books.patient("P1")
    result = top_up(books, mrn, "2500.00", "mobile_money", "MPESA-1")
    assert result.receipt_no == "WS01-000001"
    assert result.wallet_balance_after == books.balance(mrn) == Decimal("2500.00")
    statement = wallet_statement(books.app.uow(), actor=books.cashier, mrn=mrn)
    assert [(e.kind, e.amount, e.balance_after, e.receipt_no) for e in statement.entries] == [
        ("deposit", Decimal("2500.00"), Decimal("2500.00"), "WS01-000001")
    ]


def test_the_statement_lists_newest_first_and_matches_the_balance(books):
    mrn = books.patient("P1", balance="1000.00")
    pay_items(books, mrn, books.bill(mrn, ("DRUG", 3)), tender("wallet", "300.00"))
    statement = wallet_statement(books.app.uow(), actor=books.cashier, mrn=mrn)
    assert [e.kind for e in statement.entries] == ["payment", "deposit"]
    assert statement.balance == statement.entries[0].balance_after == Decimal("700.00")


@pytest.mark.parametrize(
    ("amount", "method", "reference", "error", "code"),
    [
        ("-5", "cash", None, BadInput, "invalid_amount"),
        ("0", "cash", None, BadInput, "invalid_amount"),
        ("NaN", "cash", None, BadInput, "invalid_amount"),
        ("10.001", "cash", None, BadInput, "invalid_amount"),
        ("1e30", "cash", None, BadInput, "invalid_amount"),
        ("100", "wallet", None, BadInput, "invalid_method"),
        ("100", "insurance", "X", BadInput, "invalid_method"),
        ("100", "card", None, BadInput, "missing_reference"),
    ],
)
def test_bad_deposits_are_refused_and_write_nothing(books, amount, method, reference, error, code):
    mrn = books.patient("P1")
    before = books.snapshot()
    with pytest.raises(error) as caught:
        top_up(books, mrn, amount, method, reference)
    assert caught.value.code == code
    assert books.snapshot() == before


def test_a_deposit_for_an_unknown_patient_is_refused(books):
    with pytest.raises(NotFound) as caught:
        top_up(books, "NOPE", "100.00")
    assert caught.value.code == "unknown_patient"


def test_a_mobile_money_reference_tops_up_once(books):
    mrn = books.patient("P1")
    top_up(books, mrn, "100.00", "mobile_money", "MM-77")
    with pytest.raises(Refused) as caught:
        top_up(books, mrn, "100.00", "mobile_money", "MM-77")
    assert caught.value.code == "duplicate_reference"
    assert books.balance(mrn) == Decimal("100.00")
