"""Money is exact in the database too: integer minor units on SQLite and PostgreSQL alike."""

from decimal import Decimal

import pytest
from sqlalchemy import text
from sqlalchemy.exc import IntegrityError

from tests.helpers.money import top_up


def test_ten_and_twenty_cents_add_up_to_exactly_thirty_in_the_database(books):
    mrn = books.patient("P1")
    top_up(books, mrn, "0.10")
    top_up(books, mrn, "0.20")
    assert books.balance(mrn) == Decimal("0.30")
    with books.app.engine.connect() as conn:
        total = conn.execute(text("SELECT SUM(amount_minor) FROM wallet_entries")).scalar_one()
    assert total == 30


def test_ninety_nine_billion_survives_the_round_trip_to_the_last_cent(books):
    mrn = books.patient("P1")
    top_up(books, mrn, "99999999999.99")
    top_up(books, mrn, "0.01")
    assert books.balance(mrn) == Decimal("100000000000.00")


def test_the_database_refuses_a_negative_wallet_balance_whatever_the_code(books):
    books.patient("P1")
    with pytest.raises(IntegrityError), books.app.engine.begin() as conn:
        conn.execute(text("UPDATE wallets SET balance_minor = -1"))
    with pytest.raises(IntegrityError), books.app.engine.begin() as conn:
        conn.execute(text("UPDATE stock_items SET quantity_on_hand = -1"))
