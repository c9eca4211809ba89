"""SPEC rules 1 to 4 for payments: one cascade for every method, exact tenders,
nothing written on a refusal."""

import json
from decimal import Decimal

import pytest
from sqlalchemy import select

from pos_app.adapters import tables as t
from pos_app.domain.errors import BadInput, NotFound, Refused
from pos_app.services.check import run_check
from pos_app.services.pay import pay
from pos_app.services.tenders import TenderRequest
from tests.helpers.books import new_key
from tests.helpers.money import pay_items, tender


def lab_statuses(books, item_id):
    with books.app.uow(write=False) as uow:
        return (
            uow.execute(
                select(t.lab_results.c.status).where(t.lab_results.c.bill_item_id == item_id)
            )
            .scalars()
            .all()
        )


def test_wallet_payment_runs_the_whole_cascade(books):
    mrn = books.patient("P1", balance="5000.00")
    items = books.bill(mrn, ("CONS", 1), ("LAB", 1), ("DRUG", 3))
    result = pay_items(books, mrn, items, tender("wallet", "1800.00"))
    assert result.amount == Decimal("1800.00")
    assert result.wallet_balance_after == Decimal("3200.00")
    assert result.receipt_no == "WS01-000002"  # the deposit took 000001
    assert books.balance(mrn) == Decimal("3200.00")
    assert [books.item_status(i) for i in items] == ["paid"] * 3
    assert books.stock_on_hand() == 7
    assert lab_statuses(books, items[1]) == ["pending"]
    with books.app.uow(write=False) as uow:
        assert uow.execute(select(t.bills.c.status)).scalars().all() == ["paid"]
    assert run_check(books.app.uow(), actor=books.supervisor) == []


@pytest.mark.parametrize(
    "method,extra",
    [
        ("cash", None),
        ("card", "AUTH-1"),
        ("mobile_money", "MM-TX-1"),
        ("insurance", "NHIF-1"),
        ("wallet", None),
    ],
)
def test_every_method_runs_the_same_cascade(books, method, extra):
    mrn = books.patient("P1", balance="2000.00")
    items = books.bill(mrn, ("LAB", 1), ("DRUG", 1))
    result = pay_items(books, mrn, items, tender(method, "600.00", extra))
    assert [books.item_status(i) for i in items] == ["paid", "paid"]
    assert books.stock_on_hand() == 9
    assert lab_statuses(books, items[0]) == ["pending"]
    expected_balance = Decimal("1400.00") if method == "wallet" else Decimal("2000.00")
    assert result.wallet_balance_after == books.balance(mrn) == expected_balance
    assert run_check(books.app.uow(), actor=books.supervisor) == []


def test_split_wallet_and_cash_pays_with_change(books):
    mrn = books.patient("P1", balance="300.00")
    items = books.bill(mrn, ("DRUG", 5))
    result = pay_items(
        books, mrn, items, tender("wallet", "300.00"), tender("cash", "200.00", "1000.00")
    )
    assert result.change == Decimal("800.00")
    assert books.balance(mrn) == Decimal("0.00")
    cash = next(line for line in result.tenders if line.method == "cash")
    assert (cash.cash_tendered, cash.change) == (Decimal("1000.00"), Decimal("800.00"))


def test_paying_by_bill_number_pays_its_unpaid_items(books):
    mrn = books.patient("P1", balance="5000.00")
    items = books.bill(mrn, ("CONS", 1), ("PROC", 1))
    result = pay(
        books.app.uow(),
        actor=books.cashier,
        workstation="WS01",
        mrn=mrn,
        bill_no=books.bill_no_of(items[0]),
        tenders=[TenderRequest("wallet", "3500.00")],
        key=new_key(),
    )
    assert result.items == items


def test_a_partly_paid_bill_stays_open_until_its_last_item_is_paid(books):
    mrn = books.patient("P1", balance="5000.00")
    items = books.bill(mrn, ("CONS", 1), ("PROC", 1))
    pay_items(books, mrn, items[:1], tender("wallet", "1000.00"))
    with books.app.uow(write=False) as uow:
        assert uow.execute(select(t.bills.c.status)).scalar_one() == "open"
    pay_items(books, mrn, items[1:], tender("wallet", "2500.00"))
    with books.app.uow(write=False) as uow:
        assert uow.execute(select(t.bills.c.status)).scalar_one() == "paid"


def test_sub_unit_amounts_add_up_exactly(books):
    mrn = books.patient("P1", balance="0.30")
    items = books.bill(mrn, ("MISC", 1), ("MISC", 2))
    pay_items(books, mrn, items, tender("wallet", "0.10"), tender("cash", "0.20"))
    assert books.balance(mrn) == Decimal("0.20")


def refused(books, error, code, call):
    before = books.snapshot()
    with pytest.raises(error) as caught:
        call()
    assert caught.value.code == code
    assert books.snapshot() == before, "a refusal must write nothing"
    return caught.value


def test_wallet_tender_above_balance_is_refused_naming_the_balance(books):
    mrn = books.patient("P1", balance="300.00")
    items = books.bill(mrn, ("CONS", 1))
    error = refused(
        books,
        Refused,
        "insufficient_wallet_balance",
        lambda: pay_items(books, mrn, items, tender("wallet", "1000.00")),
    )
    assert "300.00" in error.message


def test_tenders_that_do_not_add_up_are_refused(books):
    mrn = books.patient("P1", balance="5000.00")
    items = books.bill(mrn, ("CONS", 1))
    refused(
        books,
        BadInput,
        "tenders_mismatch",
        lambda: pay_items(books, mrn, items, tender("wallet", "999.99")),
    )
    refused(
        books,
        BadInput,
        "tenders_mismatch",
        lambda: pay_items(books, mrn, items, tender("wallet", "600"), tender("cash", "500")),
    )


def test_another_patients_item_is_refused(books):
    mrn = books.patient("P1", balance="5000.00")
    other = books.patient("P2")
    items = books.bill(other, ("CONS", 1))
    refused(
        books,
        Refused,
        "item_not_payable",
        lambda: pay_items(books, mrn, items, tender("wallet", "1000.00")),
    )


def test_another_patients_bill_is_refused(books):
    mrn = books.patient("P1", balance="5000.00")
    items = books.bill(books.patient("P2"), ("CONS", 1))
    refused(
        books,
        Refused,
        "item_not_payable",
        lambda: pay(
            books.app.uow(),
            actor=books.cashier,
            workstation="WS01",
            mrn=mrn,
            bill_no=books.bill_no_of(items[0]),
            tenders=[TenderRequest("wallet", "1000.00")],
            key=new_key(),
        ),
    )


def test_an_already_paid_item_is_refused(books):
    mrn = books.patient("P1", balance="5000.00")
    items = books.bill(mrn, ("CONS", 1))
    pay_items(books, mrn, items, tender("wallet", "1000.00"))
    refused(
        books,
        Refused,
        "item_not_payable",
        lambda: pay_items(books, mrn, items, tender("cash", "1000.00")),
    )


def test_an_unknown_patient_is_refused(books):
    items = books.bill(books.patient("P1"), ("CONS", 1))
    refused(
        books,
        NotFound,
        "unknown_patient",
        lambda: pay_items(books, "NOPE", items, tender("cash", "1000.00")),
    )


def test_an_unknown_item_is_refused(books):
    mrn = books.patient("P1")
    refused(
        books,
        NotFound,
        "unknown_item",
        lambda: pay_items(books, mrn, [987654], tender("cash", "1000.00")),
    )


@pytest.mark.parametrize(
    "amount", ["-1000.00", "0", "NaN", "Infinity", "1000.001", "100000000000000", "ten"]
)
def test_bad_tender_amounts_are_refused_before_anything_is_written(books, amount):
    mrn = books.patient("P1", balance="5000.00")
    items = books.bill(mrn, ("CONS", 1))
    refused(
        books,
        BadInput,
        "invalid_amount",
        lambda: pay_items(books, mrn, items, tender("cash", amount)),
    )


def test_a_reused_mobile_money_reference_is_refused(books):
    mrn = books.patient("P1")
    first, second = books.bill(mrn, ("CONS", 1)), books.bill(mrn, ("CONS", 1))
    pay_items(books, mrn, first, tender("mobile_money", "1000.00", "MPESA-XYZ"))
    refused(
        books,
        Refused,
        "duplicate_reference",
        lambda: pay_items(books, mrn, second, tender("mobile_money", "1000.00", "MPESA-XYZ")),
    )


def test_cash_tendered_below_the_cash_amount_is_refused(books):
    mrn = books.patient("P1")
    items = books.bill(mrn, ("CONS", 1))
    refused(
        books,
        Refused,
        "insufficient_cash_tendered",
        lambda: pay_items(books, mrn, items, tender("cash", "1000.00", "500.00")),
    )


@pytest.mark.parametrize("method", ["card", "mobile_money", "insurance"])
def test_tenders_that_need_a_reference_are_refused_without_one(books, method):
    mrn = books.patient("P1")
    items = books.bill(mrn, ("CONS", 1))
    refused(
        books,
        BadInput,
        "missing_reference",
        lambda: pay_items(books, mrn, items, tender(method, "1000.00")),
    )


def test_short_stock_is_refused(books):
    mrn = books.patient("P1", balance="5000.00")
    items = books.bill(mrn, ("DRUG", 11))
    refused(
        books,
        Refused,
        "insufficient_stock",
        lambda: pay_items(books, mrn, items, tender("wallet", "1100.00")),
    )


def test_one_tender_per_method(books):
    mrn = books.patient("P1")
    items = books.bill(mrn, ("CONS", 1))
    refused(
        books,
        BadInput,
        "duplicate_tender",
        lambda: pay_items(books, mrn, items, tender("cash", "500"), tender("cash", "500")),
    )


def test_an_unknown_method_is_refused(books):
    mrn = books.patient("P1")
    items = books.bill(mrn, ("CONS", 1))
    refused(
        books,
        BadInput,
        "invalid_method",
        lambda: pay_items(books, mrn, items, tender("cheque", "1000.00")),
    )


def test_repeated_or_empty_item_selection_is_refused(books):
    mrn = books.patient("P1")
    items = books.bill(mrn, ("CONS", 1))
    refused(
        books,
        BadInput,
        "duplicate_item",
        lambda: pay_items(books, mrn, items * 2, tender("cash", "2000.00")),
    )
    refused(books, BadInput, "no_items", lambda: pay_items(books, mrn, [], tender("cash", "1")))


def test_the_payment_event_records_every_row_the_payment_wrote(books):
    mrn = books.patient("P1", balance="5000.00")
    items = books.bill(mrn, ("CONS", 1), ("LAB", 1), ("DRUG", 3))
    result = pay_items(
        books, mrn, items, tender("wallet", "1000.00"), tender("card", "800.00", "SLIP-77")
    )
    with books.app.uow(write=False) as uow:
        details = uow.execute(
            select(t.audit_events.c.details).where(t.audit_events.c.receipt_no == result.receipt_no)
        ).scalar_one()
        entry = uow.execute(
            select(t.wallet_entries).where(t.wallet_entries.c.receipt_no == result.receipt_no)
        ).one()
        moved = uow.execute(
            select(
                t.stock_movements.c.stock_item_id,
                t.stock_movements.c.delta,
                t.stock_movements.c.bill_item_id,
            )
        ).all()
        tenders = uow.execute(
            select(t.tenders.c.method, t.tenders.c.amount_minor, t.tenders.c.reference)
        ).all()
    effects = {effect["effect"]: effect for effect in json.loads(details)["effects"]}
    assert list(effects) == [
        "receipt",
        "wallet_entry",
        "payment",
        "references",
        "items_settled",
        "stock_taken",
    ]
    assert effects["wallet_entry"]["amount_minor"] == entry.amount_minor == -100000
    assert effects["wallet_entry"]["balance_after_minor"] == entry.balance_after_minor
    payment = effects["payment"]
    assert payment["amount_minor"] == 180000
    assert [i["bill_item_id"] for i in payment["items"]] == sorted(items)
    assert [(x["method"], x["amount_minor"], x["reference"]) for x in payment["tenders"]] == [
        tuple(row) for row in tenders
    ]
    assert [lab["bill_item_id"] for lab in payment["lab_results"]] == [items[1]]
    assert [
        (m["stock_item_id"], m["delta"], m["bill_item_id"])
        for m in effects["stock_taken"]["movements"]
    ] == [tuple(row) for row in moved if row.delta < 0]
    assert effects["items_settled"]["item_ids"] == sorted(items)
