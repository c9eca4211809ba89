"""`caretill approval list|approve|reject|limit` end to end, as scripts use them."""

from __future__ import annotations

from decimal import Decimal

import pytest

from pos_app.services.check import run_check
from tests.cli.conftest import paid_mixed


@pytest.fixture
def caretill(cli):
    return cli


def test_a_refund_request_is_listed_approved_once_and_shown_to_its_cashier(books, caretill):
    paid = paid_mixed(books)
    status, asked = caretill(
        "payment", "request-refund", paid.receipt_no, "--reason", "Double charge", user="cashier"
    )
    assert status == 0
    status, listed = caretill("approval", "list", "--status", "pending")
    assert status == 0
    (row,) = listed["requests"]
    assert {k: row[k] for k in ("id", "kind", "status", "amount", "requested_by", "reason")} == {
        "id": asked["request_id"],
        "kind": "refund",
        "status": "pending",
        "amount": "1200.00",
        "requested_by": "cashier",
        "reason": "Double charge",
    }

    status, own = caretill("approval", "approve", str(row["id"]), user="cashier")
    assert (status, own["error"]["code"]) == (3, "permission_denied")
    args = ("approval", "approve", str(row["id"]), "--key", "approve-0001")
    status, approved = caretill(*args)
    assert status == 0 and approved["status"] == "approved"
    assert approved["result"]["receipt_no"].startswith("WS01-")
    assert caretill(*args)[1]["replayed"] is True
    status, again = caretill("approval", "approve", str(row["id"]), user="admin")
    assert (status, again["error"]["code"]) == (3, "request_decided")

    status, mine = caretill("approval", "list", "--mine", user="cashier")
    assert [(r["id"], r["status"], r["decided_by"]) for r in mine["requests"]] == [
        (row["id"], "approved", "supervisor")
    ]
    assert books.balance("P1") == Decimal("500.00")
    assert run_check(books.app.uow(write=False), actor=books.supervisor) == []


def test_reject_needs_a_reason_and_a_second_person(books, caretill):
    paid = paid_mixed(books)
    _, asked = caretill(
        "payment", "request-refund", paid.receipt_no, "--reason", "Unsure", user="supervisor"
    )
    request_id = str(asked["request_id"])
    status, own = caretill("approval", "reject", request_id, "--reason", "No")
    assert (status, own["error"]["code"]) == (3, "same_person")
    status, blank = caretill("approval", "reject", request_id, "--reason", " ", user="admin")
    assert (status, blank["error"]["code"]) == (2, "missing_reason")
    status, rejected = caretill(
        "approval", "reject", request_id, "--reason", "Not refundable", user="admin"
    )
    assert (status, rejected["status"], rejected["decision_reason"]) == (
        0,
        "rejected",
        "Not refundable",
    )
    status, listed = caretill("approval", "list", "--status", "rejected")
    assert [r["id"] for r in listed["requests"]] == [asked["request_id"]]


def test_limits_are_set_by_an_admin_and_enforced(books, caretill):
    books.patient("P1", balance="500.00")
    status, denied = caretill(
        "approval", "limit", "--role", "supervisor", "--kind", "withdrawal", "100"
    )
    assert (status, denied["error"]["code"]) == (3, "permission_denied")
    status, limit = caretill(
        "approval", "limit", "--role", "supervisor", "--kind", "withdrawal", "100", user="admin"
    )
    assert (status, limit["limit"]) == (0, "100.00")
    status, paid = caretill(
        "wallet",
        "withdraw",
        "P1",
        "150",
        "--reason",
        "Discharged",
        "--approver",
        "supervisor",
        user="cashier",
    )
    assert (status, paid["error"]["code"]) == (3, "over_limit")
    assert "KES 100.00" in paid["error"]["message"]
    status, paid = caretill(
        "wallet",
        "withdraw",
        "P1",
        "150",
        "--reason",
        "Discharged",
        "--approver",
        "admin",
        user="cashier",
    )
    assert status == 0 and (paid["cashier"], paid["approved_by"]) == ("cashier", "admin")
    assert books.balance("P1") == Decimal("350.00")


@pytest.mark.parametrize(
    "args",
    [
        ("approval", "approve", "0"),
        ("approval", "approve", "x"),
        ("approval", "list", "--status", "done"),
    ],
)
def test_bad_arguments_exit_2(caretill, args):
    status, refused = caretill(*args)
    assert status == 2 and refused["error"]["code"]


def test_an_unknown_request_is_bad_input(caretill):
    status, missing = caretill("approval", "approve", "999")
    assert (status, missing["error"]["code"]) == (2, "unknown_request")
