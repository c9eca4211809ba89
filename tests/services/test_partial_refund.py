"""Refunding some items of a payment: only they are undone, the money goes back the way it came."""

from __future__ import annotations

from decimal import Decimal

import pytest
from sqlalchemy import select, update

from pos_app.adapters import tables as t
from pos_app.domain.errors import BadInput, Conflict, Refused
from pos_app.services.check import run_check
from pos_app.services.receipts import get_receipt
from pos_app.services.reversal import reverse_payment
from tests.helpers.books import new_key
from tests.helpers.money import pay_items, tender

D = Decimal


def _split_payment(books):
    """CONS 1000 + LAB 500 + DRUG 2x100, paid 300 from the wallet and 1400 in cash."""
    books.patient("P1", balance="500.00")
    cons, lab, drug = books.bill("P1", ("CONS", 1), ("LAB", 1), ("DRUG", 2))
    paid = pay_items(
        books,
        "P1",
        [cons, lab, drug],
        tender("wallet", "300.00"),
        tender("cash", "1400.00", "1500.00"),
    )
    return (cons, lab, drug), paid


def _refund(books, receipt_no, items=None, payouts=None, *, key=None):
    return reverse_payment(
        books.app.uow(),
        actor=books.supervisor,
        workstation="WS01",
        receipt_no=receipt_no,
        reason="Drug not dispensed",
        key=key or new_key(),
        item_ids=items,
        payouts=payouts,
    )


def _payment_status(books, receipt_no):
    with books.app.uow(write=False) as uow:
        return uow.execute(
            select(t.payments.c.status).where(t.payments.c.receipt_no == receipt_no)
        ).scalar_one()


def _lab_status(books, item_id):
    with books.app.uow(write=False) as uow:
        return uow.execute(
            select(t.lab_results.c.status).where(t.lab_results.c.bill_item_id == item_id)
        ).scalar_one()


def _paid_back(result):
    return [(p.method, p.amount) for p in result.payouts]


def _clean(books):
    return run_check(books.app.uow(write=False), actor=books.supervisor) == []


def test_refunding_one_item_of_a_split_payment_credits_the_wallet_first(books):
    (cons, lab, drug), paid = _split_payment(books)
    assert books.balance("P1") == D("200.00") and books.stock_on_hand() == 8

    result = _refund(books, paid.receipt_no, [drug])

    assert (result.amount, result.items, result.payment_reversed) == (D("200.00"), [drug], False)
    assert _paid_back(result) == [("wallet", D("200.00"))]
    assert books.balance("P1") == D("400.00") == result.wallet_balance_after
    assert books.stock_on_hand() == 10
    assert [books.item_status(i) for i in (cons, lab, drug)] == ["paid", "paid", "unpaid"]
    assert _lab_status(books, lab) == "pending" and result.lab_results_cancelled == 0
    assert _payment_status(books, paid.receipt_no) == "completed"
    assert _clean(books)


def test_refunding_the_rest_reverses_the_payment_within_each_tender(books):
    (cons, lab, drug), paid = _split_payment(books)
    first = _refund(books, paid.receipt_no, [drug])
    second = _refund(books, paid.receipt_no, [lab])
    assert _paid_back(second) == [("wallet", D("100.00")), ("cash", D("400.00"))]
    assert _lab_status(books, lab) == "cancelled" and second.lab_results_cancelled == 1
    assert not second.payment_reversed and _clean(books)

    last = _refund(books, paid.receipt_no)  # no items named: whatever is left

    assert (last.items, last.amount, last.payment_reversed) == ([cons], D("1000.00"), True)
    assert _paid_back(last) == [("cash", D("1000.00"))]
    assert _payment_status(books, paid.receipt_no) == "reversed"
    assert [books.item_status(i) for i in (cons, lab, drug)] == ["unpaid"] * 3
    assert books.balance("P1") == D("500.00")
    per_method: dict[str, Decimal] = {}
    for payout in [*first.payouts, *second.payouts, *last.payouts]:
        per_method[payout.method] = per_method.get(payout.method, D(0)) + payout.amount
    assert per_method == {"wallet": D("300.00"), "cash": D("1400.00")}
    assert sum(per_method.values()) == D("1700.00")
    assert _clean(books)


def test_named_payouts_are_used_when_they_add_up_and_fit_each_tender(books):
    (_, lab, drug), paid = _split_payment(books)
    result = _refund(
        books, paid.receipt_no, [lab, drug], payouts=[("cash", "600.00"), ("wallet", "100.00")]
    )
    assert _paid_back(result) == [("wallet", D("100.00")), ("cash", D("600.00"))]
    assert books.balance("P1") == D("300.00")
    assert _clean(books)


@pytest.mark.parametrize(
    "payouts, error, code",
    [
        ([("wallet", "500.00")], Refused, "refund_exceeds_tender"),
        ([("card", "500.00")], Refused, "refund_exceeds_tender"),
        ([("cash", "400.00")], BadInput, "payouts_mismatch"),
        ([("cash", "250.00"), ("cash", "250.00")], BadInput, "duplicate_payout"),
        ([("bitcoin", "500.00")], BadInput, "invalid_method"),
    ],
)
def test_payouts_beyond_a_tender_or_not_adding_up_are_refused_and_nothing_written(
    books, payouts, error, code
):
    (_, lab, drug), paid = _split_payment(books)
    _refund(books, paid.receipt_no, [drug])  # wallet has 100.00 left to give back
    before = books.snapshot()
    with pytest.raises(error) as refused:
        _refund(books, paid.receipt_no, [lab], payouts=payouts)
    assert refused.value.code == code
    assert books.snapshot() == before


def test_an_item_already_refunded_or_not_in_the_payment_is_refused(books):
    (_, _, drug), paid = _split_payment(books)
    stranger = books.bill("P1", ("PROC", 1))[0]
    _refund(books, paid.receipt_no, [drug])
    before = books.snapshot()
    for items, code in [([drug], "already_reversed"), ([stranger], "item_not_in_payment")]:
        with pytest.raises(Refused) as refused:
            _refund(books, paid.receipt_no, items)
        assert refused.value.code == code
    assert books.snapshot() == before
    assert _clean(books)


def test_a_started_lab_test_blocks_only_its_own_item(books):
    (cons, lab, drug), paid = _split_payment(books)
    with books.app.uow() as uow:
        uow.execute(update(t.lab_results).values(status="in_progress"))
        uow.commit()
    with pytest.raises(Refused) as refused:
        _refund(books, paid.receipt_no, [lab, drug])
    assert refused.value.code == "lab_already_started"
    assert _refund(books, paid.receipt_no, [cons, drug]).amount == D("1200.00")
    assert books.item_status(lab) == "paid"


def test_a_partial_refund_receipt_lists_only_its_items_and_the_payment_says_so(books):
    (_, _, drug), paid = _split_payment(books)
    refund = _refund(books, paid.receipt_no, [drug])
    receipt = get_receipt(
        books.app.uow(), actor=books.cashier, workstation="WS01", receipt_no=refund.receipt_no
    )
    assert [(line.description, line.quantity, line.amount) for line in receipt.lines] == [
        ("DRUG service", 2, D("200.00"))
    ]
    assert receipt.total == D("200.00")
    assert [(x.method, x.amount) for x in receipt.tenders] == [("wallet", D("200.00"))]
    assert receipt.wallet_balance_after == D("400.00")
    payment = get_receipt(
        books.app.uow(), actor=books.cashier, workstation="WS01", receipt_no=paid.receipt_no
    )
    assert (payment.reversed_by, payment.partly_refunded) == (refund.receipt_no, True)
    assert len(payment.lines) == 3


def test_the_same_key_replays_a_partial_refund_and_other_items_conflict(books):
    (_, lab, drug), paid = _split_payment(books)
    key = new_key()
    first = _refund(books, paid.receipt_no, [drug], key=key)
    before = books.snapshot()
    again = _refund(books, paid.receipt_no, [drug], key=key)
    assert again.replayed and again.receipt_no == first.receipt_no
    assert again.payment_reversed is False and books.snapshot() == before
    with pytest.raises(Conflict):
        _refund(books, paid.receipt_no, [lab], key=key)
