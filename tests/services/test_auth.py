"""Users and roles: argon2 passwords, a short lock-out, and role checks on every use case."""

import pytest
from sqlalchemy import select

from pos_app.adapters import tables as t
from pos_app.domain.actors import Role
from pos_app.domain.errors import BadInput, Refused
from pos_app.services.auth import MAX_FAILURES, add_user, change_password, sign_in
from pos_app.services.check import run_check
from tests.helpers.books import PASSWORD


def test_a_correct_password_signs_in_with_the_users_role(books):
    actor = sign_in(books.app.uow(), "supervisor", PASSWORD)
    assert (actor.username, actor.role) == ("supervisor", Role.SUPERVISOR)


def test_passwords_are_stored_as_argon2_hashes(books):
    with books.app.uow(write=False) as uow:
        stored = uow.execute(select(t.users.c.password_hash)).scalars().all()
    assert all(h.startswith("$argon2") and PASSWORD not in h for h in stored)


@pytest.mark.parametrize(("user", "password"), [("cashier", "wrong"), ("nobody", PASSWORD)])
def test_a_wrong_user_or_password_is_permission_denied(books, user, password):
    with pytest.raises(Refused) as refused:
        sign_in(books.app.uow(), user, password)
    assert refused.value.code == "permission_denied"


def test_repeated_failures_lock_the_user_out_even_with_the_right_password(books):
    for _ in range(MAX_FAILURES):
        with pytest.raises(Refused):
            sign_in(books.app.uow(), "cashier", "wrong")
    with pytest.raises(Refused, match="Too many"):
        sign_in(books.app.uow(), "cashier", PASSWORD)


def test_the_first_user_needs_no_sign_in_but_must_be_an_admin(app):
    with pytest.raises(Refused):
        add_user(app.uow(), actor=None, workstation="WS01", username="alice",
                 role="cashier", password="long enough")
    admin = add_user(app.uow(), actor=None, workstation="WS01", username="root",
                     role="admin", password="long enough")
    assert admin.role is Role.ADMIN
    with pytest.raises(Refused):
        add_user(app.uow(), actor=None, workstation="WS01", username="bob",
                 role="cashier", password="long enough")


def test_only_an_admin_adds_users_and_it_is_audited(books):
    with pytest.raises(Refused) as refused:
        add_user(books.app.uow(), actor=books.supervisor, workstation="WS01",
                 username="eve", role="admin", password="long enough")
    assert refused.value.code == "permission_denied"
    add_user(books.app.uow(), actor=books.admin, workstation="WS01", username="nurse.j",
             role="cashier", password="long enough")
    assert sign_in(books.app.uow(), "nurse.j", "long enough").role is Role.CASHIER
    assert books.count("audit_events") == 1
    assert run_check(books.app.uow(), actor=books.supervisor) == []


@pytest.mark.parametrize(("username", "role", "password", "code"), [
    ("x", "cashier", "long enough", "invalid_username"),
    ("ok_name", "janitor", "long enough", "invalid_role"),
    ("ok_name", "cashier", "short", "weak_password"),
])
def test_bad_user_details_are_refused(books, username, role, password, code):
    with pytest.raises(BadInput) as bad:
        add_user(books.app.uow(), actor=books.admin, workstation="WS01", username=username,
                 role=role, password=password)
    assert bad.value.code == code


def test_a_user_changes_their_own_password(books):
    changed = change_password(books.app.uow(), actor=books.cashier, workstation="WS01",
                              old_password=PASSWORD, new_password="a new secret")
    assert not changed.must_change_password
    assert sign_in(books.app.uow(), "cashier", "a new secret").username == "cashier"
    with pytest.raises(Refused):
        sign_in(books.app.uow(), "cashier", PASSWORD)
