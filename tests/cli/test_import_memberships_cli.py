"""`caretill import memberships FILE`: an imported card lets the patient pay with the payer."""

from __future__ import annotations


def test_imported_memberships_cover_a_payment_and_a_bad_file_exits_2(cli, books, tmp_path):
    mrn = books.patient("P1")
    [lab] = books.bill(mrn, ("LAB", 1))
    cli("payer", "add", "NHIF", "--name", "National Health Fund", "--kind", "insurer", user="admin")
    cli("payer", "cover", "NHIF", "--service-kind", "lab_test", "--percent", "80", user="admin")
    bad = tmp_path / "bad.csv"
    bad.write_text(
        f"mrn,payer_code,member_no\n{mrn},NHIF,M-9\nNOBODY,NHIF,M-10\n", encoding="utf-8"
    )
    status, refused = cli("import", "memberships", str(bad), user="admin")
    assert (status, refused["error"]["code"]) == (2, "invalid_import")
    assert [f["line"] for f in refused["error"]["findings"]] == [3]
    good = tmp_path / "members.csv"
    good.write_text(
        f"mrn,payer_code,member_no,valid_until\n{mrn},NHIF,M-9,2999-12-31\n", encoding="utf-8"
    )
    status, done = cli("import", "memberships", str(good), user="admin")
    assert (status, done["kind"], done["added"]) == (0, "memberships", 1)
    status, paid = cli(
        "pay",
        mrn,
        "--items",
        str(lab),
        "--tender",
        "cash:100.00",
        "--payer",
        "NHIF",
        user="cashier",
    )
    assert status == 0, paid
    assert (paid["payer_share"], paid["patient_share"]) == ("400.00", "100.00")
    assert cli("import", "memberships", str(good), user="admin")[1]["skipped"] == 1
