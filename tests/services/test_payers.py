"""Payments with a payer (SPEC rule 13): the split, its rows, refusals and reversal."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest
from sqlalchemy import insert, select, update

from pos_app.adapters import tables as t
from pos_app.domain.errors import BadInput, Refused
from pos_app.receipts.text import render_text
from pos_app.services import payers
from pos_app.services.check import run_check
from pos_app.services.pay import pay
from pos_app.services.receipts import get_receipt
from pos_app.services.reversal import reverse_payment
from tests.helpers.books import Books, new_key
from tests.helpers.money import tender


def scheme(
    books: Books, *covers: tuple[str, str, str | None, str, str | None], code: str = "NHIF"
) -> None:
    """A payer with (service kind, percent, co-pay, co-pay per, cap) covers."""
    ws = books.app.workstation
    payers.add_payer(
        books.app.uow(),
        actor=books.admin,
        workstation=ws,
        code=code,
        name="National Health Fund",
        kind="insurer",
    )
    for kind, percent, copay, per, cap in covers:
        payers.set_cover(
            books.app.uow(),
            actor=books.admin,
            workstation=ws,
            code=code,
            service_kind=kind,
            percent=percent,
            copay=copay,
            copay_per=per,
            cap=cap,
        )


def member(books: Books, mrn: str, *, code: str = "NHIF", until: date | None = None) -> None:
    payers.cover_patient(
        books.app.uow(),
        actor=books.cashier,
        workstation="WS01",
        mrn=mrn,
        payer_code=code,
        member_no="M-123",
        valid_until=until,
    )


def pay_with(books: Books, mrn: str, items: list[int], *tenders, payer: str = "NHIF"):
    return pay(
        books.app.uow(),
        actor=books.cashier,
        workstation="WS01",
        mrn=mrn,
        item_ids=items,
        tenders=list(tenders),
        key=new_key(),
        payer=payer,
    )


def payer_account(books: Books) -> tuple[int, list[tuple]]:
    with books.app.uow(write=False) as uow:
        balance = uow.execute(select(t.receivable_accounts.c.balance_minor)).scalar_one()
        entries = uow.execute(
            select(
                t.receivable_entries.c.kind,
                t.receivable_entries.c.amount_minor,
                t.receivable_entries.c.balance_after_minor,
            ).order_by(t.receivable_entries.c.id)
        ).all()
    return balance, [tuple(e) for e in entries]


def test_80_percent_lab_cover_splits_the_due(books):
    scheme(books, ("lab_test", "80", None, "visit", None))
    mrn = books.patient("P1")
    member(books, mrn)
    [lab] = books.bill(mrn, ("LAB", 1))
    result = pay_with(books, mrn, [lab], tender("cash", "100.00"))
    assert (result.payer, result.payer_share, result.patient_share) == (
        "NHIF",
        Decimal("400.00"),
        Decimal("100.00"),
    )
    assert result.to_json()["payer_share"] == "400.00"
    assert payer_account(books) == (40000, [("payer_share", 40000, 40000)])
    with books.app.uow(write=False) as uow:
        shares = uow.execute(
            select(
                t.payer_shares.c.bill_item_id,
                t.payer_shares.c.member_no,
                t.payer_shares.c.amount_minor,
            )
        ).all()
        paid = uow.execute(select(t.payments.c.amount_minor)).scalar_one()
    assert [tuple(s) for s in shares] == [(lab, "M-123", 40000)]
    assert paid == 10000
    assert books.item_status(lab) == "paid"
    assert books.count("lab_results") == 1


def test_tenders_for_the_gross_are_refused_and_nothing_is_written(books):
    scheme(books, ("lab_test", "80", None, "visit", None))
    mrn = books.patient("P1")
    member(books, mrn)
    [lab] = books.bill(mrn, ("LAB", 1))
    before = books.snapshot()
    with pytest.raises(BadInput) as caught:
        pay_with(books, mrn, [lab], tender("cash", "500.00"))
    assert caught.value.code == "tenders_mismatch"
    assert books.snapshot() == before


def test_copay_and_cap_move_money_to_the_patient(books):
    scheme(
        books, ("lab_test", "100", "50", "visit", None), ("pharmacy", "100", None, "visit", "120")
    )
    mrn = books.patient("P1")
    member(books, mrn)
    items = books.bill(mrn, ("LAB", 1), ("DRUG", 2))  # 500 lab, 200 drugs
    result = pay_with(books, mrn, items, tender("cash", "130.00"))
    assert (result.payer_share, result.patient_share) == (Decimal("570.00"), Decimal("130.00"))
    assert payer_account(books)[0] == 57000


def test_a_fully_covered_selection_needs_no_tender(books):
    scheme(books, ("consultation", "100", None, "visit", None))
    mrn = books.patient("P1")
    member(books, mrn)
    [cons] = books.bill(mrn, ("CONS", 1))
    result = pay_with(books, mrn, [cons])
    assert (result.patient_share, result.tenders) == (Decimal("0.00"), [])
    assert books.item_status(cons) == "paid"


@pytest.mark.parametrize("case", ["lapsed", "kind", "not_member"])
def test_not_covered_is_refused_and_nothing_is_written(books, case):
    scheme(books, ("lab_test", "80", None, "visit", None))
    mrn = books.patient("P1")
    if case != "not_member":
        member(books, mrn, until=date.today() - timedelta(days=1) if case == "lapsed" else None)
    items = books.bill(mrn, ("LAB", 1), *([("DRUG", 1)] if case == "kind" else []))
    before = books.snapshot()
    with pytest.raises(Refused) as caught:
        pay_with(books, mrn, items, tender("cash", "100.00"))
    assert caught.value.code == "not_covered"
    assert books.snapshot() == before


def test_a_reversal_takes_the_payers_shares_back_off_its_account(books):
    scheme(books, ("lab_test", "80", None, "visit", None), ("pharmacy", "50", None, "visit", None))
    mrn = books.patient("P1")
    member(books, mrn)
    lab, drug = books.bill(mrn, ("LAB", 1), ("DRUG", 1))
    paid = pay_with(books, mrn, [lab, drug], tender("cash", "150.00"))
    refund = reverse_payment(
        books.app.uow(),
        actor=books.supervisor,
        workstation="WS01",
        receipt_no=paid.receipt_no,
        reason="wrong patient",
        key=new_key(),
        item_ids=[drug],
    )
    assert refund.amount == Decimal("50.00")
    assert payer_account(books) == (
        40000,
        [("payer_share", 45000, 45000), ("reversal", -5000, 40000)],
    )
    reverse_payment(
        books.app.uow(),
        actor=books.supervisor,
        workstation="WS01",
        receipt_no=paid.receipt_no,
        reason="wrong patient",
        key=new_key(),
    )
    assert payer_account(books)[0] == 0
    assert not run_check(books.app.uow(), actor=books.supervisor)


def test_a_fully_covered_payment_is_reversed_with_a_zero_refund(books):
    scheme(books, ("consultation", "100", None, "visit", None))
    mrn = books.patient("P1")
    member(books, mrn)
    [cons] = books.bill(mrn, ("CONS", 1))
    paid = pay_with(books, mrn, [cons])
    share = payer_account(books)[0]
    assert share > 0
    refund = reverse_payment(
        books.app.uow(),
        actor=books.supervisor,
        workstation="WS01",
        receipt_no=paid.receipt_no,
        reason="wrong patient",
        key=new_key(),
    )
    assert (refund.amount, refund.payouts, refund.payment_reversed) == (Decimal("0.00"), [], True)
    assert payer_account(books) == (0, [("payer_share", share, share), ("reversal", -share, 0)])
    assert books.item_status(cons) == "unpaid"
    receipt = get_receipt(
        books.app.uow(), actor=books.cashier, workstation="WS01", receipt_no=refund.receipt_no
    )
    assert (receipt.kind, receipt.total, receipt.reverses_receipt_no) == (
        "refund",
        Decimal("0.00"),
        paid.receipt_no,
    )
    assert not run_check(books.app.uow(), actor=books.supervisor)


def test_check_is_clean_after_payer_payments_and_catches_a_share_without_its_entry(books):
    scheme(books, ("lab_test", "80", None, "visit", None))
    mrn = books.patient("P1")
    member(books, mrn)
    lab, lab2 = books.bill(mrn, ("LAB", 1), ("LAB", 1))
    paid = pay_with(books, mrn, [lab], tender("cash", "100.00"))
    assert not run_check(books.app.uow(), actor=books.supervisor, full=True)
    with books.app.uow() as uow:  # a share the payer's account never heard of
        payment_id, payer_id = uow.execute(
            select(t.payer_shares.c.payment_id, t.payer_shares.c.payer_id)
        ).one()
        uow.execute(
            insert(t.payer_shares).values(
                payment_id=payment_id,
                bill_item_id=lab2,
                payer_id=payer_id,
                member_no="M-123",
                amount_minor=100,
            )
        )
        uow.commit()
    rules = {f.rule for f in run_check(books.app.uow(), actor=books.supervisor, full=True)}
    assert "payer_shares_in_ledger" in rules
    assert paid.receipt_no


def test_check_catches_a_receivable_balance_off_its_entries(books):
    scheme(books, ("lab_test", "80", None, "visit", None))
    mrn = books.patient("P1")
    member(books, mrn)
    [lab] = books.bill(mrn, ("LAB", 1))
    pay_with(books, mrn, [lab], tender("cash", "100.00"))
    with books.app.uow() as uow:
        uow.execute(update(t.receivable_accounts).values(balance_minor=1))
        uow.commit()
    rules = {f.rule for f in run_check(books.app.uow(), actor=books.supervisor, full=True)}
    assert "receivable_balance_equals_entries" in rules


def test_the_receipt_names_the_payer_and_both_shares(books):
    scheme(books, ("lab_test", "80", None, "visit", None))
    mrn = books.patient("P1")
    member(books, mrn)
    [lab] = books.bill(mrn, ("LAB", 1))
    paid = pay_with(books, mrn, [lab], tender("cash", "100.00"))
    receipt = get_receipt(
        books.app.uow(write=False),
        actor=books.cashier,
        workstation="WS01",
        receipt_no=paid.receipt_no,
    )
    assert (receipt.payer_name, receipt.member_no, receipt.payer_share, receipt.total) == (
        "National Health Fund",
        "M-123",
        Decimal("400.00"),
        Decimal("100.00"),
    )
    printed = "\n".join(render_text(receipt))
    for text in ("National Health Fund", "M-123", "Payer share", "400.00", "PATIENT SHARE"):
        assert text in printed


def test_the_preview_shows_the_split_the_payment_then_makes_and_writes_nothing(books):
    scheme(books, ("lab_test", "80", "50", "visit", None), ("pharmacy", "50", None, "visit", None))
    mrn = books.patient("P1")
    member(books, mrn)
    items = books.bill(mrn, ("LAB", 1), ("DRUG", 2))
    before = books.snapshot()
    preview = payers.preview_split(
        books.app.uow(), actor=books.cashier, mrn=mrn, item_ids=items, payer="NHIF"
    )
    assert books.snapshot() == before, "a preview is read-only"
    paid = pay_with(books, mrn, items, tender("cash", str(preview.patient_share)))
    assert (paid.payer_share, paid.patient_share) == (preview.payer_share, preview.patient_share)
    assert preview.payer_share + preview.patient_share == Decimal("700.00")


def test_list_payers_shows_each_scheme_and_needs_an_admin(books):
    scheme(
        books, ("lab_test", "80", "100", "visit", "20000"), ("pharmacy", "50", None, "item", None)
    )
    [nhif] = payers.list_payers(books.app.uow(), actor=books.admin)
    assert (nhif.code, nhif.name, nhif.kind) == ("NHIF", "National Health Fund", "insurer")
    assert nhif.covers == [
        payers.CoverView(
            "lab_test", Decimal("80"), Decimal("100.00"), "visit", Decimal("20000.00")
        ),
        payers.CoverView("pharmacy", Decimal("50"), Decimal("0.00"), "item", None),
    ]
    with pytest.raises(Refused) as refused:
        payers.list_payers(books.app.uow(), actor=books.cashier)
    assert refused.value.code == "permission_denied"
