"""Claims: each payer share claimed once across numbered batches; settling a batch."""

import csv
import io
from decimal import Decimal

from pos_app.services import payers
from pos_app.services.accounts import Debtor, settle
from pos_app.services.claims import export_claim, to_csv, write_pdf
from pos_app.services.pay import pay
from tests.helpers.books import new_key
from tests.helpers.money import tender


def _setup_payer(books):
    payers.add_payer(
        books.app.uow(),
        actor=books.admin,
        workstation="WS01",
        code="NHIF",
        name="National Health",
        kind="insurer",
    )
    for kind in ("lab_test", "consultation"):
        payers.set_cover(
            books.app.uow(),
            actor=books.admin,
            workstation="WS01",
            code="NHIF",
            service_kind=kind,
            percent="80",
        )


def _covered_payment(books, mrn, *lines):
    payers.cover_patient(
        books.app.uow(),
        actor=books.cashier,
        workstation="WS01",
        mrn=mrn,
        payer_code="NHIF",
        member_no=f"M-{mrn}",
    )
    items = books.bill(mrn, *lines)
    due = sum({"LAB": Decimal("500.00"), "CONS": Decimal("1000.00")}[c] * q for c, q in lines)
    return pay(
        books.app.uow(),
        actor=books.cashier,
        workstation="WS01",
        mrn=mrn,
        item_ids=items,
        key=new_key(),
        payer="NHIF",
        tenders=[tender("cash", str(due / 5))],
    )


def _claim(books):
    return export_claim(books.app.uow(), actor=books.supervisor, workstation="WS01", code="NHIF")


def test_each_item_is_claimed_once_across_two_batches(books, tmp_path):
    _setup_payer(books)
    first = _covered_payment(books, books.patient("P1"), ("LAB", 1), ("CONS", 1))
    one = _claim(books)
    assert one.batch_no == "CLM-NHIF-000001"
    assert [(i.receipt_no, i.member_no, i.gross, i.payer_share) for i in one.items] == [
        (first.receipt_no, "M-P1", Decimal("500.00"), Decimal("400.00")),
        (first.receipt_no, "M-P1", Decimal("1000.00"), Decimal("800.00")),
    ]
    second = _covered_payment(books, books.patient("P2", name="=HYPERLINK(1)"), ("LAB", 1))
    two = _claim(books)
    assert two.batch_no == "CLM-NHIF-000002"
    lines = list(csv.DictReader(io.StringIO(to_csv(two))))
    assert [(x["receipt_no"], x["payer_share"]) for x in lines] == [(second.receipt_no, "400.00")]
    assert lines[0]["patient"] == "'=HYPERLINK(1)"
    empty = _claim(books)
    assert empty.batch_no is None and empty.items == []
    write_pdf(two, tmp_path / "claim.pdf")
    assert (tmp_path / "claim.pdf").read_bytes().startswith(b"%PDF")


def test_a_settlement_naming_a_batch_pays_its_charges_first(books):
    _setup_payer(books)
    old = _covered_payment(books, books.patient("P1"), ("CONS", 1))
    _claim(books)
    new = _covered_payment(books, books.patient("P2"), ("LAB", 1))
    batch = _claim(books)
    done = settle(
        books.app.uow(),
        actor=books.cashier,
        workstation="WS01",
        debtor=Debtor(payer="NHIF"),
        amount="400.00",
        method="bank_transfer",
        reference="EFT-1",
        claim=batch.batch_no,
        key=new_key(),
    )
    assert [(a.receipt_no, a.amount) for a in done.allocations] == [
        (new.receipt_no, Decimal("400.00"))
    ]
    assert done.balance_after == Decimal("800.00")
    assert old.receipt_no != new.receipt_no
