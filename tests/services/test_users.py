"""User administration: admins only, audited, sessions ended, never without an admin."""

from __future__ import annotations

import json
import time
from concurrent.futures import ThreadPoolExecutor

import pytest
from sqlalchemy import select, text, update

from pos_app.adapters import tables as t
from pos_app.domain.errors import BadInput, NotFound, Refused
from pos_app.services import auth, users
from pos_app.services.check import run_check
from tests.helpers.books import PASSWORD


def _session_rows(books, username: str) -> list[tuple]:
    with books.app.uow(write=False) as uow:
        return [
            tuple(r)
            for r in uow.execute(
                select(t.user_sessions.c.ended_at.is_not(None), t.user_sessions.c.end_reason)
                .join(t.users, t.users.c.id == t.user_sessions.c.user_id)
                .where(t.users.c.username == username)
            ).all()
        ]


def _event(books, action: str) -> dict:
    """The details of the one audit event of `action`."""
    with books.app.uow(write=False) as uow:
        details = uow.execute(
            select(t.audit_events.c.details).where(t.audit_events.c.action == action)
        ).scalar_one()
    return json.loads(details)


def test_list_users_shows_role_state_and_lock_out(books):
    for _ in range(auth.MAX_FAILURES):
        with pytest.raises(Refused):
            auth.sign_in(books.app.uow(), "cashier2", "wrong", workstation="WS01")
    listed = {u.username: u for u in users.list_users(books.app.uow(), actor=books.admin)}
    assert sorted(listed) == ["admin", "cashier", "cashier2", "supervisor"]
    assert listed["cashier2"].locked and not listed["cashier"].locked
    assert listed["supervisor"].to_json() == {
        "username": "supervisor",
        "full_name": "",
        "role": "supervisor",
        "active": True,
        "locked": False,
        "must_change_password": False,
    }


def test_disabling_ends_open_sessions_and_is_audited_and_enabling_lets_them_back(books):
    auth.sign_in(books.app.uow(), "cashier", PASSWORD, workstation="WS02")
    disabled = users.disable_user(
        books.app.uow(), actor=books.admin, workstation="WS01", username="cashier"
    )
    assert not disabled.active
    assert _session_rows(books, "cashier") == [(True, "disabled")]
    details = _event(books, "user.disable")
    assert (details["username"], len(details["ended_sessions"])) == ("cashier", 1)
    with pytest.raises(Refused, match="disabled"):
        auth.sign_in(books.app.uow(), "cashier", PASSWORD, workstation="WS01")
    assert users.enable_user(
        books.app.uow(), actor=books.admin, workstation="WS01", username="cashier"
    ).active
    assert auth.sign_in(books.app.uow(), "cashier", PASSWORD, workstation="WS01").session_id
    assert run_check(books.app.uow(), actor=books.supervisor) == []


def test_a_role_change_ends_sessions_and_records_old_and_new_role(books):
    auth.sign_in(books.app.uow(), "cashier", PASSWORD, workstation="WS01")
    changed = users.set_role(
        books.app.uow(),
        actor=books.admin,
        workstation="WS01",
        username="cashier",
        role="supervisor",
    )
    assert changed.role == "supervisor"
    assert _session_rows(books, "cashier") == [(True, "role_changed")]
    details = _event(books, "user.set_role")
    assert (details["old_role"], details["role"]) == ("cashier", "supervisor")


def test_reset_password_sets_a_temporary_one_to_be_changed_and_lifts_a_lock_out(books):
    for _ in range(auth.MAX_FAILURES):
        with pytest.raises(Refused):
            auth.sign_in(books.app.uow(), "cashier", "wrong", workstation="WS01")
    reset = users.reset_password(
        books.app.uow(),
        actor=books.admin,
        workstation="WS01",
        username="cashier",
        new_password="temporary 1",
    )
    assert (reset.must_change_password, reset.locked) == (True, False)
    assert _event(books, "user.reset_password")["username"] == "cashier"
    actor = auth.sign_in(books.app.uow(), "cashier", "temporary 1", workstation="WS01")
    assert actor.must_change_password
    with pytest.raises(BadInput) as weak:
        users.reset_password(
            books.app.uow(),
            actor=books.admin,
            workstation="WS01",
            username="cashier",
            new_password="short",
        )
    assert weak.value.code == "weak_password"


def test_an_admin_cannot_disable_or_demote_themself(books):
    before = books.snapshot()
    with pytest.raises(Refused) as disable:
        users.disable_user(books.app.uow(), actor=books.admin, workstation="WS01", username="admin")
    with pytest.raises(Refused) as demote:
        users.set_role(
            books.app.uow(), actor=books.admin, workstation="WS01", username="admin", role="cashier"
        )
    assert disable.value.code == demote.value.code == "last_admin"
    assert books.snapshot() == before


def test_the_last_active_admin_is_never_removed(books):
    users.set_role(
        books.app.uow(), actor=books.admin, workstation="WS01", username="supervisor", role="admin"
    )
    users.disable_user(
        books.app.uow(), actor=books.admin, workstation="WS01", username="supervisor"
    )
    # An admin disabled behind the service's back still holds an old actor: refused too.
    with books.app.uow() as uow:
        uow.execute(update(t.users).where(t.users.c.username == "supervisor").values(active=True))
        uow.execute(update(t.users).where(t.users.c.username == "admin").values(active=False))
        uow.commit()
    with pytest.raises(Refused) as refused:
        users.disable_user(
            books.app.uow(), actor=books.admin, workstation="WS01", username="supervisor"
        )
    assert refused.value.code == "permission_denied"
    active_admins = [
        u
        for u in users.list_users(books.app.uow(), actor=books.supervisor)
        if u.role == "admin" and u.active
    ]
    assert [u.username for u in active_admins] == ["supervisor"]


@pytest.mark.parametrize("who", ["cashier", "supervisor"])
def test_only_admins_manage_users_and_nothing_is_written(books, who):
    actor = getattr(books, who)
    before = books.snapshot()
    calls = [
        lambda: users.list_users(books.app.uow(), actor=actor),
        lambda: users.disable_user(
            books.app.uow(), actor=actor, workstation="WS01", username="cashier2"
        ),
        lambda: users.enable_user(
            books.app.uow(), actor=actor, workstation="WS01", username="cashier2"
        ),
        lambda: users.set_role(
            books.app.uow(), actor=actor, workstation="WS01", username=who, role="admin"
        ),
        lambda: users.reset_password(
            books.app.uow(),
            actor=actor,
            workstation="WS01",
            username="cashier2",
            new_password="long enough",
        ),
    ]
    for call in calls:
        with pytest.raises(Refused) as refused:
            call()
        assert refused.value.code == "permission_denied"
    assert books.snapshot() == before


def test_unknown_users_and_roles_are_bad_input(books):
    with pytest.raises(NotFound) as unknown:
        users.disable_user(
            books.app.uow(), actor=books.admin, workstation="WS01", username="nobody"
        )
    assert unknown.value.code == "unknown_user"
    with pytest.raises(BadInput) as role:
        users.set_role(
            books.app.uow(),
            actor=books.admin,
            workstation="WS01",
            username="cashier",
            role="janitor",
        )
    assert role.value.code == "invalid_role"


def test_a_change_that_changes_nothing_writes_nothing(books):
    before = books.snapshot()
    users.enable_user(books.app.uow(), actor=books.admin, workstation="WS01", username="cashier")
    users.set_role(
        books.app.uow(), actor=books.admin, workstation="WS01", username="cashier", role="cashier"
    )
    assert books.snapshot() == before


def _someone_waits_on_a_lock(engine) -> bool:
    with engine.connect() as conn:
        return (
            conn.execute(
                text(
                    "SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock' "
                    "AND datname = current_database()"
                )
            ).scalar_one()
            > 0
        )


def test_two_admins_disabling_each_other_at_once_leave_one_admin(pg_books):
    books = pg_books
    users.set_role(
        books.app.uow(), actor=books.admin, workstation="WS01", username="supervisor", role="admin"
    )
    with books.app.engine.connect() as rival, ThreadPoolExecutor(1) as pool:
        # The other admin's disabling of `admin`, not yet committed, holds admin's row.
        rival.execute(update(t.users).where(t.users.c.username == "admin").values(active=False))
        pending = pool.submit(
            users.disable_user,
            books.app.uow(),
            actor=books.admin,
            workstation="WS01",
            username="supervisor",
        )
        deadline = time.monotonic() + 10
        while not _someone_waits_on_a_lock(books.app.engine):
            assert time.monotonic() < deadline and not pending.done(), pending.result()
            time.sleep(0.01)
        rival.commit()
        with pytest.raises(Refused) as refused:
            pending.result()
    assert refused.value.code == "last_admin"
    with books.app.uow(write=False) as uow:
        admins = (
            uow.execute(
                select(t.users.c.username).where(t.users.c.role == "admin", t.users.c.active)
            )
            .scalars()
            .all()
        )
    assert admins == ["supervisor"]
