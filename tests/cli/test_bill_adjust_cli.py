"""`caretill bill adjust` as a script runs it: a walk-in billed, a discount asked for (pending)
and approved, one approved on the spot, the net paid, the receipt showing gross, each
adjustment and net, the report's gross less adjustments equal to its net."""

from decimal import Decimal

from tests.cli.test_cli_end_to_end import Till, empty_db  # noqa: F401 - the fixture


def test_a_walk_in_gets_a_discount_pays_the_net_and_the_receipt_shows_it(empty_db, tmp_path):  # noqa: F811
    till = Till(empty_db, tmp_path)
    assert till.run("db", "upgrade")[0] == 0
    assert till.run("demo", "load", "--patients", "1", "--seed", "5")[0] == 0
    assert till.run("shift", "open", "--float", "0")[0] == 0
    assert till.run("patient", "add", "--mrn", "WALK09", "--name", "Neema Achieng")[0] == 0
    status, bill = till.run(
        "bill", "new", "WALK09", "--line", "CON-GP", "--line", "LAB-FBC", "--json"
    )
    assert status == 0, bill
    cons, lab = (item["id"] for item in bill["items"])

    status, codes = till.run("bill", "reason-codes", "--json")
    assert status == 0 and "staff" in codes["reason_codes"]
    status, pending = till.run(
        "bill",
        "adjust",
        str(cons),
        "--kind",
        "discount",
        "--percent",
        "10",
        "--reason-code",
        "staff",
        "--json",
    )
    assert status == 0, pending
    assert {"item_id", "kind", "amount", "status", "request_id", "amount_due"} <= set(pending)
    assert (pending["status"], pending["item_id"]) == ("pending", cons)
    assert pending["request_id"] is not None
    status, approved = till.run(
        "approval", "approve", str(pending["request_id"]), "--json", user="supervisor"
    )
    assert status == 0, approved
    status, shown = till.run("patient", "show", "WALK09", "--json")
    gp = Decimal(bill["items"][0]["amount"])  # 10 % of it: whole minor units here
    assert Decimal({i["id"]: i["amount_due"] for i in shown["unpaid_items"]}[cons]) == gp * 9 / 10

    till.env["CARETILL_APPROVER_PASSWORD"] = "supervisor"
    args = (
        "bill",
        "adjust",
        str(lab),
        "--kind",
        "discount",
        "--amount",
        "100",
        "--reason-code",
        "indigent",
        "--approver",
        "supervisor",
        "--key",
        "adj-lab-0001",
        "--json",
    )
    status, applied = till.run(*args)
    assert status == 0, applied
    assert applied["status"] == "applied" and applied["amount"] == "100.00"
    status, again = till.run(*args)
    assert status == 0 and again["replayed"] is True

    status, shown = till.run("patient", "show", "WALK09", "--json")
    due = {i["id"]: Decimal(i["amount_due"]) for i in shown["unpaid_items"]}
    assert due[lab] == Decimal(applied["amount_due"])
    total = sum(due.values())
    status, paid = till.run(
        "pay", "WALK09", "--bill", bill["bill_no"], "--tender", f"cash:{total}", "--json"
    )
    assert status == 0, paid
    assert Decimal(paid["amount"]) == total == Decimal(bill["total"]) - 100 - gp / 10

    status, refused = till.run(
        "bill", "adjust", str(lab), "--kind", "waiver", "--reason-code", "goodwill", "--json"
    )
    assert status == 3 and refused["error"]["code"] == "item_not_adjustable"

    status, text = till.run("receipt", "show", paid["receipt_no"])
    assert status == 0
    assert "Discount (indigent)" in text and "-100.00" in text and "Gross" in text
    assert "Discount (staff)" in text
    status, report = till.run("report", "daily", "--json", user="supervisor")
    assert status == 0
    totals = report["totals"]
    assert Decimal(totals["gross"]) - Decimal(totals["adjustments"]) == Decimal(totals["net"])
    assert [(x["label"], x["amount"]) for x in report["adjustments_by_reason"]] == [
        ("indigent", "100.00"),
        ("staff", f"{gp / 10:.2f}"),
    ]
    assert till.run("check", "--json", user="supervisor") == (0, {"ok": True, "findings": []})
