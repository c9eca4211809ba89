"""`check` replays every money event and names the receipt whose rows an insider changed."""

from __future__ import annotations

import pytest

from pos_app.services.check import run_check
from pos_app.services.reversal import reverse_payment
from pos_app.services.shifts import close_shift, open_shift
from pos_app.services.withdrawal import withdraw
from tests.helpers.books import Books, new_key
from tests.helpers.money import pay_items, tender, top_up
from tests.helpers.tamper import tamper

R1, R2, R3, R4, R5, R6 = (f"WS01-00000{n}" for n in range(1, 7))
PAYMENT_OF = "(SELECT id FROM payments WHERE receipt_no = '{}')"


@pytest.fixture
def a_day(books: Books) -> Books:
    """R1, R2 deposits; R3 wallet + cash for a consultation and a lab test; R4 two packs of a
    drug by mobile money; R5 the lab test refunded; R6 a wallet withdrawal; a closed shift."""
    open_shift(books.app.uow(), actor=books.cashier, workstation="WS01", opening_float="0")
    top_up(books, books.patient("P1"), "3000.00")
    top_up(books, books.patient("P2"), "100.00", "card", "CARD-1")
    cons, lab, drug = books.bill("P1", ("CONS", 1), ("LAB", 1), ("DRUG", 2))
    pay_items(books, "P1", [cons, lab], tender("wallet", "1000.00"), tender("cash", "500.00"))
    pay_items(books, "P1", [drug], tender("mobile_money", "200.00", "MM-1"))
    reverse_payment(
        books.app.uow(),
        actor=books.supervisor,
        workstation="WS01",
        receipt_no=R3,
        reason="Test not done",
        key=new_key(),
        item_ids=[lab],
    )
    withdraw(
        books.app.uow(),
        actor=books.supervisor,
        workstation="WS01",
        mrn="P1",
        amount="100.00",
        reason="Leaving",
        key=new_key(),
    )
    close_shift(books.app.uow(), actor=books.cashier, workstation="WS01", counted_cash="3500.00")
    assert run_check(books.app.uow(), actor=books.supervisor) == []
    return books


def replay_findings(books: Books) -> list[str]:
    return [
        f.detail
        for f in run_check(books.app.uow(), actor=books.supervisor, full=True)
        if f.rule == "events_match_rows"
    ]


def test_clean_books_replay_clean_from_their_events(a_day):
    assert replay_findings(a_day) == []


CHANGED = [
    (
        "UPDATE payments SET cashier_id = (SELECT id FROM users WHERE username = 'cashier2') "
        f"WHERE receipt_no = '{R3}'",
        R3,
    ),
    ("UPDATE tenders SET method = 'card' WHERE method = 'cash'", R3),
    (
        "UPDATE payment_items SET amount_minor = amount_minor - 100 "
        f"WHERE payment_id = {PAYMENT_OF.format(R4)}",
        R4,
    ),
    (f"UPDATE deposits SET amount_minor = 5000000 WHERE receipt_no = '{R1}'", R1),
    ("UPDATE withdrawals SET reason = 'Other'", R6),
    ("UPDATE reversals SET reason = 'Other'", R5),
    ("UPDATE refund_payouts SET method = 'cash'", R5),
    ("UPDATE reversal_items SET amount_minor = 1", R5),
    (
        "UPDATE wallet_entries SET amount_minor = amount_minor + 100, "
        f"balance_after_minor = balance_after_minor + 100 WHERE receipt_no = '{R2}'",
        R2,
    ),
    ("UPDATE stock_movements SET delta = -1 WHERE reason = 'sale'", "stock of item"),
    ("UPDATE lab_results SET lab_test_code = 'HIV'", R3),
    (
        f"UPDATE receipts SET cashier_id = (SELECT id FROM users WHERE username = 'admin') "
        f"WHERE receipt_no = '{R4}'",
        R4,
    ),
    ("UPDATE tender_references SET reference_key = 'MM2' WHERE method = 'mobile_money'", R4),
    (
        "UPDATE shifts SET counted_cash_minor = counted_cash_minor + 100, "
        "variance_minor = variance_minor + 100",
        "shift",
    ),
    ("UPDATE shift_tenders SET counted_minor = 0 WHERE method = 'card'", "shift"),
]
DELETED = [
    ("DELETE FROM tenders WHERE method = 'cash'", R3),
    (f"DELETE FROM payment_items WHERE payment_id = {PAYMENT_OF.format(R4)}", R4),
    (f"DELETE FROM wallet_entries WHERE receipt_no = '{R6}'", R6),
    ("DELETE FROM refund_payouts", R5),
    ("DELETE FROM lab_results", R3),
    ("DELETE FROM stock_movements WHERE reason = 'sale'", "stock of item"),
    ("DELETE FROM withdrawals", R6),
    ("DELETE FROM shift_cash_counts; DELETE FROM shift_tenders WHERE method = 'cash'", "shift"),
]
SWAPPED = [
    (
        "UPDATE tenders SET amount_minor = CASE method WHEN 'cash' THEN 100000 ELSE 50000 END "
        f"WHERE payment_id = {PAYMENT_OF.format(R3)}",
        R3,
    ),
    ("UPDATE deposits SET method = CASE method WHEN 'cash' THEN 'card' ELSE 'cash' END", R1),
    (
        "UPDATE deposits SET patient_id = CASE receipt_no "
        f"WHEN '{R1}' THEN (SELECT id FROM patients WHERE mrn = 'P2') "
        "ELSE (SELECT id FROM patients WHERE mrn = 'P1') END",
        R2,
    ),
]
INSERTED = [
    (
        "INSERT INTO tenders (payment_id, method, amount_minor, change_minor) "
        f"VALUES ({PAYMENT_OF.format(R4)}, 'card', 100, 0)",
        R4,
    ),
    (
        "INSERT INTO wallet_entries (wallet_id, kind, amount_minor, balance_after_minor, "
        "receipt_no, created_at) SELECT wallet_id, 'deposit', 100, 200, receipt_no, created_at "
        f"FROM deposits WHERE receipt_no = '{R2}'",
        R2,
    ),
    (
        "INSERT INTO refund_payouts (reversal_id, method, amount_minor) "
        "SELECT id, 'cash', 100 FROM reversals",
        R5,
    ),
    (
        "INSERT INTO payment_items (payment_id, bill_item_id, amount_minor) "
        f"SELECT {PAYMENT_OF.format(R4)}, MIN(bill_item_id), 0 FROM payment_items",
        R4,
    ),
    (
        "INSERT INTO stock_movements (stock_item_id, delta, reason, bill_item_id, created_at) "
        "SELECT stock_item_id, -1, 'sale', bill_item_id, created_at FROM stock_movements "
        "WHERE reason = 'sale'",
        "stock of item",
    ),
    (
        "INSERT INTO lab_results (bill_item_id, payment_id, lab_test_code, status, created_at) "
        "SELECT bill_item_id, payment_id, lab_test_code, 'cancelled', created_at "
        "FROM lab_results",
        R3,
    ),
]


@pytest.mark.parametrize(("statement", "named"), CHANGED + DELETED + SWAPPED + INSERTED)
def test_an_edited_missing_swapped_or_extra_row_is_a_finding_naming_its_receipt(
    a_day, statement, named
):
    tamper(a_day.app, *statement.split("; "))
    found = replay_findings(a_day)
    assert any(named in detail for detail in found), found


@pytest.mark.parametrize(
    "effects",
    [
        '[{"effect": "payment"}]',  # fields missing
        '["payment"]',  # an effect that is not an object
        '[{"effect": "payment", "items": 7}]',
    ],
)
def test_an_event_with_effects_of_another_shape_is_a_finding_not_a_crash(a_day, effects):
    tamper(
        a_day.app,
        "UPDATE audit_events SET details = :details WHERE receipt_no = :no",
        details='{"effects": ' + effects + "}",
        no=R4,
    )
    found = replay_findings(a_day)
    assert any("not well-formed" in f and R4 in f for f in found), found
