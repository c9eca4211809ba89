"""`caretill user ...` as scripts use it, and the per-command session of the command line."""

from __future__ import annotations

import pytest
from sqlalchemy import select, text

from pos_app.adapters import tables as t
from pos_app.services.auth import MAX_FAILURES


@pytest.fixture
def caretill(cli):
    """User commands act as the admin unless told."""
    return lambda *args, user="admin": cli(*args, user=user)


def test_user_list_prints_every_user_with_its_state(caretill):
    status, result = caretill("user", "list")
    assert status == 0
    by_name = {u["username"]: u for u in result["users"]}
    assert sorted(by_name) == ["admin", "cashier", "cashier2", "supervisor"]
    assert {
        k: by_name["cashier"][k]
        for k in ("username", "role", "active", "locked", "must_change_password")
    } == {
        "username": "cashier",
        "role": "cashier",
        "active": True,
        "locked": False,
        "must_change_password": False,
    }


def test_disable_enable_and_set_role_change_what_signing_in_gives(caretill):
    assert caretill("user", "disable", "cashier")[1]["active"] is False
    status, refused = caretill("patient", "search", "x", user="cashier")
    assert (status, refused["error"]["code"]) == (3, "permission_denied")
    assert caretill("user", "enable", "cashier")[1]["active"] is True
    status, changed = caretill("user", "set-role", "cashier", "--role", "supervisor")
    assert (status, changed["role"]) == (0, "supervisor")
    assert caretill("report", "daily", user="cashier")[0] == 0


def test_reset_password_takes_the_new_one_from_the_environment(caretill, monkeypatch):
    monkeypatch.setenv("CARETILL_NEW_PASSWORD", "temporary 1")
    status, reset = caretill("user", "reset-password", "cashier")
    assert (status, reset["must_change_password"]) == (0, True)
    status, _ = caretill("patient", "search", "x", user="cashier")
    assert status == 3  # the old password no longer signs in
    monkeypatch.setenv("CARETILL_PASSWORD", "temporary 1")
    assert caretill("patient", "search", "x", user="cashier")[0] == 0


@pytest.mark.parametrize(
    "command",
    [
        ("user", "list"),
        ("user", "disable", "cashier2"),
        ("user", "enable", "cashier2"),
        ("user", "set-role", "cashier", "--role", "admin"),
        ("user", "reset-password", "cashier2"),  # refused before asking for the new password
        ("user", "add", "eve", "--role", "admin"),
    ],
)
def test_a_cashier_is_refused_every_user_command_with_exit_3(books, caretill, command):
    users, events = books.count("users"), books.count("audit_events")
    status, result = caretill(*command, user="cashier")
    assert (status, result["error"]["code"]) == (3, "permission_denied")
    assert books.count("users") == users
    # Only the cashier's own sign-in and sign-out (and this till's key, the first time).
    assert set(_actions_after(books, events)) - {"workstation.enrolled"} == {
        "user.sign_in",
        "user.sign_out",
    }


def test_the_last_admin_cannot_disable_themself(caretill):
    status, result = caretill("user", "disable", "admin")
    assert (status, result["error"]["code"]) == (3, "last_admin")


@pytest.mark.parametrize(
    ("command", "code"),
    [
        (("user", "disable", "nobody"), "unknown_user"),
        (("user", "set-role", "cashier", "--role", "janitor"), "usage"),
    ],
)
def test_bad_user_commands_exit_2(caretill, command, code):
    status, result = caretill(*command)
    assert (status, result["error"]["code"]) == (2, code)


def test_each_command_signs_in_and_ends_its_session_on_exit(books, caretill):
    assert caretill("patient", "search", "x", user="cashier")[0] == 0
    assert caretill("patient", "show", "NOPE", user="cashier")[0] == 2
    with books.app.uow(write=False) as uow:
        rows = uow.execute(
            select(
                t.user_sessions.c.ended_at,
                t.user_sessions.c.end_reason,
                t.user_sessions.c.workstation,
            )
        ).all()
        actions = (
            uow.execute(select(t.audit_events.c.action).order_by(t.audit_events.c.seq))
            .scalars()
            .all()
        )
    assert len(rows) == 2
    assert all(
        r.ended_at is not None and r.end_reason == "cli_exit" and r.workstation == "WS01"
        for r in rows
    )
    # The till enrols its signing key before its first event.
    assert actions == ["workstation.enrolled"] + ["user.sign_in", "user.sign_out"] * 2


def test_a_wrong_password_on_the_command_line_tells_the_attempts_left(caretill, monkeypatch):
    monkeypatch.setenv("CARETILL_PASSWORD", "wrong")
    status, result = caretill("patient", "search", "x", user="cashier")
    assert (status, result["error"]["code"]) == (3, "permission_denied")
    assert result["error"]["attempts_left"] == MAX_FAILURES - 1


def _actions_after(books, count: int) -> list[str]:
    with books.app.uow(write=False) as uow:
        rows = uow.execute(text("SELECT action FROM audit_events ORDER BY id")).scalars().all()
    return list(rows[count:])
