"""Wallet withdrawal: supervisor-approved cash back, in the ledger, out of the till."""

from __future__ import annotations

from decimal import Decimal

import pytest

from pos_app.domain.errors import Refused
from pos_app.services.check import run_check
from pos_app.services.shifts import close_shift, open_shift
from pos_app.services.withdrawal import withdraw
from tests.helpers.books import new_key


def _withdraw(books, amount, *, actor=None, key=None):
    return withdraw(
        books.app.uow(),
        actor=actor or books.supervisor,
        workstation="WS01",
        mrn="P1",
        amount=amount,
        reason="Patient discharged",
        key=key or new_key(),
        cashier=books.cashier,
    )


def test_a_withdrawal_debits_the_wallet_and_lowers_the_cashiers_expected_cash(books):
    books.patient("P1", balance="800.00")
    open_shift(books.app.uow(), actor=books.cashier, workstation="WS01", opening_float="1000.00")
    result = _withdraw(books, "300.00")
    assert (result.wallet_balance_after, result.approved_by) == (Decimal("500.00"), "supervisor")
    assert books.balance("P1") == Decimal("500.00")
    closed = close_shift(
        books.app.uow(), actor=books.cashier, workstation="WS01", counted_cash="700.00"
    )
    assert closed.expected_cash == Decimal("700.00")
    assert run_check(books.app.uow(write=False), actor=books.supervisor) == []


def test_a_withdrawal_above_the_balance_or_by_a_cashier_is_refused(books):
    books.patient("P1", balance="100.00")
    before = books.snapshot()
    with pytest.raises(Refused) as above:
        _withdraw(books, "100.01")
    with pytest.raises(Refused) as cashier:
        _withdraw(books, "10.00", actor=books.cashier2)
    assert (above.value.code, cashier.value.code) == (
        "insufficient_wallet_balance",
        "permission_denied",
    )
    assert books.snapshot() == before


def test_the_same_withdrawal_key_pays_out_once(books):
    books.patient("P1", balance="100.00")
    key = new_key()
    _withdraw(books, "40.00", key=key)
    assert _withdraw(books, "40.00", key=key).replayed
    assert books.balance("P1") == Decimal("60.00")
