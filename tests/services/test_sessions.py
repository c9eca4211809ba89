"""Live sessions: a kept `Actor` cannot act once its session ended, its user was disabled
or its role taken away (issue 9, SPEC rule 10)."""

from __future__ import annotations

import pytest
from sqlalchemy import func, insert, select, update

from pos_app.adapters import tables as t
from pos_app.domain.actors import Role
from pos_app.domain.clock import system_clock
from pos_app.domain.errors import Refused
from pos_app.services import (
    audit_trail,
    auth,
    check,
    deposit,
    patients,
    reports,
    reversal,
    sessions,
    shifts,
    statement,
    users,
    withdrawal,
)
from pos_app.services.pay import pay
from pos_app.services.tenders import TenderRequest
from tests.helpers.books import PASSWORD, new_key

# One privileged call per kind of use case, each as (who signs in, the call).
CALLS = {
    "deposit": (
        "cashier",
        lambda b, a: deposit.deposit(
            b.app.uow(),
            actor=a,
            workstation="WS01",
            mrn="P1",
            amount="10.00",
            method="cash",
            key=new_key(),
        ),
    ),
    "pay": (
        "cashier",
        lambda b, a: pay(
            b.app.uow(),
            actor=a,
            workstation="WS01",
            mrn="P1",
            item_ids=[_unpaid(b)],
            tenders=[TenderRequest("cash", "1000.00")],
            key=new_key(),
        ),
    ),
    "search": ("cashier", lambda b, a: patients.search_patients(b.app.uow(), actor=a, text="P1")),
    "statement": (
        "cashier",
        lambda b, a: statement.wallet_statement(b.app.uow(), actor=a, mrn="P1"),
    ),
    "open shift": (
        "cashier",
        lambda b, a: shifts.open_shift(b.app.uow(), actor=a, workstation="WS01", opening_float="0"),
    ),
    "report": ("supervisor", lambda b, a: reports.daily_report(b.app.uow(), actor=a)),
    "audit": ("supervisor", lambda b, a: audit_trail.audit_events(b.app.uow(), actor=a)),
    "check": ("supervisor", lambda b, a: check.run_check(b.app.uow(), actor=a)),
}


def _unpaid(books) -> int:
    with books.app.uow(write=False) as uow:
        return uow.execute(
            select(func.min(t.bill_items.c.id)).where(t.bill_items.c.status == "unpaid")
        ).scalar_one()


def _sign_in(books, name: str):
    return auth.sign_in(books.app.uow(), name, PASSWORD, workstation="WS01")


@pytest.mark.parametrize("call", CALLS)
def test_a_signed_out_session_is_refused_and_writes_nothing(books, call):
    who, action = CALLS[call]
    books.patient("P1", balance="100.00")
    books.bill("P1", ("CONS", 1), ("CONS", 1))
    actor = _sign_in(books, who)
    action(books, actor)  # the live session may act
    auth.sign_out(books.app.uow(), actor, workstation="WS01")
    before = books.snapshot()
    with pytest.raises(Refused) as refused:
        action(books, actor)
    assert refused.value.code == "session_ended"
    assert books.snapshot() == before


def _paid(books):
    books.patient("P1", balance="100.00")
    return pay(
        books.app.uow(),
        actor=books.cashier,
        workstation="WS01",
        mrn="P1",
        item_ids=books.bill("P1", ("CONS", 1)),
        key=new_key(),
        tenders=[TenderRequest("cash", "1000.00")],
    )


def test_a_leftover_supervisor_actor_cannot_approve_a_refund_after_sign_out(books):
    paid = _paid(books)
    supervisor = _sign_in(books, "supervisor")
    auth.sign_out(books.app.uow(), supervisor, workstation="WS01", reason="switch_user")
    _sign_in(books, "cashier")
    before = books.snapshot()
    with pytest.raises(Refused) as refused:
        reversal.reverse_payment(
            books.app.uow(),
            actor=supervisor,
            workstation="WS01",
            receipt_no=paid.receipt_no,
            reason="Own payment",
            key=new_key(),
        )
    assert refused.value.code == "session_ended"
    assert books.snapshot() == before
    assert books.item_status(paid.items[0]) == "paid"


def test_a_disabled_users_open_session_is_refused_on_its_next_action(books):
    books.patient("P1", balance="100.00")
    cashier = _sign_in(books, "cashier")
    users.disable_user(books.app.uow(), actor=books.admin, workstation="WS01", username="cashier")
    before = books.snapshot()
    with pytest.raises(Refused) as refused:
        CALLS["deposit"][1](books, cashier)
    assert refused.value.code == "permission_denied"
    assert "disabled" in refused.value.message
    assert books.snapshot() == before


def test_a_disabled_user_is_refused_even_with_a_session_left_open(books):
    books.patient("P1", balance="100.00")
    cashier = _sign_in(books, "cashier")
    with books.app.uow() as uow:  # disabled behind the service's back: the session stays open
        uow.execute(update(t.users).where(t.users.c.id == cashier.user_id).values(active=False))
        uow.commit()
    with pytest.raises(Refused, match="disabled") as refused:
        CALLS["deposit"][1](books, cashier)
    assert refused.value.code == "permission_denied"


def test_a_role_taken_away_ends_the_session_and_refuses_the_old_role(books):
    supervisor = _sign_in(books, "supervisor")
    users.set_role(
        books.app.uow(),
        actor=books.admin,
        workstation="WS01",
        username="supervisor",
        role="cashier",
    )
    with pytest.raises(Refused) as refused:
        reports.daily_report(books.app.uow(), actor=supervisor)
    assert refused.value.code == "session_ended"
    demoted = _sign_in(books, "supervisor")
    assert demoted.role is Role.CASHIER
    with pytest.raises(Refused) as refused:
        reports.daily_report(books.app.uow(), actor=demoted)
    assert refused.value.code == "permission_denied"


def test_an_approver_whose_role_was_taken_away_cannot_sign_off(books):
    books.patient("P1", balance="100.00")
    approver = auth.check_credentials(books.app.uow(), "supervisor", PASSWORD, workstation="WS01")
    with books.app.uow() as uow:
        uow.execute(update(t.users).where(t.users.c.id == approver.user_id).values(role="cashier"))
        uow.commit()
    before = books.snapshot()
    with pytest.raises(Refused) as refused:
        withdrawal.withdraw(
            books.app.uow(),
            actor=approver,
            workstation="WS01",
            mrn="P1",
            amount="10.00",
            reason="Discharged",
            key=new_key(),
        )
    assert refused.value.code == "permission_denied"
    assert books.snapshot() == before


def test_authorize_returns_the_role_the_database_holds_now(books):
    with books.app.uow() as uow:
        uow.execute(
            update(t.users).where(t.users.c.id == books.cashier.user_id).values(role="supervisor")
        )
        current = sessions.authorize(uow, books.cashier, Role.SUPERVISOR, "see reports")
    assert (current.role, current.username) == (Role.SUPERVISOR, "cashier")


def test_a_session_of_another_user_is_not_accepted(books):
    supervisor = _sign_in(books, "supervisor")
    with books.app.uow() as uow:
        forged = uow.execute(
            insert(t.user_sessions)
            .values(
                user_id=books.cashier.user_id,
                workstation="WS01",
                started_at=system_clock(),
            )
            .returning(t.user_sessions.c.id)
        ).scalar_one()
        uow.commit()
    impostor = type(supervisor)(
        supervisor.user_id, "supervisor", Role.SUPERVISOR, session_id=forged
    )
    with pytest.raises(Refused) as refused:
        reports.daily_report(books.app.uow(), actor=impostor)
    assert refused.value.code == "session_ended"
