"""`caretill payer add|cover`, `patient cover` and `pay --payer` from the command line."""

from __future__ import annotations


def test_a_covered_patient_pays_their_share_and_the_payer_the_rest(cli, books):
    mrn = books.patient("P1")
    [lab] = books.bill(mrn, ("LAB", 1))
    assert (
        cli(
            "payer",
            "add",
            "NHIF",
            "--name",
            "National Health Fund",
            "--kind",
            "insurer",
            user="admin",
        )[0]
        == 0
    )
    status, cover = cli(
        "payer", "cover", "NHIF", "--service-kind", "lab_test", "--percent", "80", user="admin"
    )
    assert status == 0 and cover["percent_bp"] == 8000
    status, member = cli(
        "patient",
        "cover",
        mrn,
        "--payer",
        "NHIF",
        "--member-no",
        "M-9",
        "--valid-until",
        "2999-12-31",
        user="cashier",
    )
    assert status == 0 and member["member_no"] == "M-9"
    status, refused = cli(
        "pay",
        mrn,
        "--items",
        str(lab),
        "--tender",
        "cash:500.00",
        "--payer",
        "NHIF",
        user="cashier",
    )
    assert status == 2 and refused["error"]["code"] == "tenders_mismatch"
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
    assert (paid["payer"], paid["payer_share"], paid["patient_share"]) == (
        "NHIF",
        "400.00",
        "100.00",
    )


def test_a_cashier_may_not_add_payers_and_a_lapsed_member_is_not_covered(cli, books):
    mrn = books.patient("P1")
    [lab] = books.bill(mrn, ("LAB", 1))
    assert cli("payer", "add", "NHIF", "--name", "N", "--kind", "insurer", user="cashier")[0] == 3
    cli("payer", "add", "NHIF", "--name", "N", "--kind", "insurer", user="admin")
    cli("payer", "cover", "NHIF", "--service-kind", "lab_test", "--percent", "80", user="admin")
    cli(
        "patient",
        "cover",
        mrn,
        "--payer",
        "NHIF",
        "--member-no",
        "M-9",
        "--valid-until",
        "2000-01-01",
        user="cashier",
    )
    status, refused = cli(
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
    assert status == 3 and refused["error"]["code"] == "not_covered"
