"""Transactions that cost no round trip of their own (pg_transactions, UnitOfWork.write).

BEGIN and the timeouts go with a transaction's first statement, the writes nobody reads
wait and go with COMMIT; a pooled connection the server dropped is replaced by the
first statement instead of a pre-ping; a waiting write that fails rolls back all.
"""

from __future__ import annotations

import pytest
from sqlalchemy import create_engine, event, func, insert, select, text
from sqlalchemy.exc import IntegrityError

from pos_app.adapters import tables as t
from tests.helpers.books import Books
from tests.helpers.money import pay_items, tender, top_up


def _sent(engine) -> list[str]:  # noqa: ANN001
    seen: list[str] = []
    event.listen(
        engine, "before_cursor_execute", lambda _c, _cur, statement, *_rest: seen.append(statement)
    )
    return seen


def test_a_payment_is_eight_round_trips_with_begin_first_and_commit_last(pg_books: Books):
    mrn = pg_books.patient("P1", balance="2000.00")
    pay_items(pg_books, mrn, pg_books.bill(mrn, ("CONS", 1)), tender("wallet", "1000.00"))
    items = pg_books.bill(mrn, ("CONS", 1))
    sent = _sent(pg_books.app.engine)
    paid = pay_items(pg_books, mrn, items, tender("wallet", "1000.00"))
    assert len(sent) <= 8, sent
    assert sent[0].startswith("BEGIN; SET LOCAL lock_timeout = 2000; ")
    assert sent[-1].endswith(";\nCOMMIT") and "INSERT INTO payments" in sent[-1]
    assert not any(s.strip().upper() in ("BEGIN", "COMMIT", "SELECT 1") for s in sent)
    assert pg_books.balance(mrn) == 0 and pg_books.item_status(items[0]) == "paid"
    assert paid.wallet_balance_after == 0


def test_the_timeouts_hold_inside_the_transaction_and_end_with_it(pg_books: Books):
    with pg_books.app.uow() as uow:
        assert uow.execute(text("SHOW lock_timeout")).scalar() == "2s"
        uow.commit()
    engine = pg_books.app.engine
    with engine.connect() as conn:  # the same pooled server connection, a new transaction
        conn.exec_driver_sql("SELECT 1")  # opens it with its own SET LOCALs
        conn.commit()
    raw = engine.raw_connection()
    try:
        cursor = raw.cursor()
        cursor.execute("SHOW lock_timeout")
        assert cursor.fetchone()[0] == "0", "SET LOCAL must not outlive the transaction"
    finally:
        raw.close()


def test_a_pooled_connection_the_server_dropped_is_replaced_by_the_first_statement(
    pg_books: Books, pg_admin_url: str
):
    mrn = pg_books.patient("P1", balance="2000.00")
    with pg_books.app.uow() as uow:
        uow.ping()  # leaves a connection in the pool
    database = pg_books.app.engine.url.database
    admin = create_engine(pg_admin_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:  # a server restart, as the pooled connection sees it
        dropped = conn.execute(
            text(
                "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
                "WHERE datname = :db AND pid <> pg_backend_pid()"
            ),
            {"db": database},
        ).scalar()
    admin.dispose()
    assert dropped >= 1
    paid = pay_items(pg_books, mrn, pg_books.bill(mrn, ("CONS", 1)), tender("wallet", "1000.00"))
    assert paid.wallet_balance_after == 1000 and pg_books.count("payments") == 1


def test_a_waiting_write_that_fails_rolls_back_every_write_and_leaves_the_pool_clean(
    pg_books: Books,
):
    row = {"key": "probe", "value": "1"}
    with pytest.raises(IntegrityError), pg_books.app.uow() as uow:
        uow.write(insert(t.settings), row)
        uow.write(insert(t.settings), row)  # the same key: refused at COMMIT's round trip
        uow.commit()
    with pg_books.app.uow(write=False) as uow:
        assert (
            uow.execute(
                select(func.count()).select_from(t.settings).where(t.settings.c.key == "probe")
            ).scalar()
            == 0
        )
        assert uow.execute(text("SELECT 1")).scalar() == 1  # no aborted transaction left


def test_a_write_is_read_back_by_the_same_transaction(pg_books: Books):
    with pg_books.app.uow() as uow:
        uow.write(insert(t.settings), {"key": "probe", "value": "waiting"})
        assert (
            uow.execute(select(t.settings.c.value).where(t.settings.c.key == "probe")).scalar()
            == "waiting"
        )
    with pg_books.app.uow(write=False) as uow:  # left without commit: rolled back
        assert (
            uow.execute(select(t.settings.c.value).where(t.settings.c.key == "probe")).scalar()
            is None
        )


def test_a_deposit_is_seven_round_trips_with_its_writes_in_the_last(pg_books: Books):
    mrn = pg_books.patient("P1")
    top_up(pg_books, mrn, "10.00")  # the till's first command also enrols its key
    sent = _sent(pg_books.app.engine)
    top_up(pg_books, mrn, "25.00")
    assert len(sent) == 7, "\n".join(" ".join(s.split())[:90] for s in sent)
    assert "INSERT INTO deposits" in sent[-1] and sent[-1].endswith(";\nCOMMIT")
    assert pg_books.balance(mrn) == 35
