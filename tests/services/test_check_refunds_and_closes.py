"""`check --full` finds tampering with refunds, withdrawals, closed shifts and closed days
made after a clean check (an incremental check looks only at what changed since)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlalchemy import text

from pos_app.bootstrap import App
from pos_app.services.check import run_check
from pos_app.services.pay import pay
from pos_app.services.reports import close_day
from pos_app.services.reversal import reverse_payment
from pos_app.services.shifts import close_shift, open_shift
from pos_app.services.tenders import TenderRequest
from pos_app.services.withdrawal import withdraw
from tests.conftest import make_app
from tests.helpers.books import Books, new_key


@pytest.fixture
def sqlite_books(sqlite_url: str, tmp_path) -> Iterator[Books]:
    """SQLite, where a test can drop the append-only triggers to play the tamperer."""
    app: App = make_app(sqlite_url, tmp_path)
    yield Books.open(app)
    app.close()


@pytest.fixture
def a_closed_day(sqlite_books: Books) -> Books:
    books = sqlite_books
    books.patient("P1", balance="2000.00")
    open_shift(books.app.uow(), actor=books.cashier, workstation="WS01", opening_float="0")
    paid = pay(
        books.app.uow(),
        actor=books.cashier,
        workstation="WS01",
        mrn="P1",
        item_ids=books.bill("P1", ("CONS", 1)),
        key=new_key(),
        tenders=[TenderRequest("wallet", "1000.00")],
    )
    reverse_payment(
        books.app.uow(),
        actor=books.supervisor,
        workstation="WS01",
        receipt_no=paid.receipt_no,
        reason="Test",
        key=new_key(),
    )
    withdraw(
        books.app.uow(),
        actor=books.supervisor,
        workstation="WS01",
        mrn="P1",
        amount="100.00",
        reason="Test",
        key=new_key(),
    )
    close_shift(books.app.uow(), actor=books.cashier, workstation="WS01", counted_cash="0")
    close_day(books.app.uow(), actor=books.supervisor, workstation="WS01")
    assert run_check(books.app.uow(write=False), actor=books.supervisor) == []
    return books


@pytest.mark.parametrize(
    ("statements", "rule"),
    [
        (["UPDATE payments SET status = 'completed'"], "reversals_undo_payments"),
        (
            [
                "DROP TRIGGER refund_payouts_no_update",
                "UPDATE refund_payouts SET amount_minor = amount_minor - 1",
            ],
            "reversals_undo_payments",
        ),
        (
            [
                "DROP TRIGGER withdrawals_no_update",
                "UPDATE withdrawals SET amount_minor = amount_minor + 1",
            ],
            "withdrawals_in_ledger",
        ),
        (
            ["DROP TRIGGER shifts_closed_no_update", "UPDATE shifts SET expected_cash_minor = 5"],
            "closed_shifts_unchanged",
        ),
        (
            [
                "DROP TRIGGER day_closes_no_update",
                "UPDATE day_closes SET payments_minor = payments_minor + 1",
            ],
            "closed_days_unchanged",
        ),
        (
            ["DROP TRIGGER withdrawals_no_delete", "DELETE FROM withdrawals"],
            "receipts_have_documents",
        ),
    ],
)
def test_check_finds_each_tampering(a_closed_day, statements, rule):
    books = a_closed_day
    with books.app.engine.begin() as conn:
        for statement in statements:
            conn.execute(text(statement))
    findings = run_check(books.app.uow(write=False), actor=books.supervisor, full=True)
    assert rule in {finding.rule for finding in findings}


@pytest.mark.parametrize(
    "statements, rule",
    [
        (
            ["DROP TRIGGER reversal_items_no_delete", "DELETE FROM reversal_items"],
            "paid_items_paid_once",
        ),
        (
            [
                "DROP TRIGGER reversal_items_no_update",
                "UPDATE reversal_items SET amount_minor = amount_minor + 1",
            ],
            "reversal_amounts_add_up",
        ),
        (
            ["DROP TRIGGER refund_payouts_no_update", "UPDATE refund_payouts SET method = 'card'"],
            "refunds_within_tenders",
        ),
        (["UPDATE payments SET status = 'reversed'"], "reversals_undo_payments"),
    ],
)
def test_check_finds_tampering_with_a_partial_refund(sqlite_books, statements, rule):
    books = sqlite_books
    books.patient("P9", balance="500.00")
    cons, drug = books.bill("P9", ("CONS", 1), ("DRUG", 2))
    paid = pay(
        books.app.uow(),
        actor=books.cashier,
        workstation="WS01",
        mrn="P9",
        item_ids=[cons, drug],
        key=new_key(),
        tenders=[TenderRequest("wallet", "300.00"), TenderRequest("cash", "900.00")],
    )
    reverse_payment(
        books.app.uow(),
        actor=books.supervisor,
        workstation="WS01",
        receipt_no=paid.receipt_no,
        reason="Not dispensed",
        key=new_key(),
        item_ids=[drug],
    )
    assert run_check(books.app.uow(write=False), actor=books.supervisor) == []
    with books.app.engine.begin() as conn:
        for statement in statements:
            conn.execute(text(statement))
    findings = run_check(books.app.uow(write=False), actor=books.supervisor, full=True)
    assert rule in {finding.rule for finding in findings}
