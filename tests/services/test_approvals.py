"""One approval workflow: requests of every kind, decided by another person, executed once."""

from __future__ import annotations

import json
import threading
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from pos_app.adapters import tables as t
from pos_app.domain.errors import BadInput, CareTillError, Refused
from pos_app.services import approvals
from pos_app.services.check import run_check
from pos_app.services.pay import pay
from pos_app.services.refund_requests import request_refund
from pos_app.services.shifts import close_shift, open_shift, set_tolerance
from pos_app.services.tenders import TenderRequest
from pos_app.services.withdrawal import request_withdrawal, withdraw
from tests.helpers.books import new_key


def _paid(books, mrn="P1"):
    books.patient(mrn, balance="500.00")
    items = books.bill(mrn, ("CONS", 1), ("DRUG", 2))
    return pay(
        books.app.uow(),
        actor=books.cashier,
        workstation="WS01",
        mrn=mrn,
        item_ids=items,
        key=new_key(),
        tenders=[TenderRequest("wallet", "500.00"), TenderRequest("cash", "700.00")],
    )


def _ask_withdrawal(books, amount="200.00", *, actor=None, mrn="P1"):
    return request_withdrawal(
        books.app.uow(),
        actor=actor or books.cashier,
        workstation="WS01",
        mrn=mrn,
        amount=amount,
        reason="Discharged",
        key=new_key(),
    )


def _approve(books, request_id, *, actor=None, key=None):
    return approvals.approve(
        books.app.uow(),
        actor=actor or books.supervisor,
        workstation="WS09",
        request_id=request_id,
        key=key or new_key(),
    )


def _count(books, table):
    with books.app.uow(write=False) as uow:
        return uow.execute(select(func.count()).select_from(table)).scalar_one()


def _actions(books):
    with books.app.uow(write=False) as uow:
        return [
            a
            for (a,) in uow.execute(
                select(t.audit_events.c.action)
                .where(t.audit_events.c.action.like("approval.%"))
                .order_by(t.audit_events.c.id)
            )
        ]


def test_an_approved_refund_request_reverses_the_payment_once(books):
    paid = _paid(books)
    asked = request_refund(
        books.app.uow(),
        actor=books.cashier,
        workstation="WS01",
        receipt_no=paid.receipt_no,
        reason="Double charge",
    )
    assert (asked.amount, asked.status) == (Decimal("1200.00"), "pending")

    decided = _approve(books, asked.request_id)

    assert (decided.kind, decided.status, decided.decided_by) == (
        "refund",
        "approved",
        "supervisor",
    )
    assert decided.result["receipt_no"].startswith("WS01-")
    assert decided.result["approved_by"] == "supervisor"
    assert books.balance("P1") == Decimal("500.00")
    with pytest.raises(Refused) as again:
        _approve(books, asked.request_id, actor=books.admin)
    assert again.value.code == "request_decided"
    assert _count(books, t.reversals) == 1
    assert _actions(books) == ["approval.requested", "approval.approved"]
    assert run_check(books.app.uow(write=False), actor=books.supervisor) == []


def test_an_approved_withdrawal_request_pays_out_at_the_asking_till_once(books):
    books.patient("P1", balance="500.00")
    asked = _ask_withdrawal(books)
    key = new_key()

    decided = _approve(books, asked.id, key=key)
    replayed = _approve(books, asked.id, key=key)

    assert decided.result["cashier"] == "cashier" and decided.result["approved_by"] == (
        "supervisor"
    )
    assert decided.result["workstation"] == "WS01"
    assert replayed.replayed and replayed.result == decided.result
    assert books.balance("P1") == Decimal("300.00")
    assert _count(books, t.withdrawals) == 1


def test_nobody_approves_their_own_request_and_nothing_is_written(books):
    books.patient("P1", balance="500.00")
    asked = _ask_withdrawal(books, actor=books.supervisor)
    before = books.snapshot()
    with pytest.raises(Refused) as own:
        _approve(books, asked.id, actor=books.supervisor)
    assert own.value.code == "same_person"
    assert books.snapshot() == before
    assert (
        approvals.list_requests(books.app.uow(write=False), actor=books.admin, status="pending")[
            0
        ].id
        == asked.id
    )


def test_a_rejected_request_keeps_its_reason_and_is_never_executed(books):
    books.patient("P1", balance="500.00")
    asked = _ask_withdrawal(books)
    with pytest.raises(BadInput) as no_reason:
        approvals.reject(
            books.app.uow(),
            actor=books.supervisor,
            workstation="WS09",
            request_id=asked.id,
            reason="  ",
        )
    assert no_reason.value.code == "missing_reason"

    rejected = approvals.reject(
        books.app.uow(),
        actor=books.supervisor,
        workstation="WS09",
        request_id=asked.id,
        reason="Balance is a deposit for surgery",
    )

    assert (rejected.status, rejected.decision_reason) == (
        "rejected",
        "Balance is a deposit for surgery",
    )
    with pytest.raises(Refused) as late:
        _approve(books, asked.id, actor=books.admin)
    assert late.value.code == "request_decided"
    assert books.balance("P1") == Decimal("500.00") and _count(books, t.withdrawals) == 0
    assert _actions(books) == ["approval.requested", "approval.rejected"]


def test_above_the_supervisors_limit_only_an_admin_approves(books):
    books.patient("P1", balance="500.00")
    approvals.set_limit(
        books.app.uow(),
        actor=books.admin,
        workstation="WS01",
        role="supervisor",
        kind="withdrawal",
        amount="100.00",
    )
    asked = _ask_withdrawal(books, "150.00")
    with pytest.raises(Refused) as over:
        _approve(books, asked.id)
    assert over.value.code == "over_limit" and "KES 100.00" in over.value.message
    assert _approve(books, asked.id, actor=books.admin).status == "approved"
    assert books.balance("P1") == Decimal("350.00")


def test_adjustments_above_the_default_supervisor_limit_need_an_admin(books):
    with books.app.uow(write=False) as uow:
        from pos_app.domain.actors import Role
        from pos_app.domain.approvals import Kind

        assert approvals.limit_minor(uow, Role.SUPERVISOR, Kind.ADJUSTMENT) == 500000
        assert approvals.limit_minor(uow, Role.CASHIER, Kind.ADJUSTMENT) == 0
        assert approvals.limit_minor(uow, Role.ADMIN, Kind.ADJUSTMENT) is None


@pytest.mark.parametrize(("kind", "code"), [("bonus", "unknown_kind")])
def test_kinds_that_cannot_be_executed_yet_cannot_be_requested(books, kind, code):
    with pytest.raises(BadInput) as refused:
        approvals.request(
            books.app.uow(),
            actor=books.cashier,
            workstation="WS01",
            kind=kind,
            subject="P1",
            amount="10.00",
            reason="why",
            payload={},
            key=new_key(),
        )
    assert refused.value.code == code
    assert _count(books, t.approval_requests) == 0


def test_one_pending_request_per_subject(books):
    books.patient("P1", balance="500.00")
    _ask_withdrawal(books)
    with pytest.raises(Refused) as twice:
        _ask_withdrawal(books, "50.00")
    assert twice.value.code == "already_requested"


def test_a_cashier_sees_only_their_own_requests(books):
    books.patient("P1", balance="500.00")
    books.patient("P2", balance="500.00")
    mine = _ask_withdrawal(books)
    _ask_withdrawal(books, actor=books.cashier2, mrn="P2")
    seen = approvals.list_requests(books.app.uow(write=False), actor=books.cashier, mine=True)
    assert [r.id for r in seen] == [mine.id]
    with pytest.raises(Refused) as denied:
        approvals.list_requests(books.app.uow(write=False), actor=books.cashier)
    assert denied.value.code == "permission_denied"


def test_an_on_the_spot_cash_out_is_a_request_decided_at_once(books):
    books.patient("P1", balance="500.00")
    key = new_key()
    paid = withdraw(
        books.app.uow(),
        actor=books.supervisor,
        cashier=books.cashier,
        workstation="WS01",
        mrn="P1",
        amount="120.00",
        reason="Discharged",
        key=key,
    )
    again = withdraw(
        books.app.uow(),
        actor=books.supervisor,
        cashier=books.cashier,
        workstation="WS01",
        mrn="P1",
        amount="120.00",
        reason="Discharged",
        key=key,
    )

    assert (paid.cashier, paid.approved_by, again.replayed) == ("cashier", "supervisor", True)
    assert books.balance("P1") == Decimal("380.00")
    (decided,) = approvals.list_requests(books.app.uow(write=False), actor=books.supervisor)
    assert (decided.kind, decided.status, decided.requested_by) == (
        "withdrawal",
        "approved",
        "cashier",
    )
    assert _actions(books) == ["approval.requested", "approval.approved"]
    assert run_check(books.app.uow(write=False), actor=books.supervisor) == []


def test_a_shift_variance_signed_off_at_the_till_is_an_approved_request(books):
    open_shift(books.app.uow(), actor=books.cashier, workstation="WS01", opening_float="100.00")
    set_tolerance(books.app.uow(), actor=books.supervisor, workstation="WS01", amount="5.00")
    closed = close_shift(
        books.app.uow(),
        actor=books.cashier,
        workstation="WS01",
        counted_cash="90.00",
        reason_code="counting_error",
        approver=books.supervisor,
    )
    assert (closed.status, closed.approved_by) == ("closed", "supervisor")
    (decided,) = approvals.list_requests(books.app.uow(write=False), actor=books.supervisor)
    assert (decided.kind, decided.amount, decided.status) == (
        "shift_variance",
        Decimal("10.00"),
        "approved",
    )
    assert decided.payload["reason_code"] == "counting_error"


def test_a_pending_shift_sign_off_closes_the_shift_when_approved(books):
    shift = open_shift(
        books.app.uow(), actor=books.cashier, workstation="WS01", opening_float="100.00"
    )
    set_tolerance(books.app.uow(), actor=books.supervisor, workstation="WS01", amount="5.00")
    payload = {"counted": {"cash": [9000, None]}, "count_rows": [], "reason_code": "missing_cash"}
    asked = approvals.request(
        books.app.uow(),
        actor=books.cashier,
        workstation="WS01",
        kind="shift_variance",
        subject=str(shift.shift_id),
        amount="10.00",
        reason="Missing cash",
        payload=payload,
        key=new_key(),
    )
    decided = _approve(books, asked.id)
    assert (decided.result["status"], decided.result["approved_by"]) == ("closed", "supervisor")


def test_the_request_and_decision_events_record_the_request(books):
    books.patient("P1", balance="500.00")
    asked = _ask_withdrawal(books)
    _approve(books, asked.id)
    with books.app.uow(write=False) as uow:
        rows = uow.execute(
            select(t.audit_events.c.action, t.audit_events.c.details, t.audit_events.c.workstation)
            .where(t.audit_events.c.action.like("approval.%"))
            .order_by(t.audit_events.c.id)
        ).all()
    (_, asked_text, asked_at), (_, approved_text, approved_at) = rows
    requested, approved = json.loads(asked_text), json.loads(approved_text)
    assert (requested["request_id"], requested["kind"], requested["amount"]) == (
        asked.id,
        "withdrawal",
        "200.00",
    )
    assert approved["decided_at_workstation"] == "WS09" and approved["result"]["receipt_no"]
    assert asked_at == approved_at == "WS01"


def test_concurrent_approvals_of_one_request_execute_it_once(pg_books):
    books = pg_books
    books.patient("P1", balance="500.00")
    asked = _ask_withdrawal(books)
    start, outcomes = threading.Barrier(2), {}

    def run(name, actor):
        start.wait()
        try:
            outcomes[name] = _approve(books, asked.id, actor=actor).status
        except CareTillError as exc:
            outcomes[name] = exc.code

    threads = [
        threading.Thread(target=run, args=(n, a))
        for n, a in (("supervisor", books.supervisor), ("admin", books.admin))
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes.values()) == ["approved", "request_decided"]
    assert books.balance("P1") == Decimal("300.00") and _count(books, t.withdrawals) == 1
