"""`caretill credit limit`, `account statement|settle` and `payer claims` end to end."""

from __future__ import annotations

from pos_app.services import payers
from pos_app.services.pay import pay
from pos_app.services.tenders import TenderRequest
from tests.helpers.books import new_key


def test_credit_then_statement_then_settlement(books, cli):
    mrn = books.patient("P1")
    status, asked = cli("credit", "limit", mrn, "1000.00", user="cashier")
    assert status == 0 and asked["status"] == "pending"
    assert cli("approval", "approve", str(asked["id"]))[0] == 0
    items = books.bill(mrn, ("CONS", 1))
    status, paid = cli(
        "pay", mrn, "--items", str(items[0]), "--tender", "credit:1000.00", user="cashier"
    )
    assert status == 0, paid
    status, shown = cli("account", "statement", "--patient", mrn, user="cashier")
    assert status == 0
    assert shown["account"] == f"patient:{mrn}" and shown["balance"] == "1000.00"
    assert [
        (e["kind"], e["amount"], e["balance_after"], e["receipt_no"]) for e in shown["entries"]
    ] == [("credit", "1000.00", "1000.00", paid["receipt_no"])]
    status, done = cli(
        "account",
        "settle",
        "--patient",
        mrn,
        "400.00",
        "--method",
        "cash",
        "--key",
        "settle-1",
        user="cashier",
    )
    assert status == 0 and done["balance_after"] == "600.00"
    status, again = cli(
        "account",
        "settle",
        "--patient",
        mrn,
        "400.00",
        "--method",
        "cash",
        "--key",
        "settle-1",
        user="cashier",
    )
    assert status == 0 and again["replayed"] and again["receipt_no"] == done["receipt_no"]
    status, refused = cli(
        "pay",
        mrn,
        "--items",
        str(books.bill(mrn, ("DRUG", 5))[0]),
        "--tender",
        "credit:500.00",
        user="cashier",
    )
    assert status == 3 and refused["error"]["code"] == "credit_limit_exceeded"


def test_payer_claims_csv_to_a_file(books, cli, tmp_path):
    payers.add_payer(
        books.app.uow(),
        actor=books.admin,
        workstation="WS01",
        code="NHIF",
        name="National Health",
        kind="insurer",
    )
    payers.set_cover(
        books.app.uow(),
        actor=books.admin,
        workstation="WS01",
        code="NHIF",
        service_kind="lab_test",
        percent="80",
    )
    mrn = books.patient("P1")
    payers.cover_patient(
        books.app.uow(),
        actor=books.cashier,
        workstation="WS01",
        mrn=mrn,
        payer_code="NHIF",
        member_no="M-1",
    )
    pay(
        books.app.uow(),
        actor=books.cashier,
        workstation="WS01",
        mrn=mrn,
        payer="NHIF",
        item_ids=books.bill(mrn, ("LAB", 1)),
        key=new_key(),
        tenders=[TenderRequest("cash", "100.00")],
    )
    out = tmp_path / "claim.csv"
    status, claim = cli("payer", "claims", "NHIF", "--format", "csv", "--out", str(out))
    assert status == 0 and claim["batch_no"] == "CLM-NHIF-000001"
    assert out.read_text().splitlines()[1].endswith("500.00,400.00")
    status, none = cli("payer", "claims", "NHIF")
    assert status == 0 and none["batch_no"] is None
