"""Reversing a payment undoes its whole cascade, once, with two people (SPEC rule 7)."""

from __future__ import annotations

import threading
from decimal import Decimal

import pytest
from sqlalchemy import select, text, update

from pos_app.adapters import tables as t
from pos_app.domain.errors import CareTillError, Refused
from pos_app.services.check import run_check
from pos_app.services.pay import pay
from pos_app.services.refund_requests import decide_request, pending_requests, request_refund
from pos_app.services.reversal import reverse_payment
from pos_app.services.tenders import TenderRequest
from tests.helpers.books import new_key


def _split_payment(books, mrn="P1"):
    books.patient(mrn, balance="500.00")
    items = books.bill(mrn, ("CONS", 1), ("LAB", 1), ("DRUG", 2))
    result = pay(
        books.app.uow(),
        actor=books.cashier,
        workstation="WS01",
        mrn=mrn,
        item_ids=items,
        key=new_key(),
        tenders=[
            TenderRequest("wallet", "300.00"),
            TenderRequest("cash", "1400.00", cash_tendered="1500.00"),
        ],
    )
    return items, result


def _reverse(books, receipt_no, *, actor=None, key=None, reason="Wrong patient billed"):
    return reverse_payment(
        books.app.uow(),
        actor=actor or books.supervisor,
        workstation="WS01",
        receipt_no=receipt_no,
        reason=reason,
        key=key or new_key(),
    )


def _lab_statuses(books, payment_receipt):
    with books.app.uow(write=False) as uow:
        return list(
            uow.execute(
                select(t.lab_results.c.status)
                .join(t.payments, t.payments.c.id == t.lab_results.c.payment_id)
                .where(t.payments.c.receipt_no == payment_receipt)
            ).scalars()
        )


def test_reversal_of_a_wallet_and_cash_split_payment_undoes_the_whole_cascade(books):
    items, paid = _split_payment(books)
    assert books.balance("P1") == Decimal("200.00") and books.stock_on_hand() == 8

    result = _reverse(books, paid.receipt_no)

    assert books.balance("P1") == Decimal("500.00")
    assert books.stock_on_hand() == 10
    assert [books.item_status(i) for i in items] == ["unpaid"] * 3
    assert _lab_statuses(books, paid.receipt_no) == ["cancelled"]
    assert result.amount == Decimal("1700.00")
    assert {(p.method, p.amount) for p in result.payouts} == {
        ("wallet", Decimal("300.00")),
        ("cash", Decimal("1400.00")),
    }
    assert result.receipt_no == "WS01-000003" and result.receipt_no != paid.receipt_no
    assert (result.cashier, result.approved_by) == ("cashier", "supervisor")
    assert result.lab_results_cancelled == 1
    with books.app.uow(write=False) as uow:
        bill_status = uow.execute(select(t.bills.c.status)).scalar_one()
        payment_status = uow.execute(select(t.payments.c.status)).scalar_one()
        refund_kind = uow.execute(
            select(t.receipts.c.kind).where(t.receipts.c.receipt_no == result.receipt_no)
        ).scalar_one()
        entry = uow.execute(select(t.wallet_entries).order_by(t.wallet_entries.c.id.desc())).first()
        event = uow.execute(
            select(t.audit_events).where(t.audit_events.c.receipt_no == result.receipt_no)
        ).one()
    assert (bill_status, payment_status, refund_kind) == ("open", "reversed", "refund")
    assert (entry.kind, entry.amount_minor, entry.balance_after_minor) == ("refund", 30000, 50000)
    assert '"cashier":"cashier"' in event.details and '"approved_by":"supervisor"' in event.details
    assert run_check(books.app.uow(write=False), actor=books.supervisor) == []


def test_reversed_items_can_be_paid_again_and_the_books_still_hold(books):
    items, paid = _split_payment(books)
    _reverse(books, paid.receipt_no)
    pay(
        books.app.uow(),
        actor=books.cashier,
        workstation="WS01",
        mrn="P1",
        item_ids=items,
        key=new_key(),
        tenders=[TenderRequest("cash", "1700.00")],
    )
    assert [books.item_status(i) for i in items] == ["paid"] * 3
    assert books.stock_on_hand() == 8
    assert run_check(books.app.uow(write=False), actor=books.supervisor) == []


def test_a_second_reversal_is_refused_as_already_reversed(books):
    _, paid = _split_payment(books)
    _reverse(books, paid.receipt_no)
    before = books.snapshot()
    with pytest.raises(Refused) as refused:
        _reverse(books, paid.receipt_no)
    assert refused.value.code == "already_reversed"
    assert books.snapshot() == before


def test_the_same_key_again_replays_the_reversal_and_moves_nothing(books):
    _, paid = _split_payment(books)
    key = new_key()
    first = _reverse(books, paid.receipt_no, key=key)
    before = books.snapshot()
    again = _reverse(books, paid.receipt_no, key=key)
    assert again.replayed and again.receipt_no == first.receipt_no
    assert books.snapshot() == before


@pytest.mark.parametrize("status", ["in_progress", "completed"])
def test_reversal_is_refused_once_the_lab_has_started(books, status):
    _, paid = _split_payment(books)
    with books.app.uow() as uow:
        uow.execute(update(t.lab_results).values(status=status))
        uow.commit()
    before = books.snapshot()
    with pytest.raises(Refused) as refused:
        _reverse(books, paid.receipt_no)
    assert refused.value.code == "lab_already_started"
    assert books.snapshot() == before


def test_a_cashier_may_not_reverse_a_payment(books):
    _, paid = _split_payment(books)
    with pytest.raises(Refused) as refused:
        _reverse(books, paid.receipt_no, actor=books.cashier2)
    assert refused.value.code == "permission_denied"


def test_the_supervisor_who_took_the_payment_may_not_approve_its_refund(books):
    books.patient("P2", balance="1000.00")
    items = books.bill("P2", ("CONS", 1))
    paid = pay(
        books.app.uow(),
        actor=books.supervisor,
        workstation="WS01",
        mrn="P2",
        item_ids=items,
        key=new_key(),
        tenders=[TenderRequest("wallet", "1000.00")],
    )
    with pytest.raises(Refused) as refused:
        _reverse(books, paid.receipt_no, actor=books.supervisor)
    assert refused.value.code == "same_person"
    _reverse(books, paid.receipt_no, actor=books.admin)
    assert books.balance("P2") == Decimal("1000.00")


def test_an_unknown_receipt_and_a_blank_reason_are_bad_input(books):
    _, paid = _split_payment(books)
    with pytest.raises(CareTillError) as unknown:
        _reverse(books, "WS01-999999")
    assert (unknown.value.code, unknown.value.exit_status) == ("unknown_receipt", 2)
    with pytest.raises(CareTillError) as blank:
        _reverse(books, paid.receipt_no, reason="  ")
    assert blank.value.code == "missing_reason"


def test_a_reversal_racing_a_new_payment_of_the_same_items_leaves_consistent_books(pg_books):
    books = pg_books
    items, paid = _split_payment(books)
    outcomes: dict[str, object] = {}
    start = threading.Barrier(2)

    def run(name, call):
        start.wait()
        try:
            outcomes[name] = call()
        except CareTillError as error:
            outcomes[name] = error.code

    reverse = threading.Thread(
        target=run, args=("reverse", lambda: _reverse(books, paid.receipt_no))
    )
    repay = threading.Thread(
        target=run,
        args=(
            "pay",
            lambda: pay(
                books.app.uow(),
                actor=books.cashier2,
                workstation="WS02",
                mrn="P1",
                item_ids=items,
                key=new_key(),
                tenders=[TenderRequest("cash", "1700.00")],
            ),
        ),
    )
    for thread in (reverse, repay):
        thread.start()
    for thread in (reverse, repay):
        thread.join()

    assert not isinstance(outcomes["reverse"], str)
    assert outcomes["pay"] == "item_not_payable" or not isinstance(outcomes["pay"], str)
    expected = "unpaid" if outcomes["pay"] == "item_not_payable" else "paid"
    assert [books.item_status(i) for i in items] == [expected] * 3
    assert books.stock_on_hand() == (10 if expected == "unpaid" else 8)
    assert run_check(books.app.uow(write=False), actor=books.supervisor) == []


def test_a_cashiers_refund_request_is_reversed_when_a_supervisor_approves_it(books):
    items, paid = _split_payment(books)
    asked = request_refund(
        books.app.uow(),
        actor=books.cashier,
        workstation="WS01",
        receipt_no=paid.receipt_no,
        reason="Patient left before the test",
    )
    assert [
        r.request_id for r in pending_requests(books.app.uow(write=False), actor=books.supervisor)
    ] == [asked.request_id]
    result = decide_request(
        books.app.uow(),
        actor=books.supervisor,
        workstation="WS01",
        request_id=asked.request_id,
        approve=True,
        key=new_key(),
    )
    assert (result.requested_by, result.approved_by) == ("cashier", "supervisor")
    assert [books.item_status(i) for i in items] == ["unpaid"] * 3
    assert pending_requests(books.app.uow(write=False), actor=books.supervisor) == []
    assert run_check(books.app.uow(write=False), actor=books.supervisor) == []


def test_a_rejected_refund_request_moves_no_money(books):
    _, paid = _split_payment(books)
    asked = request_refund(
        books.app.uow(),
        actor=books.cashier,
        workstation="WS01",
        receipt_no=paid.receipt_no,
        reason="Changed mind",
    )
    assert (
        decide_request(
            books.app.uow(),
            actor=books.supervisor,
            workstation="WS01",
            request_id=asked.request_id,
            approve=False,
            key=new_key(),
        )
        is None
    )
    assert books.balance("P1") == Decimal("200.00")
    with pytest.raises(Refused) as decided:
        decide_request(
            books.app.uow(),
            actor=books.admin,
            workstation="WS01",
            request_id=asked.request_id,
            approve=True,
            key=new_key(),
        )
    assert decided.value.code == "request_decided"


def test_an_approved_request_pays_out_of_the_asking_cashiers_shift_at_their_till(books):
    from pos_app.services.shifts import open_shift

    _, paid = _split_payment(books)
    shift = open_shift(books.app.uow(), actor=books.cashier, workstation="WS01", opening_float="0")
    asked = request_refund(
        books.app.uow(),
        actor=books.cashier,
        workstation="WS01",
        receipt_no=paid.receipt_no,
        reason="Overcharged",
    )
    result = decide_request(
        books.app.uow(),
        actor=books.supervisor,
        workstation="WS09",
        request_id=asked.request_id,
        approve=True,
        key=new_key(),
    )
    assert result.workstation == "WS01" and result.receipt_no.startswith("WS01-")
    with books.app.uow(write=False) as uow:
        linked = uow.execute(select(t.reversals.c.shift_id)).scalar_one()
    assert linked == shift.shift_id


@pytest.mark.parametrize(
    "statement", ["UPDATE reversals SET reason = 'edited'", "DELETE FROM refund_payouts"]
)
def test_the_database_refuses_to_edit_a_recorded_reversal(books, statement):
    _, paid = _split_payment(books)
    _reverse(books, paid.receipt_no)
    with pytest.raises(Exception), books.app.uow() as uow:  # noqa: B017 - driver-specific
        uow.execute(text(statement))
        uow.commit()
    assert books.count("refund_payouts") == 2


def test_a_refund_request_may_name_items_and_approving_refunds_just_those(books):
    (cons, lab, drug), paid = _split_payment(books)
    asked = request_refund(
        books.app.uow(),
        actor=books.cashier,
        workstation="WS01",
        receipt_no=paid.receipt_no,
        reason="Drug not dispensed",
        item_ids=[drug],
    )
    waiting = pending_requests(books.app.uow(write=False), actor=books.supervisor)
    assert [(r.items, r.amount) for r in waiting] == [((drug,), Decimal("200.00"))]
    assert asked.amount == Decimal("200.00") and asked.to_json()["items"] == [drug]
    result = decide_request(
        books.app.uow(),
        actor=books.supervisor,
        workstation="WS01",
        request_id=asked.request_id,
        approve=True,
        key=new_key(),
    )
    assert (result.items, result.payment_reversed) == ([drug], False)
    assert [books.item_status(i) for i in (cons, lab, drug)] == ["paid", "paid", "unpaid"]
    rest = request_refund(
        books.app.uow(),
        actor=books.cashier,
        workstation="WS01",
        receipt_no=paid.receipt_no,
        reason="Patient left",
    )
    assert rest.amount == Decimal("1500.00") and rest.items == ()
    assert [
        r.amount for r in pending_requests(books.app.uow(write=False), actor=books.supervisor)
    ] == [Decimal("1500.00")]
    with pytest.raises(Refused) as again:
        request_refund(
            books.app.uow(),
            actor=books.cashier2,
            workstation="WS01",
            receipt_no=paid.receipt_no,
            reason="Twice",
            item_ids=[drug],
        )
    assert again.value.code == "already_reversed"
    assert run_check(books.app.uow(write=False), actor=books.supervisor) == []
