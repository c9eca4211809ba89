"""A COMMIT whose answer is lost is `outcome_unknown`, never "nothing was written".

Through a real TCP proxy that passes the COMMIT to PostgreSQL and cuts the
connection before the answer: the payment committed, the till must say it may
have, and the same key straight to the server replays it instead of paying twice.
"""

import json
import sqlite3
from dataclasses import replace

import psycopg2
import psycopg2.errors
import pytest
from sqlalchemy.exc import DBAPIError

from pos_app.adapters.database import lost_during_commit
from pos_app.cli.main import main
from pos_app.domain.errors import OutcomeUnknown
from tests.conftest import make_app
from tests.helpers.books import PASSWORD, Books, new_key
from tests.helpers.commit_cutter import CommitCutter
from tests.helpers.money import pay_items, tender

PAYMENT_INSERT = b"INSERT INTO payments"


def _paid_once(books: Books, mrn: str, items: list[int], key: str) -> None:
    again = pay_items(books, mrn, items, tender("wallet", "1000.00"), key=key)
    assert again.replayed and again.idempotency_key == key
    assert books.count("payments") == 1
    assert books.balance(mrn) == 4000
    assert books.item_status(items[0]) == "paid"


def test_a_payment_whose_commit_answer_is_lost_is_outcome_unknown_and_the_key_replays_it(
    pg_books, pg_url, tmp_path
):
    mrn = pg_books.patient("P1", balance="5000.00")
    items = pg_books.bill(mrn, ("CONS", 1))
    key = new_key()
    with CommitCutter(pg_url, when=PAYMENT_INSERT) as proxy:
        cut_app = make_app(proxy.url, tmp_path)
        try:
            with pytest.raises(OutcomeUnknown) as unknown:
                pay_items(
                    replace(pg_books, app=cut_app), mrn, items, tender("wallet", "1000.00"), key=key
                )
        finally:
            cut_app.close()
    assert proxy.cuts == 1
    assert unknown.value.code == "outcome_unknown" and unknown.value.exit_status == 4
    assert "may have gone through" in unknown.value.message
    _paid_once(pg_books, mrn, items, key)


def test_the_command_line_exits_4_with_the_key_to_retry_and_the_retry_pays_once(
    pg_books, pg_url, tmp_path, monkeypatch, capsys
):
    mrn = pg_books.patient("P1", balance="5000.00")
    items = pg_books.bill(mrn, ("CONS", 1))
    monkeypatch.setenv("CARETILL_CONFIG", str(tmp_path / "config.json"))
    monkeypatch.setenv("CARETILL_USER", "cashier")
    monkeypatch.setenv("CARETILL_PASSWORD", PASSWORD)
    pay_args = [
        "pay",
        mrn,
        "--items",
        str(items[0]),
        "--tender",
        "wallet:1000.00",
        "--json",
        "--workstation",
        "WS01",
    ]
    with CommitCutter(pg_url, when=PAYMENT_INSERT) as proxy:
        status = main(["--db", proxy.url, *pay_args])
    error = json.loads(capsys.readouterr().out)["error"]
    assert proxy.cuts == 1
    assert status == 4 and error["code"] == "outcome_unknown"
    key = error["idempotency_key"]
    assert key.startswith("cli-") and f"Retry with the same key {key}." in error["message"]

    assert main(["--db", pg_url, *pay_args, "--key", key]) == 0
    retried = json.loads(capsys.readouterr().out)
    assert retried["replayed"] is True and retried["idempotency_key"] == key
    _paid_once(pg_books, mrn, items, key)


def _wrapped(orig: BaseException, *, invalidated: bool = False) -> DBAPIError:
    return DBAPIError.instance("COMMIT", None, orig, type(orig), connection_invalidated=invalidated)


class _SerializationFailure(psycopg2.errors.SerializationFailure):
    pgcode = "40001"  # what the server's answer carries; a bare instance has none


def _sqlite_error(code: int) -> sqlite3.OperationalError:
    error = sqlite3.OperationalError("failed")
    error.sqlite_errorcode = code
    return error


@pytest.mark.parametrize(
    ("orig", "invalidated", "unknown"),
    [
        (psycopg2.OperationalError("server closed the connection unexpectedly"), True, True),
        (psycopg2.InterfaceError("connection already closed"), False, True),
        (_SerializationFailure("could not serialize access"), False, False),
        (_sqlite_error(sqlite3.SQLITE_IOERR), False, True),
        (_sqlite_error(sqlite3.SQLITE_IOERR | (12 << 8)), False, True),  # an extended I/O code
        (_sqlite_error(sqlite3.SQLITE_FULL), False, False),
        (_sqlite_error(sqlite3.SQLITE_BUSY), False, False),
    ],
    ids=[
        "pg-dropped",
        "pg-closed",
        "pg-serialization",
        "sqlite-ioerr",
        "sqlite-ioerr-extended",
        "sqlite-full",
        "sqlite-busy",
    ],
)
def test_only_a_commit_without_an_answer_is_unknown(orig, invalidated, unknown):
    assert lost_during_commit(_wrapped(orig, invalidated=invalidated)) is unknown
