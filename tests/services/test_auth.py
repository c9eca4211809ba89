"""Users and roles: argon2 passwords, a short lock-out, and role checks on every use case."""

import json
from datetime import datetime, timedelta

import pytest
from sqlalchemy import select, update

from pos_app.adapters import tables as t
from pos_app.domain.actors import Role
from pos_app.domain.clock import system_clock
from pos_app.domain.errors import BadInput, Refused
from pos_app.services.auth import (
    LOCKOUT,
    LOCKOUT_MINUTES,
    MAX_FAILURES,
    add_user,
    change_password,
    check_credentials,
    sign_in,
    sign_out,
)
from pos_app.services.check import run_check
from tests.helpers.books import PASSWORD


def test_a_correct_password_signs_in_with_the_users_role(books):
    actor = sign_in(books.app.uow(), "supervisor", PASSWORD, workstation="WS01")
    assert (actor.username, actor.role) == ("supervisor", Role.SUPERVISOR)


def test_passwords_are_stored_as_argon2_hashes(books):
    with books.app.uow(write=False) as uow:
        stored = uow.execute(select(t.users.c.password_hash)).scalars().all()
    assert all(h.startswith("$argon2") and PASSWORD not in h for h in stored)


@pytest.mark.parametrize(("user", "password"), [("cashier", "wrong"), ("nobody", PASSWORD)])
def test_a_wrong_user_or_password_is_permission_denied(books, user, password):
    with pytest.raises(Refused) as refused:
        sign_in(books.app.uow(), user, password, workstation="WS01")
    assert refused.value.code == "permission_denied"


def test_repeated_failures_lock_the_user_out_even_with_the_right_password(books):
    for _ in range(MAX_FAILURES):
        with pytest.raises(Refused):
            sign_in(books.app.uow(), "cashier", "wrong", workstation="WS01")
    with pytest.raises(Refused, match="Too many") as locked:
        sign_in(books.app.uow(), "cashier", PASSWORD, workstation="WS01")
    assert locked.value.code == "account_locked"
    assert locked.value.details["lockout_minutes"] == LOCKOUT_MINUTES
    assert datetime.fromisoformat(locked.value.details["locked_until"]) > system_clock()


def test_attempts_left_count_down_and_a_right_password_starts_again(books):
    left = []
    for _ in range(MAX_FAILURES - 1):
        with pytest.raises(Refused) as refused:
            sign_in(books.app.uow(), "cashier", "wrong", workstation="WS01")
        left.append(refused.value.details["attempts_left"])
        assert f"{left[-1]} attempts left" in refused.value.message
    assert left == list(range(MAX_FAILURES - 1, 0, -1))
    sign_in(books.app.uow(), "cashier", PASSWORD, workstation="WS01")
    with pytest.raises(Refused) as refused:
        sign_in(books.app.uow(), "cashier", "wrong", workstation="WS01")
    assert refused.value.details["attempts_left"] == MAX_FAILURES - 1


def test_an_unknown_user_gets_the_wrong_password_wording(books):
    with pytest.raises(Refused) as unknown:
        sign_in(books.app.uow(), "nobody", PASSWORD, workstation="WS01")
    with pytest.raises(Refused) as wrong:
        sign_in(books.app.uow(), "cashier", "wrong", workstation="WS01")
    assert unknown.value.message == wrong.value.message
    assert "nobody" not in unknown.value.message


def test_the_lock_out_ends_after_its_minutes(books):
    start = system_clock()
    for _ in range(MAX_FAILURES):
        with pytest.raises(Refused):
            sign_in(books.app.uow(), "cashier", "wrong", workstation="WS01", now=start)
    with pytest.raises(Refused):
        sign_in(
            books.app.uow(),
            "cashier",
            PASSWORD,
            workstation="WS01",
            now=start + LOCKOUT - timedelta(seconds=1),
        )
    later = start + LOCKOUT + timedelta(seconds=1)
    assert sign_in(books.app.uow(), "cashier", PASSWORD, workstation="WS01", now=later).user_id


def _events(books) -> list[tuple[str, dict]]:
    with books.app.uow(write=False) as uow:
        rows = uow.execute(
            select(t.audit_events.c.action, t.audit_events.c.details)
            .where(t.audit_events.c.action != "workstation.enrolled")
            .order_by(t.audit_events.c.seq)
        ).all()
    return [(action, json.loads(details)) for action, details in rows]


def test_sign_ins_failures_lock_outs_and_sign_outs_are_audited(books):
    with pytest.raises(Refused):
        sign_in(books.app.uow(), "nobody", "x", workstation="WS01")
    for _ in range(MAX_FAILURES):
        with pytest.raises(Refused):
            sign_in(books.app.uow(), "cashier", "wrong", workstation="WS01")
    actor = sign_in(books.app.uow(), "supervisor", PASSWORD, workstation="WS01")
    sign_out(books.app.uow(), actor, workstation="WS01", reason="idle_lock")
    sign_out(books.app.uow(), actor, workstation="WS01")  # already ended: nothing more
    events = _events(books)
    assert [a for a, _ in events] == (
        ["user.sign_in_failed"] * (MAX_FAILURES + 1)
        + ["user.locked_out", "user.sign_in", "user.sign_out"]
    )
    assert events[0][1]["username"] == "nobody"
    assert events[-2][1]["session_id"] == actor.session_id
    assert events[-1][1]["reason"] == "idle_lock"
    assert run_check(books.app.uow(), actor=books.supervisor) == []


def test_sign_in_opens_a_session_row_and_sign_out_ends_it(books):
    actor = sign_in(books.app.uow(), "cashier", PASSWORD, workstation="WS07")
    assert actor.session_id is not None
    sign_out(books.app.uow(), actor, workstation="WS07", reason="switch_user")
    with books.app.uow(write=False) as uow:
        row = uow.execute(select(t.user_sessions)).one()
    assert (row.user_id, row.workstation, row.end_reason) == (actor.user_id, "WS07", "switch_user")
    assert row.ended_at >= row.started_at


def test_an_unknown_sign_out_reason_is_bad_input(books):
    actor = sign_in(books.app.uow(), "cashier", PASSWORD, workstation="WS01")
    with pytest.raises(BadInput) as bad:
        sign_out(books.app.uow(), actor, workstation="WS01", reason="disabled")
    assert bad.value.code == "invalid_reason"


def test_checking_credentials_opens_no_session_but_audits_failures(books):
    approver = check_credentials(books.app.uow(), "supervisor", PASSWORD, workstation="WS01")
    assert (approver.role, approver.session_id) == (Role.SUPERVISOR, None)
    assert books.count("user_sessions") == 0
    with pytest.raises(Refused) as refused:
        check_credentials(books.app.uow(), "supervisor", "wrong", workstation="WS01")
    assert refused.value.details["attempts_left"] == MAX_FAILURES - 1
    assert [a for a, _ in _events(books)] == ["user.sign_in_failed"]


def test_a_disabled_user_cannot_sign_in(books):
    with books.app.uow() as uow:
        uow.execute(update(t.users).where(t.users.c.username == "cashier").values(active=False))
        uow.commit()
    with pytest.raises(Refused, match="disabled") as refused:
        sign_in(books.app.uow(), "cashier", PASSWORD, workstation="WS01")
    assert refused.value.code == "permission_denied"
    assert books.count("user_sessions") == 0


def test_the_first_user_needs_no_sign_in_but_must_be_an_admin(app):
    with pytest.raises(Refused):
        add_user(
            app.uow(),
            actor=None,
            workstation="WS01",
            username="alice",
            role="cashier",
            password="long enough",
        )
    admin = add_user(
        app.uow(),
        actor=None,
        workstation="WS01",
        username="root",
        role="admin",
        password="long enough",
    )
    assert admin.role is Role.ADMIN
    with pytest.raises(Refused):
        add_user(
            app.uow(),
            actor=None,
            workstation="WS01",
            username="bob",
            role="cashier",
            password="long enough",
        )


def test_only_an_admin_adds_users_and_it_is_audited(books):
    with pytest.raises(Refused) as refused:
        add_user(
            books.app.uow(),
            actor=books.supervisor,
            workstation="WS01",
            username="eve",
            role="admin",
            password="long enough",
        )
    assert refused.value.code == "permission_denied"
    add_user(
        books.app.uow(),
        actor=books.admin,
        workstation="WS01",
        username="nurse.j",
        role="cashier",
        password="long enough",
    )
    assert [action for action, _ in _events(books)] == ["user.add"]
    assert (
        sign_in(books.app.uow(), "nurse.j", "long enough", workstation="WS01").role is Role.CASHIER
    )
    assert run_check(books.app.uow(), actor=books.supervisor) == []


@pytest.mark.parametrize(
    ("username", "role", "password", "code"),
    [
        ("x", "cashier", "long enough", "invalid_username"),
        ("ok_name", "janitor", "long enough", "invalid_role"),
        ("ok_name", "cashier", "short", "weak_password"),
    ],
)
def test_bad_user_details_are_refused(books, username, role, password, code):
    with pytest.raises(BadInput) as bad:
        add_user(
            books.app.uow(),
            actor=books.admin,
            workstation="WS01",
            username=username,
            role=role,
            password=password,
        )
    assert bad.value.code == code


def test_a_user_changes_their_own_password(books):
    changed = change_password(
        books.app.uow(),
        actor=books.cashier,
        workstation="WS01",
        old_password=PASSWORD,
        new_password="a new secret",
    )
    assert not changed.must_change_password
    assert (
        sign_in(books.app.uow(), "cashier", "a new secret", workstation="WS01").username
        == "cashier"
    )
    with pytest.raises(Refused):
        sign_in(books.app.uow(), "cashier", PASSWORD, workstation="WS01")
