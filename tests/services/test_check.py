"""`caretill check` finds every broken invariant, and nothing on clean books."""

import pytest
from sqlalchemy import text

from pos_app.domain.errors import Refused
from pos_app.services.check import run_check
from tests.helpers.money import pay_items, tender, top_up
from tests.helpers.postgres import as_owner


@pytest.fixture
def busy_books(books):
    """Books after a day's work: deposits, wallet, split, lab and pharmacy payments."""
    mrn = books.patient("P1", balance="3000.00")
    items = books.bill(mrn, ("CONS", 1), ("LAB", 1), ("DRUG", 2))
    pay_items(books, mrn, items[:2], tender("wallet", "1000.00"), tender("cash", "500.00"))
    pay_items(books, mrn, items[2:], tender("mobile_money", "200.00", "MM-1"))
    top_up(books, books.patient("P2"), "50.00", "card", "CARD-9")
    return books


def findings(books):
    return {f.rule for f in run_check(books.app.uow(), actor=books.supervisor)}


def tamper(books, *statements):
    """Edit the books behind the service's back, as a rogue script or a disk fault would."""
    with as_owner(books.app) as insider, insider.begin() as conn:
        sqlite = conn.dialect.name == "sqlite"
        for table in ("audit_events", "wallet_entries", "stock_movements"):
            if sqlite:
                for verb in ("update", "delete"):
                    conn.execute(text(f"DROP TRIGGER IF EXISTS {table}_no_{verb}"))
            else:
                conn.execute(text(f"ALTER TABLE {table} DISABLE TRIGGER USER"))
        if sqlite:
            conn.execute(text("PRAGMA ignore_check_constraints = ON"))
        for statement in statements:
            conn.execute(text(statement))


def test_clean_books_have_no_findings(busy_books):
    assert findings(busy_books) == set()


def test_a_cashier_may_not_run_the_check(busy_books):
    with pytest.raises(Refused) as refused:
        run_check(busy_books.app.uow(), actor=busy_books.cashier)
    assert refused.value.code == "permission_denied"


@pytest.mark.parametrize(
    ("statements", "rule"),
    [
        (
            ["UPDATE wallets SET balance_minor = balance_minor + 100"],
            "wallet_balance_equals_ledger",
        ),
        (
            ["UPDATE wallet_entries SET balance_after_minor = balance_after_minor + 1"],
            "ledger_running_balance",
        ),
        (["UPDATE workstations SET receipt_seq = receipt_seq + 1"], "receipts_gapless"),
        (["UPDATE audit_events SET details = '{}' WHERE seq = 2"], "audit_hashes_valid"),
        (["DELETE FROM audit_events WHERE seq = 2"], "audit_chain_linked"),
        (
            ["UPDATE stock_items SET quantity_on_hand = quantity_on_hand + 1"],
            "stock_equals_movements",
        ),
        (
            [
                "UPDATE bill_items SET status = 'unpaid' WHERE id IN (SELECT bill_item_id FROM "
                "lab_results)"
            ],
            "lab_results_match_paid_items",
        ),
        (
            ["UPDATE tenders SET amount_minor = amount_minor + 1 WHERE method = 'cash'"],
            "payment_adds_up",
        ),
        (["UPDATE bills SET status = 'open'"], "bill_status_matches_items"),
        (
            [
                "UPDATE stock_movements SET delta = delta - 1 WHERE reason = 'sale'",
                "UPDATE stock_items SET quantity_on_hand = quantity_on_hand - 1",
            ],
            "stock_matches_paid_items",
        ),
        (
            ["DELETE FROM payment_items WHERE bill_item_id = (SELECT MIN(id) FROM bill_items)"],
            "paid_items_paid_once",
        ),
    ],
)
def test_each_broken_invariant_is_found(busy_books, statements, rule):
    tamper(busy_books, *statements)
    assert rule in findings(busy_books)


P2_WALLET = (
    "UPDATE wallets SET balance_minor = balance_minor + 100 "
    "WHERE patient_id = (SELECT id FROM patients WHERE mrn = 'P2')"
)


def test_after_a_clean_check_only_what_changed_is_looked_at_and_full_looks_at_all(busy_books):
    books = busy_books
    assert findings(books) == set()
    tamper(books, P2_WALLET)
    assert findings(books) == set()  # an old row: the signed chain holds its event
    full = run_check(books.app.uow(), actor=books.supervisor, full=True)
    assert "wallet_balance_equals_ledger" in {f.rule for f in full}
    tamper(books, "DELETE FROM check_checkpoints WHERE name = 'rule:wallet_balance_equals_ledger'")
    assert "wallet_balance_equals_ledger" in findings(books)  # a rule never run clean: all


def test_a_wallet_written_after_a_clean_check_is_checked_again(busy_books):
    books = busy_books
    assert findings(books) == set()
    top_up(books, "P2", "10.00")
    tamper(books, P2_WALLET)
    assert "wallet_balance_equals_ledger" in findings(books)
