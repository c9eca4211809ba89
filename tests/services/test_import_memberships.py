"""`import memberships`: the patients' cover cards from CSV, whole or not at all, re-runs
harmless, and a covered patient then pays with the payer."""

from __future__ import annotations

from datetime import date

from sqlalchemy import select

from pos_app.adapters import tables as t
from pos_app.services import payers
from tests.services.test_imports import audit_details, check_clean, refused_lines, run
from tests.services.test_payers import scheme

GOOD = (
    "mrn,payer_code,member_no,valid_until\n"
    "P1,nhif,NH-0001,2030-12-31\n"
    "P2,NHIF,NH  0002,\n"
    "P1,CORP,EMP/77,\n"
)


def _memberships(books) -> set[tuple]:
    m = t.memberships.c
    with books.app.uow(write=False) as uow:
        return set(
            uow.execute(
                select(t.patients.c.mrn, t.payers.c.code, m.member_no, m.valid_until)
                .join(t.patients, t.patients.c.id == m.patient_id)
                .join(t.payers, t.payers.c.id == m.payer_id)
            ).all()
        )


def _setup(books) -> None:
    books.patient("P1")
    books.patient("P2")
    scheme(books, ("consultation", "80", None, "visit", None))
    scheme(books, code="CORP")


def test_memberships_are_added_and_the_patient_is_then_covered(books):
    _setup(books)
    result = run(books, "memberships", GOOD, bom=True)
    assert (result.rows, result.added, result.updated, result.skipped) == (3, 3, 0, 0)
    assert _memberships(books) == {
        ("P1", "NHIF", "NH-0001", date(2030, 12, 31)),
        ("P2", "NHIF", "NH 0002", None),
        ("P1", "CORP", "EMP/77", None),
    }
    found = payers.memberships(
        books.app.uow(), actor=books.cashier, mrn="P1", today=date(2030, 12, 31)
    )
    assert {(m.payer_code, m.member_no) for m in found} == {("NHIF", "NH-0001"), ("CORP", "EMP/77")}
    [event] = audit_details(books, "import.memberships")
    assert (event["added"], event["source"]) == (3, "memberships.csv")
    check_clean(books)


def test_importing_the_same_file_again_changes_nothing_and_a_renewal_updates(books):
    _setup(books)
    run(books, "memberships", GOOD)
    before = books.snapshot()["memberships"]
    again = run(books, "memberships", GOOD)
    assert (again.added, again.updated, again.skipped) == (0, 0, 3)
    assert books.snapshot()["memberships"] == before
    renewed = run(
        books, "memberships", "mrn,payer_code,member_no,valid_until\nP2,NHIF,NH 0002,2031-06-30\n"
    )
    assert (renewed.added, renewed.updated, renewed.skipped) == (0, 1, 0)
    assert ("P2", "NHIF", "NH 0002", date(2031, 6, 30)) in _memberships(books)
    assert len(audit_details(books, "import.memberships")) == 3
    check_clean(books)


def test_a_file_with_an_unknown_mrn_or_payer_is_refused_and_nothing_written(books):
    _setup(books)
    bad = refused_lines(
        books,
        "memberships",
        "mrn,payer_code,member_no,valid_until\n"
        "P1,NHIF,NH-0001,\n"
        "P9,NHIF,NH-0009,\n"
        "P2,NOPE,X-1,\n"
        "P2,CORP,,\n"
        "P2,NHIF,NH-2,31/12/2030\n"
        "P1,NHIF,NH-other,\n",
    )
    assert sorted(bad) == [3, 4, 5, 6, 7]
    assert "no patient has MRN P9" in bad[3] and "no payer has code NOPE" in bad[4]
    assert "member_no is empty" in bad[5] and "YYYY-MM-DD" in bad[6]
    assert "on line 2" in bad[7]
    assert _memberships(books) == set()
