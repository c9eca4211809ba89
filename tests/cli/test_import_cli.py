"""`caretill import ...` as a script runs it: a real subprocess, exit codes and --json."""

from tests.cli.test_cli_end_to_end import Till


def test_an_admin_imports_a_facility_and_the_books_stay_consistent(tmp_path):
    till = Till(f"sqlite:///{tmp_path / 'till.sqlite3'}", tmp_path)
    assert till.run("db", "upgrade")[0] == 0
    assert till.run("demo", "load", "--patients", "1")[0] == 0
    files = {
        "patients": "\ufeffmrn,name,phone,dob\nIMP001,Achieng Atieno,0733000001,1975-03-09\n",
        "stock": "code,name,quantity,unit\nZINC,Zinc 20 mg x10,50,pack\n",
        "services": "code,name,kind,department,unit_price,stock_code\n"
        "PH-ZINC,Zinc tablets,pharmacy,Pharmacy,75.50,ZINC\n",
        "bills": "bill_no,mrn,service_code,quantity\nIMP-B1,IMP001,PH-ZINC,2\n"
        "IMP-B1,IMP001,CON-GP,1\n",
    }
    for kind, text in files.items():
        path = tmp_path / f"{kind}.csv"
        path.write_text(text, encoding="utf-8")
        status, result = till.run("import", kind, str(path), "--json", user="admin")
        assert (status, result["added"], result["kind"]) == (0, 1, kind)
    status, patient = till.run("patient", "show", "IMP001", "--json")
    assert status == 0
    assert [(i["service_code"], i["amount"]) for i in patient["unpaid_items"]] == [
        ("PH-ZINC", "151.00"),
        ("CON-GP", "1500.00"),
    ]
    status, again = till.run("import", "bills", str(tmp_path / "bills.csv"), "--json", user="admin")
    assert (status, again["added"], again["skipped"]) == (0, 0, 1)
    assert till.run("check", "--json", user="supervisor") == (0, {"ok": True, "findings": []})


def test_a_bad_file_exits_2_and_a_cashier_exits_3(tmp_path):
    till = Till(f"sqlite:///{tmp_path / 'till.sqlite3'}", tmp_path)
    till.run("db", "upgrade")
    till.run("demo", "load", "--patients", "1")
    bad = tmp_path / "bills.csv"
    bad.write_text(
        "bill_no,mrn,service_code,quantity,unit_price\nB1,MRN000001,CON-GP,1,12.345\n"
        "B2,NOBODY,CON-GP,1,\n",
        encoding="utf-8",
    )
    status, result = till.run("import", "bills", str(bad), "--json", user="admin")
    assert (status, result["error"]["code"]) == (2, "invalid_import")
    assert "line 2:" in result["error"]["message"] and "line 3:" in result["error"]["message"]
    assert [finding["line"] for finding in result["error"]["findings"]] == [2, 3]
    status, result = till.run("import", "bills", str(bad), "--json", user="cashier")
    assert (status, result["error"]["code"]) == (3, "permission_denied")
