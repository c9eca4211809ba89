"""`caretill bill new` as a script runs it: bill a walk-in, replay, conflict, refusals, pay it."""

from decimal import Decimal

from tests.cli.test_cli_end_to_end import Till, empty_db  # noqa: F401 - the fixture

SERVICES = (
    "code,name,kind,department,unit_price,active\n"
    "OLD-XRAY,Film x-ray (retired),procedure,Radiology,900,no\n"
)


def test_a_walk_in_is_registered_billed_and_paid_from_the_command_line(empty_db, tmp_path):  # noqa: F811
    till = Till(empty_db, tmp_path)
    assert till.run("db", "upgrade")[0] == 0
    assert till.run("demo", "load", "--patients", "2", "--seed", "5")[0] == 0
    retired = tmp_path / "services.csv"
    retired.write_text(SERVICES, encoding="utf-8")
    assert till.run("import", "services", str(retired), user="admin")[0] == 0
    assert till.run("shift", "open", "--float", "0")[0] == 0
    assert till.run("patient", "add", "--mrn", "WALK01", "--name", "Zawadi Mwangi")[0] == 0

    status, refused = till.run(
        "bill",
        "new",
        "WALK01",
        "--line",
        "CON-GP",
        "--line",
        "OLD-XRAY",
        "--key",
        "bill-walk-01",
        "--json",
    )
    assert status == 2 and refused["error"]["code"] == "service_inactive"
    status, shown = till.run("patient", "show", "WALK01", "--json")
    assert status == 0 and shown["unpaid_items"] == [], "a refused bill writes nothing"

    # The refused request left the key unused: the real bill takes it.
    args = (
        "bill",
        "new",
        "WALK01",
        "--line",
        "CON-GP",
        "--line",
        "LAB-FBC:2",
        "--line",
        "PH-AMOX:3",
        "--key",
        "bill-walk-01",
        "--json",
    )
    status, bill = till.run(*args)
    assert status == 0, bill
    assert bill["bill_no"].startswith("TWS07-") and bill["mrn"] == "WALK01"
    assert [(i["service_code"], i["quantity"]) for i in bill["items"]] == [
        ("CON-GP", 1),
        ("LAB-FBC", 2),
        ("PH-AMOX", 3),
    ]
    assert all({"id", "service_code", "quantity", "amount"} <= set(i) for i in bill["items"])
    assert Decimal(bill["total"]) == sum(Decimal(i["amount"]) for i in bill["items"])
    assert bill["replayed"] is False

    status, replay = till.run(*args)
    assert status == 0 and replay["replayed"] is True
    assert (replay["bill_no"], replay["items"]) == (bill["bill_no"], bill["items"])
    status, conflict = till.run(
        "bill", "new", "WALK01", "--line", "CON-GP", "--key", "bill-walk-01", "--json"
    )
    assert status == 4 and conflict["error"]["code"] == "idempotency_conflict"

    status, shown = till.run("patient", "show", "WALK01", "--json")
    assert [(i["id"], i["bill_no"], i["amount"]) for i in shown["unpaid_items"]] == [
        (i["id"], bill["bill_no"], i["amount"]) for i in bill["items"]
    ]

    tendered = Decimal(bill["total"]) + 500
    status, paid = till.run(
        "pay",
        "WALK01",
        "--bill",
        bill["bill_no"],
        "--tender",
        f"cash:{bill['total']}:{tendered}",
        "--json",
    )
    assert status == 0, paid
    assert sorted(paid["items"]) == sorted(i["id"] for i in bill["items"])
    assert (paid["amount"], paid["change"]) == (bill["total"], "500.00")
    status, shown = till.run("patient", "show", "WALK01", "--json")
    assert shown["unpaid_items"] == []
    assert till.run("check", "--json", user="supervisor") == (0, {"ok": True, "findings": []})


def test_text_output_lists_the_items_and_prints_a_generated_key(tmp_path):
    till = Till(f"sqlite:///{tmp_path / 'till.sqlite3'}", tmp_path)
    till.run("db", "upgrade")
    till.run("demo", "load", "--patients", "1")
    status, output = till.run("bill", "new", "MRN000001", "--line", "LAB-MAL:2")
    assert status == 0, output
    assert "Raised bill TWS07-" in output and "LAB-MAL" in output and "x2" in output
    assert "Total KES 900.00" in output and "Key: cli-" in output
    status, output = till.run("bill", "new", "MRN000001", "--line", "LAB-MAL:x", "--json")
    assert (status, output["error"]["code"]) == (2, "invalid_quantity")
    status, output = till.run("bill", "new", "MRN000001", "--json")
    assert (status, output["error"]["code"]) == (2, "usage")
