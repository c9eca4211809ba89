"""SQLite: a writer takes the write lock up front (BEGIN IMMEDIATE) and waits a bounded time."""

import sqlite3
import time
from dataclasses import replace

import pytest

from pos_app.domain.errors import Busy
from tests.conftest import make_app
from tests.helpers.books import Books
from tests.helpers.money import pay_items, tender


def test_a_payment_waiting_on_another_writer_ends_in_busy_and_writes_nothing(sqlite_url, tmp_path):
    main = make_app(sqlite_url, tmp_path)
    books = Books.open(main)
    mrn = books.patient("P1", balance="5000.00")
    items = books.bill(mrn, ("CONS", 1))
    before = books.snapshot()
    quick = make_app(sqlite_url, tmp_path, lock_wait_s=0.3)
    holder = sqlite3.connect(sqlite_url.removeprefix("sqlite:///"), isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")  # another workstation mid-transaction
    started = time.monotonic()
    with pytest.raises(Busy) as busy:
        pay_items(replace(books, app=quick), mrn, items, tender("wallet", "1000.00"))
    waited = time.monotonic() - started
    holder.execute("ROLLBACK")
    holder.close()
    assert busy.value.code == "busy" and 0.25 < waited < 3
    assert books.snapshot() == before
    assert pay_items(books, mrn, items, tender("wallet", "1000.00")).amount == 1000
    quick.close()
    main.close()
