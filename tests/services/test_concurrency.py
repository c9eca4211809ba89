"""SPEC rule 6 on PostgreSQL with real concurrent connections: no overdraft, no double pay,
no negative stock, no deadlock, and a bounded lock wait that ends in `busy`."""

import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace
from decimal import Decimal
from threading import Barrier

import pytest
from sqlalchemy import text

from pos_app.adapters.database import Timeouts
from pos_app.bootstrap import build
from pos_app.config import Settings
from pos_app.domain.errors import Busy, CareTillError
from pos_app.services.check import run_check
from tests.helpers.money import pay_items, tender


def race(count, attempt):
    """Run `attempt(i)` on `count` threads released together; collect results or error codes."""
    barrier = Barrier(count)

    def run(index):
        barrier.wait()
        try:
            return attempt(index)
        except CareTillError as error:
            return error.code

    with ThreadPoolExecutor(count) as pool:
        return list(pool.map(run, range(count)))


def test_twenty_payments_racing_on_a_wallet_that_affords_five_let_exactly_five_through(pg_books):
    books = pg_books
    mrn = books.patient("P1", balance="5000.00")
    items = books.bill(mrn, *[("CONS", 1)] * 20)
    outcomes = race(20, lambda i: pay_items(books, mrn, [items[i]], tender("wallet", "1000.00")))
    paid = [o for o in outcomes if not isinstance(o, str)]
    assert len(paid) == 5
    assert sorted(o for o in outcomes if isinstance(o, str)) == ["insufficient_wallet_balance"] * 15
    assert books.balance(mrn) == Decimal("0.00")
    assert run_check(books.app.uow(), actor=books.supervisor) == []


def test_two_cashiers_paying_the_same_item_one_wins_one_is_refused(pg_books, tmp_path):
    books = pg_books
    mrn = books.patient("P1")
    items = books.bill(mrn, ("CONS", 1))
    outcomes = race(
        2,
        lambda i: pay_items(
            books,
            mrn,
            items,
            tender("cash", "1000.00"),
            actor=[books.cashier, books.cashier2][i],
            workstation=["WS01", "WS02"][i],
        ),
    )
    assert [o for o in outcomes if isinstance(o, str)] == ["item_not_payable"]
    assert books.count("payments") == 1
    assert run_check(books.app.uow(), actor=books.supervisor) == []


def test_racing_pharmacy_sales_never_drive_stock_below_zero(pg_books):
    books = pg_books
    buyers = [books.patient(f"P{i}") for i in range(8)]
    bills = [books.bill(mrn, ("DRUG", 2)) for mrn in buyers]
    outcomes = race(8, lambda i: pay_items(books, buyers[i], bills[i], tender("cash", "200.00")))
    assert sum(not isinstance(o, str) for o in outcomes) == 5
    assert [o for o in outcomes if isinstance(o, str)] == ["insufficient_stock"] * 3
    assert books.stock_on_hand() == 0
    assert run_check(books.app.uow(), actor=books.supervisor) == []


def test_payments_locking_the_same_rows_in_opposite_order_do_not_deadlock(pg_books):
    books = pg_books
    rounds = 5
    first = [books.patient(f"A{i}") for i in range(rounds)]
    second = [books.patient(f"B{i}") for i in range(rounds)]
    # Each pair of patients buys both drugs, billed in opposite order, at the same moment.
    bills_a = [books.bill(mrn, ("DRUG", 1), ("DRUG2", 1)) for mrn in first]
    bills_b = [books.bill(mrn, ("DRUG2", 1), ("DRUG", 1)) for mrn in second]
    for index in range(rounds):
        outcomes = race(
            2,
            lambda i, n=index: pay_items(
                books, [first, second][i][n], [bills_a, bills_b][i][n], tender("cash", "150.00")
            ),
        )
        assert not any(isinstance(o, str) for o in outcomes), outcomes
    assert books.stock_on_hand("AMOX") == books.stock_on_hand("PCM") == 0
    assert run_check(books.app.uow(), actor=books.supervisor) == []


def _app_with(url, tmp_path, **timeouts):
    return build(
        Settings(
            db_url=url,
            workstation="WS02",
            timeouts=Timeouts(**timeouts),
            config_path=tmp_path / "c.json",
            local={},
        )
    )


def test_a_lock_held_past_the_timeout_ends_in_busy_and_writes_nothing(pg_books, pg_url, tmp_path):
    books = pg_books
    mrn = books.patient("P1", balance="5000.00")
    items = books.bill(mrn, ("CONS", 1))
    quick = _app_with(pg_url, tmp_path, lock_wait_s=0.5)
    before = books.snapshot()
    with books.app.engine.connect() as holder:
        holder.execute(text("SELECT 1 FROM wallets FOR UPDATE"))
        started = time.monotonic()
        with pytest.raises(Busy) as busy:
            pay_items(replace(books, app=quick), mrn, items, tender("wallet", "1000.00"))
        waited = time.monotonic() - started
        holder.rollback()
    quick.close()
    assert busy.value.code == "busy"
    assert 0.4 < waited < 3
    assert books.snapshot() == before


def test_a_frozen_workstation_loses_its_locks_after_the_idle_timeout(pg_books, pg_url, tmp_path):
    books = pg_books
    mrn = books.patient("P1", balance="5000.00")
    items = books.bill(mrn, ("CONS", 1))
    frozen = _app_with(pg_url, tmp_path, idle_in_transaction_s=1.0)
    conn = frozen.engine.connect()
    conn.execute(text("SELECT 1 FROM wallets FOR UPDATE"))  # then the workstation hangs
    started = time.monotonic()
    result = pay_items(books, mrn, items, tender("wallet", "1000.00"))
    assert result.wallet_balance_after == Decimal("4000.00")
    assert time.monotonic() - started < 4
    conn.invalidate()
    frozen.close()


def test_one_mobile_money_transaction_racing_at_two_tills_is_taken_once(pg_books):
    books = pg_books
    payers = [books.patient("P1"), books.patient("P2")]
    bills = [books.bill(mrn, ("CONS", 1)) for mrn in payers]
    outcomes = race(
        2,
        lambda i: pay_items(
            books,
            payers[i],
            bills[i],
            tender("mobile_money", "1000.00", "MPESA-RACE-1"),
            actor=[books.cashier, books.cashier2][i],
            workstation=["WS01", "WS02"][i],
        ),
    )
    assert [o for o in outcomes if isinstance(o, str)] == ["duplicate_reference"]
    assert books.count("payments") == 1
    assert run_check(books.app.uow(), actor=books.supervisor) == []
