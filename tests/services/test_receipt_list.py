"""The receipts list: today's at this workstation or a patient's, found by number, last
digits or scanned QR code; newest first and bounded."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from sqlalchemy import update

from pos_app.adapters import tables as t
from pos_app.domain.actors import Actor, Role
from pos_app.domain.clock import system_clock
from pos_app.domain.errors import BadInput, Refused
from pos_app.receipts.model import qr_payload
from pos_app.services.deposit import deposit
from pos_app.services.pay import pay
from pos_app.services.receipt_list import find_receipts
from pos_app.services.receipts import get_receipt
from pos_app.services.reversal import reverse_payment
from pos_app.services.tenders import TenderRequest
from tests.helpers.books import new_key


def _find(books, text="", **options):
    return find_receipts(
        books.app.uow(write=False), actor=books.cashier, workstation="WS01", text=text, **options
    )


def _deposits(books, mrn, count):
    return [
        deposit(
            books.app.uow(),
            actor=books.cashier,
            workstation="WS01",
            mrn=mrn,
            amount=f"{n + 1}00.00",
            method="cash",
            key=new_key(),
        ).receipt_no
        for n in range(count)
    ]


def test_today_at_this_workstation_newest_first_with_amount_and_patient(books):
    books.patient("P1", name="Amina Otieno")
    first, second = _deposits(books, "P1", 2)
    rows = _find(books)
    assert [r.receipt_no for r in rows] == [second, first]
    assert (rows[0].kind, rows[0].amount, rows[0].patient_name, rows[0].mrn) == (
        "deposit",
        Decimal("200.00"),
        "Amina Otieno",
        "P1",
    )


def test_yesterdays_receipts_leave_the_day_list_but_stay_in_the_patients(books):
    books.patient("P1")
    books.patient("P2")
    (old,) = _deposits(books, "P1", 1)
    (new,) = _deposits(books, "P2", 1)
    with books.app.uow() as uow:
        uow.execute(
            update(t.receipts)
            .where(t.receipts.c.receipt_no == old)
            .values(created_at=system_clock() - timedelta(days=2))
        )
        uow.commit()
    assert [r.receipt_no for r in _find(books)] == [new]
    assert [r.receipt_no for r in _find(books, mrn="P1")] == [old]


def test_last_digits_find_the_receipt_and_several_matches_are_listed(books):
    books.patient("P1")
    receipts = _deposits(books, "P1", 13)  # WS01-000001 ... WS01-000013
    assert receipts[-1] == "WS01-000013"
    assert [r.receipt_no for r in _find(books, "13")] == ["WS01-000013"]
    assert [r.receipt_no for r in _find(books, "3")] == ["WS01-000013", "WS01-000003"]
    assert _find(books, "999") == []


def test_full_number_and_scanned_qr_find_a_receipt_of_any_day(books):
    books.patient("P1")
    (receipt_no,) = _deposits(books, "P1", 1)
    with books.app.uow() as uow:
        uow.execute(
            update(t.receipts)
            .where(t.receipts.c.receipt_no == receipt_no)
            .values(created_at=system_clock() - timedelta(days=30))
        )
        uow.commit()
    scanned = qr_payload(
        get_receipt(books.app.uow(), actor=books.cashier, workstation="WS01", receipt_no=receipt_no)
    )
    assert [r.receipt_no for r in _find(books, receipt_no.lower())] == [receipt_no]
    assert [r.receipt_no for r in _find(books, f"  {scanned}\n")] == [receipt_no]


def test_a_broken_qr_text_is_refused_in_words(books):
    with pytest.raises(BadInput) as refused:
        _find(books, "CARETILL:1:WS01-000001:nothex")
    assert refused.value.code == "invalid_receipt_code"


def test_a_reversed_payment_says_so(books):
    mrn = books.patient("P1", balance="2000.00")
    paid = pay(
        books.app.uow(),
        actor=books.cashier,
        workstation="WS01",
        mrn=mrn,
        item_ids=books.bill(mrn, ("CONS", 1)),
        key=new_key(),
        tenders=[TenderRequest("wallet", "1000.00")],
    )
    refund = reverse_payment(
        books.app.uow(),
        actor=books.supervisor,
        workstation="WS01",
        receipt_no=paid.receipt_no,
        reason="Duplicate",
        key=new_key(),
        requested_by=books.cashier,
    )
    rows = {r.receipt_no: r for r in _find(books, mrn=mrn)}
    assert rows[paid.receipt_no].status == "reversed"
    assert (rows[refund.receipt_no].kind, rows[refund.receipt_no].amount) == (
        "refund",
        Decimal("1000.00"),
    )


def test_the_list_is_bounded_and_needs_a_signed_in_cashier(books):
    books.patient("P1")
    _deposits(books, "P1", 4)
    assert len(_find(books, limit=2)) == 2
    with pytest.raises(Refused):
        find_receipts(
            books.app.uow(write=False), actor=Actor(999, "ghost", Role.CASHIER), workstation="WS01"
        )


def test_digits_in_a_patients_list_stay_within_that_patient(books):
    books.patient("P1")
    books.patient("P2")
    _deposits(books, "P1", 1)  # WS01-000001
    _deposits(books, "P2", 1)  # WS01-000002
    assert [r.receipt_no for r in _find(books, "2", mrn="P1")] == []
    assert [r.receipt_no for r in _find(books, "1", mrn="P1")] == ["WS01-000001"]
    assert [r.receipt_no for r in _find(books, "2")] == ["WS01-000002"]
