"""CareTill behind a real pgbouncer in transaction pooling mode (issue 14, point 3).

Every till here connects through the pooler as the application role: server connections
are shared between tills transaction by transaction, so a setting left on one would reach
the next till. The timeouts travel with each transaction (SET LOCAL) instead.
"""

from __future__ import annotations

import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace
from decimal import Decimal
from pathlib import Path

import psycopg2
import pytest
from sqlalchemy import select, text
from sqlalchemy.engine import make_url

from pos_app.adapters import tables as t
from pos_app.adapters.database import create_database_engine
from pos_app.adapters.grants import grant
from pos_app.domain.errors import Busy, CareTillError, OutcomeUnknown
from pos_app.services.check import run_check
from tests.conftest import make_app
from tests.helpers.books import Books, new_key
from tests.helpers.money import pay_items, tender
from tests.helpers.pgbouncer import Bouncer
from tests.helpers.postgres import APP_ROLE, OWNER, as_role

TILLS = 8
OWN_PAYMENTS = 12  # per till, each its own patient
SHARED_TRIES = 3  # per till, on the one shared wallet
SHARED_AFFORDS = 12  # of the TILLS * SHARED_TRIES tries


@pytest.fixture
def pooled_url(pg_url: str, bouncer: Bouncer) -> str:
    return bouncer.through(pg_url)


@pytest.fixture
def pooled_books(pooled_url: str, tmp_path: Path):
    app = make_app(pooled_url, tmp_path)
    yield Books.open(app)
    app.close()


def test_payments_through_pgbouncer_work_and_check_is_clean(pooled_books, bouncer):
    books = pooled_books
    assert books.app.engine.url.port == bouncer.port
    mrn = books.patient("P1", balance="3000.00")
    items = books.bill(mrn, ("CONS", 1), ("LAB", 1), ("DRUG", 2))
    result = pay_items(
        books, mrn, items, tender("wallet", "1500.00"), tender("cash", "200.00", "500.00")
    )
    assert result.wallet_balance_after == Decimal("1500.00")
    assert result.change == Decimal("300.00")
    assert books.stock_on_hand() == 8
    assert run_check(books.app.uow(), actor=books.supervisor) == []


def test_a_lock_held_past_the_timeout_ends_in_busy_through_pgbouncer(
    pooled_books, pg_url, pooled_url, tmp_path
):
    books = pooled_books
    mrn = books.patient("P1", balance="5000.00")
    items = books.bill(mrn, ("CONS", 1))
    quick = make_app(pooled_url, tmp_path, workstation="WS02", lock_wait_s=0.5)
    holder = create_database_engine(pg_url)  # another till, straight to the server
    before = books.snapshot()
    try:
        with holder.connect() as conn:
            conn.execute(text("SELECT 1 FROM wallets FOR UPDATE"))
            started = time.monotonic()
            with pytest.raises(Busy) as busy:
                pay_items(
                    replace(books, app=quick),
                    mrn,
                    items,
                    tender("wallet", "1000.00"),
                    workstation="WS02",
                )
            waited = time.monotonic() - started
            conn.rollback()
    finally:
        quick.close()
        holder.dispose()
    assert busy.value.code == "busy"
    assert 0.4 < waited < 3
    assert books.snapshot() == before


def test_no_session_state_leaks_to_the_next_client_of_a_server_connection(
    pg_url, bouncer, tmp_path
):
    owner = create_database_engine(as_role(pg_url, OWNER))
    grant(owner, APP_ROLE)  # the database's defaults: 5 s and 30 s, for any other client
    owner.dispose()
    till = make_app(bouncer.through(pg_url), tmp_path, lock_wait_s=0.7)
    probe = (
        "SELECT pg_backend_pid(), current_setting('lock_timeout'), "
        "current_setting('idle_in_transaction_session_timeout')"
    )
    try:
        with till.uow() as uow:
            pid, lock, idle = uow.execute(text(probe)).one()
            uow.commit()  # a committed session SET would stay; a rolled back one would not
    finally:
        till.close()
    assert (lock, idle) == ("700ms", "30s")
    url = make_url(bouncer.through(pg_url))
    other = psycopg2.connect(
        host=url.host, port=url.port, dbname=url.database, user=url.username, password=url.password
    )
    other.autocommit = True  # a plain client: no settings of its own
    try:
        with other.cursor() as cursor:
            cursor.execute(probe)
            assert cursor.fetchone() == (pid, "5s", "30s"), "same server connection, defaults"
    finally:
        other.close()


@pytest.mark.parametrize("route", ["pgbouncer", "direct"])
def test_eight_concurrent_tills_lose_and_double_no_money(route, pg_url, bouncer, tmp_path, capsys):
    url = bouncer.through(pg_url) if route == "pgbouncer" else pg_url
    setup = make_app(url, tmp_path)
    books = Books.open(setup)
    shared = books.patient("SHARED", balance=f"{SHARED_AFFORDS * 1000}.00")
    shared_items = books.bill(shared, *[("CONS", 1)] * (TILLS * SHARED_TRIES))
    own = [books.patient(f"P{n}") for n in range(TILLS)]
    own_items = [books.bill(mrn, *[("CONS", 1)] * OWN_PAYMENTS) for mrn in own]
    tills = [make_app(url, tmp_path / f"till{n}", workstation=f"WS{n + 11}") for n in range(TILLS)]

    def work(n: int) -> tuple[int, int, list[str]]:
        till = replace(books, app=tills[n])
        paid = shared_paid = 0
        refusals = []
        for index, item in enumerate(own_items[n]):
            _pay(till, own[n], item, tender("cash", "1000.00"), f"WS{n + 11}")
            paid += 1
            if index % (OWN_PAYMENTS // SHARED_TRIES) == 0:
                item = shared_items[n * SHARED_TRIES + index // (OWN_PAYMENTS // SHARED_TRIES)]
                try:
                    _pay(till, shared, item, tender("wallet", "1000.00"), f"WS{n + 11}")
                    shared_paid += 1
                except CareTillError as refused:
                    refusals.append(refused.code)
        return paid, shared_paid, refusals

    started = time.monotonic()
    with ThreadPoolExecutor(TILLS) as pool:
        outcomes = list(pool.map(work, range(TILLS)))
    elapsed = time.monotonic() - started
    payments = sum(paid + shared_paid for paid, shared_paid, _ in outcomes)
    with capsys.disabled():
        print(
            f"\n{route}: {TILLS} tills, {payments} payments in {elapsed:.2f} s = "
            f"{payments / elapsed:.1f} payments/s"
        )
    try:
        if route == "pgbouncer":
            with setup.engine.connect() as conn:
                backends = conn.execute(
                    text(
                        "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
                        "AND usename = current_user"
                    )
                ).scalar_one()
            assert backends <= bouncer.pool_size, "the tills share the pooler's connections"
        assert sum(s for _, s, _ in outcomes) == SHARED_AFFORDS
        assert sorted(c for *_, refusals in outcomes for c in refusals) == [
            "insufficient_wallet_balance"
        ] * (TILLS * SHARED_TRIES - SHARED_AFFORDS)
        assert books.balance(shared) == Decimal("0.00")
        assert books.count("payments") == TILLS * OWN_PAYMENTS + SHARED_AFFORDS
        with setup.uow(write=False) as uow:
            taken = uow.execute(select(t.payments.c.amount_minor)).scalars().all()
            seqs = uow.execute(select(t.receipts.c.workstation, t.receipts.c.seq)).all()
        assert sum(taken) == (TILLS * OWN_PAYMENTS + SHARED_AFFORDS) * 100_000
        for n in range(TILLS):
            mine = sorted(seq for ws, seq in seqs if ws == f"WS{n + 11}")
            assert mine == list(range(1, len(mine) + 1)), "receipts gapless"
            assert all(books.item_status(i) == "paid" for i in own_items[n])
        assert run_check(setup.uow(), actor=books.supervisor) == []
    finally:
        for till in tills:
            till.close()
        setup.close()


def _pay(books: Books, mrn: str, item: int, how, workstation: str) -> None:
    """Pay as a till does: a busy or lost answer is retried with the same key."""
    key = new_key()
    for _ in range(20):
        try:
            pay_items(books, mrn, [item], how, key=key, workstation=workstation)
            return
        except (Busy, OutcomeUnknown):
            continue
    raise AssertionError(f"item {item} still busy after 20 tries")
