"""SPEC rule 5: the same key pays once; the same key for something else is refused."""

from concurrent.futures import ThreadPoolExecutor
from decimal import Decimal
from threading import Barrier

import pytest

from pos_app.domain.errors import BadInput, Conflict
from tests.helpers.books import new_key
from tests.helpers.money import pay_items, tender, top_up


def test_the_same_key_again_returns_the_first_payment_and_moves_no_money(books):
    mrn = books.patient("P1", balance="5000.00")
    items = books.bill(mrn, ("CONS", 1))
    key = new_key()
    first = pay_items(books, mrn, items, tender("wallet", "1000.00"), key=key)
    after_first = books.snapshot()
    again = pay_items(books, mrn, items, tender("wallet", "1000.00"), key=key)
    assert again.replayed and not first.replayed
    assert again.receipt_no == first.receipt_no
    assert again.wallet_balance_after == first.wallet_balance_after == Decimal("4000.00")
    assert books.snapshot() == after_first


def test_the_same_key_with_other_content_is_an_idempotency_conflict(books):
    mrn = books.patient("P1", balance="5000.00")
    items = books.bill(mrn, ("CONS", 1), ("PROC", 1))
    key = new_key()
    pay_items(books, mrn, items[:1], tender("wallet", "1000.00"), key=key)
    before = books.snapshot()
    with pytest.raises(Conflict) as conflict:
        pay_items(books, mrn, items[1:], tender("wallet", "2500.00"), key=key)
    assert conflict.value.code == "idempotency_conflict"
    assert books.snapshot() == before


def test_a_refused_payment_does_not_burn_its_key(books):
    mrn = books.patient("P1", balance="100.00")
    items = books.bill(mrn, ("CONS", 1))
    key = new_key()
    with pytest.raises(Exception):  # noqa: B017 - any refusal
        pay_items(books, mrn, items, tender("wallet", "1000.00"), key=key)
    books.top_up(mrn, "900.00")
    assert not pay_items(books, mrn, items, tender("wallet", "1000.00"), key=key).replayed


def test_deposit_keys_are_exactly_once_too(books):
    mrn = books.patient("P1")
    key = new_key()
    first = top_up(books, mrn, "750.00", key=key)
    again = top_up(books, mrn, "750.00", key=key)
    assert again.replayed and again.receipt_no == first.receipt_no
    assert books.balance(mrn) == Decimal("750.00")
    with pytest.raises(Conflict):
        top_up(books, mrn, "751.00", key=key)


@pytest.mark.parametrize("key", ["short", "has space in it", "x" * 81, "semi;colon-key"])
def test_malformed_keys_are_refused(books, key):
    mrn = books.patient("P1", balance="5000.00")
    items = books.bill(mrn, ("CONS", 1))
    with pytest.raises(BadInput) as bad:
        pay_items(books, mrn, items, tender("wallet", "1000.00"), key=key)
    assert bad.value.code == "invalid_idempotency_key"


def test_the_same_key_from_two_connections_at_once_pays_once(pg_books):
    books = pg_books
    mrn = books.patient("P1", balance="5000.00")
    items = books.bill(mrn, ("CONS", 1))
    key = new_key()
    barrier = Barrier(4)

    def attempt(_):
        barrier.wait()
        return pay_items(books, mrn, items, tender("wallet", "1000.00"), key=key)

    with ThreadPoolExecutor(4) as pool:
        results = list(pool.map(attempt, range(4)))
    assert len({r.receipt_no for r in results}) == 1
    assert sum(not r.replayed for r in results) == 1
    assert books.balance(mrn) == Decimal("4000.00")
    assert books.count("payments") == 1
