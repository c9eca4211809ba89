"""`caretill payment reverse`, `shift`, `report` and `wallet withdraw` as scripts use them."""

from __future__ import annotations

from decimal import Decimal

import pytest

from pos_app.services.check import run_check
from pos_app.services.pay import pay
from pos_app.services.tenders import TenderRequest
from tests.cli.conftest import paid_mixed
from tests.helpers.books import new_key


@pytest.fixture
def caretill(cli):
    return cli


def test_payment_reverse_refunds_once_then_exits_3_already_reversed(books, caretill):
    paid = paid_mixed(books)
    status, result = caretill("payment", "reverse", paid.receipt_no, "--reason", "Wrong bill")
    assert status == 0
    assert (result["amount"], result["cashier"], result["approved_by"]) == (
        "1200.00",
        "cashier",
        "supervisor",
    )
    assert {"method": "wallet", "amount": "300.00", "reference": None} in result["payouts"]
    assert books.balance("P1") == Decimal("500.00")
    status, again = caretill("payment", "reverse", paid.receipt_no, "--reason", "Again")
    assert (status, again["error"]["code"]) == (3, "already_reversed")


@pytest.mark.parametrize(
    "command",
    [
        ("payment", "reverse", "WS01-000002", "--reason", "x"),
        ("report", "daily"),
        ("report", "close-day"),
        ("wallet", "withdraw", "P1", "10", "--reason", "x"),
    ],
)
def test_a_cashier_is_refused_supervisor_commands_with_exit_3(books, caretill, command):
    paid_mixed(books)
    status, result = caretill(*command, user="cashier2")
    assert (status, result["error"]["code"]) == (3, "permission_denied")


def test_a_reason_is_required_and_a_bad_date_is_bad_input(books, caretill):
    paid = paid_mixed(books)
    assert caretill("payment", "reverse", paid.receipt_no)[0] == 2
    status, bad = caretill("report", "daily", "--date", "24/11/2026")
    assert (status, bad["error"]["code"]) == (2, "invalid_date")


def test_a_shift_from_open_to_blind_close_with_card_slips_and_sign_off(books, caretill):
    paid_mixed(books)  # taken before the shift: not in it
    status, opened = caretill("shift", "open", "--float", "1000", user="cashier")
    assert status == 0 and opened["opening_float"] == "1000.00"
    assert caretill("shift", "open", "--float", "0", user="cashier")[1]["error"]["code"] == (
        "shift_already_open"
    )
    books.patient("P2")
    pay(
        books.app.uow(),
        actor=books.cashier,
        workstation="WS01",
        mrn="P2",
        item_ids=books.bill("P2", ("CONS", 1)),
        key=new_key(),
        tenders=[TenderRequest("card", "1000.00", reference="SLIP-9")],
    )
    status, refused = caretill(
        "shift", "close", "--counted", "950", "--card", "1000:1", user="cashier"
    )
    assert (status, refused["error"]["code"]) == (3, "variance_needs_signoff")
    status, closed = caretill(
        "shift",
        "close",
        "--denominations",
        "500x1,200x2,50x1",
        "--card",
        "1000:1",
        "--reason-code",
        "counting_error",
        "--approver",
        "supervisor",
        user="cashier",
    )
    assert status == 0
    assert (closed["expected_cash"], closed["counted_cash"], closed["variance"]) == (
        "1000.00",
        "950.00",
        "-50.00",
    )
    card = next(line for line in closed["tenders"] if line["method"] == "card")
    assert (card["expected"], card["counted_count"], card["variance"]) == ("1000.00", 1, "0.00")
    assert caretill("shift", "status", user="cashier")[1] == {"shift": None}


def test_daily_report_in_every_format_and_the_z_close(books, caretill, tmp_path):
    paid_mixed(books)
    status, report = caretill("report", "daily")
    assert status == 0 and report["totals"]["payments"] == "1200.00"
    assert report["receipt_ranges"][0]["gapless"] is True
    csv_file, pdf_file = tmp_path / "day.csv", tmp_path / "day.pdf"
    assert caretill("report", "daily", "--format", "csv", "--out", str(csv_file))[0] == 0
    assert "by_method,wallet,1,300.00" in csv_file.read_text()
    assert caretill("report", "daily", "--format", "pdf", "--out", str(pdf_file))[0] == 0
    assert pdf_file.read_bytes().startswith(b"%PDF")
    status, closed = caretill("report", "close-day", "--date", report["date"])
    assert status == 0 and closed["closed"] is True
    status, twice = caretill("report", "close-day", "--date", report["date"])
    assert (status, twice["error"]["code"]) == (3, "day_already_closed")
    assert run_check(books.app.uow(write=False), actor=books.supervisor) == []


def test_wallet_withdraw_pays_a_balance_out_once_per_key(books, caretill):
    books.patient("P1", balance="500.00")
    args = ("wallet", "withdraw", "P1", "200", "--reason", "Discharged", "--key", "wd-00000001")
    status, first = caretill(*args)
    assert status == 0 and first["wallet_balance_after"] == "300.00"
    assert caretill(*args)[1]["replayed"] is True
    assert books.balance("P1") == Decimal("300.00")


def test_a_cashiers_refund_request_is_approved_by_a_supervisor(books, caretill):
    paid = paid_mixed(books)
    status, asked = caretill(
        "payment", "request-refund", paid.receipt_no, "--reason", "Double charge", user="cashier"
    )
    assert status == 0
    status, waiting = caretill("payment", "requests")
    assert [r["request_id"] for r in waiting["requests"]] == [asked["request_id"]]
    status, approved = caretill("payment", "approve", str(asked["request_id"]))
    assert status == 0 and approved["requested_by"] == "cashier"
    status, again = caretill("payment", "reject", str(asked["request_id"]), user="admin")
    assert (status, again["error"]["code"]) == (3, "request_decided")


def test_payment_reverse_with_items_refunds_just_them_and_pays_back_as_told(books, caretill):
    paid = paid_mixed(books)
    cons, drug = paid.items
    status, result = caretill(
        "payment",
        "reverse",
        paid.receipt_no,
        "--reason",
        "Not given",
        "--items",
        str(drug),
        "--payout",
        "cash:200.00",
    )
    assert status == 0
    assert (result["amount"], result["items"], result["payment_reversed"]) == (
        "200.00",
        [drug],
        False,
    )
    assert result["payouts"] == [{"method": "cash", "amount": "200.00", "reference": None}]
    assert (books.item_status(cons), books.item_status(drug)) == ("paid", "unpaid")
    status, again = caretill(
        "payment", "reverse", paid.receipt_no, "--reason", "Again", "--items", str(drug)
    )
    assert (status, again["error"]["code"]) == (3, "already_reversed")
    status, over = caretill(
        "payment", "reverse", paid.receipt_no, "--reason", "Rest", "--payout", "cash:1000.00"
    )
    assert (status, over["error"]["code"]) == (3, "refund_exceeds_tender")
    status, rest = caretill("payment", "reverse", paid.receipt_no, "--reason", "Rest")
    assert status == 0 and rest["items"] == [cons] and rest["payment_reversed"]
    assert {(p["method"], p["amount"]) for p in rest["payouts"]} == {
        ("wallet", "300.00"),
        ("cash", "700.00"),
    }
    assert run_check(books.app.uow(write=False), actor=books.supervisor) == []


def test_x_report_shows_an_open_shifts_figures_and_leaves_it_open(books, caretill):
    assert caretill("shift", "open", "--float", "1,000", user="cashier")[0] == 0
    books.patient("P1")
    pay(
        books.app.uow(),
        actor=books.cashier,
        workstation="WS01",
        mrn="P1",
        item_ids=books.bill("P1", ("CONS", 1)),
        key=new_key(),
        tenders=[TenderRequest("cash", "1000.00", cash_tendered="1000.00")],
    )
    status, report = caretill("shift", "x-report", "--cashier", "cashier")
    assert status == 0
    [shift] = report["shifts"]
    assert (shift["status"], shift["expected_cash"]) == ("open", "2000.00")
    cash = next(t for t in shift["tenders"] if t["method"] == "cash")
    assert (cash["expected"], cash["expected_count"], cash["counted"]) == ("2000.00", 1, None)
    assert caretill("shift", "x-report", user="cashier")[1]["error"]["code"] == (
        "permission_denied"
    )
    assert caretill("shift", "status", user="cashier")[1]["shift"]["status"] == "open"


@pytest.mark.parametrize("counts", ["500x", "500x1.5", "500x٣", "x2"])
def test_shift_close_reads_denominations_with_the_one_count_parser(books, caretill, counts):
    caretill("shift", "open", "--float", "500", user="cashier")
    status, refused = caretill("shift", "close", "--denominations", counts, user="cashier")
    assert (status, refused["error"]["code"]) == (2, "invalid_count")
