"""`check` replays the credit events too: a receivable entry, settlement, settlement
allocation or payer share changed, deleted or added behind the services' back is a finding
naming its receipt."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from pos_app.services.check import run_check
from tests.helpers.books import Books
from tests.helpers.money import tender
from tests.helpers.tamper import tamper
from tests.services.test_accounts import _owing, _settle
from tests.services.test_payers import member, pay_with, scheme


@dataclass(frozen=True)
class Credit:
    books: Books
    covered: str  # a payment the payer takes 80% of its lab test and half its consultation of
    first: str  # the first of two credit charges
    second: str
    settled: str  # a settlement that pays part of the first charge


@pytest.fixture
def credit(books: Books) -> Credit:
    scheme(
        books, ("lab_test", "80", None, "visit", None), ("consultation", "50", None, "visit", None)
    )
    insured = books.patient("P2")
    member(books, insured)
    lab, cons = books.bill(insured, ("LAB", 1), ("CONS", 1))
    covered = pay_with(books, insured, [lab, cons], tender("cash", "600.00"))
    mrn, first, second = _owing(books)
    settled = _settle(books, mrn, "200.00").receipt_no
    assert run_check(books.app.uow(), actor=books.supervisor) == []
    return Credit(books, covered.receipt_no, first, second, settled)


ENTRY_OF = "(SELECT id FROM receivable_entries WHERE receipt_no = '{}' AND kind = '{}')"
PAYMENT_OF = "(SELECT id FROM payments WHERE receipt_no = '{}')"
# (statement with {covered}, {first}, {second}, {settled} receipt numbers, which one is named)
TAMPERS = [
    ("UPDATE receivable_entries SET kind = 'credit' WHERE kind = 'payer_share'", "covered"),
    (
        "UPDATE receivable_entries SET amount_minor = amount_minor + 100, "
        "balance_after_minor = balance_after_minor + 100 WHERE receipt_no = '{second}'",
        "second",
    ),
    ("UPDATE settlements SET reference = 'TRX-1'", "settled"),
    (
        "UPDATE settlements SET shift_id = NULL, cashier_id = (SELECT id FROM users "
        "WHERE username = 'cashier2')",
        "settled",
    ),
    ("UPDATE settlement_allocations SET amount_minor = amount_minor - 1", "settled"),
    ("UPDATE payer_shares SET member_no = 'M-999'", "covered"),
    ("DELETE FROM payer_shares", "covered"),
    ("DELETE FROM settlement_allocations", "settled"),
    ("DELETE FROM settlements", "settled"),
    ("DELETE FROM receivable_entries WHERE kind = 'payer_share'", "covered"),
    (
        "INSERT INTO receivable_entries (account_id, kind, amount_minor, balance_after_minor, "
        "receipt_no, created_at) SELECT account_id, kind, amount_minor, balance_after_minor, "
        "receipt_no, created_at FROM receivable_entries WHERE receipt_no = '{second}'",
        "second",
    ),
    (
        "INSERT INTO settlement_allocations (settlement_entry_id, charge_entry_id, amount_minor) "
        f"VALUES ({ENTRY_OF.format('{settled}', 'settlement')}, "
        f"{ENTRY_OF.format('{second}', 'credit')}, 100)",
        "settled",
    ),
    (
        "INSERT INTO payer_shares (payment_id, bill_item_id, payer_id, member_no, amount_minor) "
        "SELECT payment_id, (SELECT MAX(bill_item_id) FROM payment_items "
        f"WHERE payment_id = {PAYMENT_OF.format('{first}')}), payer_id, member_no, 100 "
        "FROM payer_shares LIMIT 1",
        "covered",
    ),
    (
        "INSERT INTO settlements (receipt_no, account_id, method, amount_minor, reference, "
        "cashier_id, workstation, idempotency_key, shift_id, created_at) "
        "SELECT '{first}', account_id, method, amount_minor, reference, cashier_id, "
        "workstation, 'other-key', shift_id, created_at FROM settlements",
        "first",
    ),
]


def test_credit_books_replay_clean(credit):
    assert run_check(credit.books.app.uow(), actor=credit.books.supervisor, full=True) == []


@pytest.mark.parametrize(("statement", "named"), TAMPERS)
def test_a_changed_missing_or_extra_credit_row_is_a_finding_naming_its_receipt(
    credit, statement, named
):
    receipts = {
        "covered": credit.covered,
        "first": credit.first,
        "second": credit.second,
        "settled": credit.settled,
    }
    tamper(credit.books.app, statement.format(**receipts))
    found = [
        f
        for f in run_check(credit.books.app.uow(), actor=credit.books.supervisor, full=True)
        if f.rule == "events_match_rows"
    ]
    assert any(receipts[named] in f.detail for f in found), found
