"""User administration: list, disable, enable, change role, reset password (admins, audited).

Disabling a user or changing their role ends their open sessions, so a window
they left signed in cannot act with the old rights. The till never loses its
last active admin: nobody could then manage users again.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any

from pos_app.adapters import ledger, users_repo
from pos_app.adapters.passwords import hash_password
from pos_app.adapters.uow import UnitOfWork
from pos_app.domain.actors import Actor, Role
from pos_app.domain.errors import NotFound, Refused
from pos_app.services import auth, sessions
from pos_app.services.results import JsonResult


@dataclass(frozen=True)
class UserSummary(JsonResult):
    """A user as the admin screen and `caretill user list` show them."""

    username: str
    full_name: str
    role: str
    active: bool
    locked: bool
    must_change_password: bool


def list_users(uow: UnitOfWork, *, actor: Actor, now: datetime | None = None) -> list[UserSummary]:
    """Every user, by name."""
    now = now or uow.clock()
    with uow:
        sessions.authorize(uow, actor, Role.ADMIN, "manage users")
        rows = users_repo.all_by_name(uow)
    return [_summary(row, now) for row in rows]


def disable_user(
    uow: UnitOfWork, *, actor: Actor, workstation: str, username: str, now: datetime | None = None
) -> UserSummary:
    """Stop `username` signing in and end their open sessions."""
    return _change(
        uow,
        actor=actor,
        workstation=workstation,
        username=username,
        now=now or uow.clock(),
        action="user.disable",
        values={"active": False},
        end_reason="disabled",
    )


def enable_user(
    uow: UnitOfWork, *, actor: Actor, workstation: str, username: str, now: datetime | None = None
) -> UserSummary:
    """Let a disabled user sign in again."""
    return _change(
        uow,
        actor=actor,
        workstation=workstation,
        username=username,
        now=now or uow.clock(),
        action="user.enable",
        values={"active": True},
    )


def set_role(
    uow: UnitOfWork,
    *,
    actor: Actor,
    workstation: str,
    username: str,
    role: str,
    now: datetime | None = None,
) -> UserSummary:
    """Give `username` another role; their open sessions end so the new one applies at once."""
    new_role = auth.parse_role(role)
    return _change(
        uow,
        actor=actor,
        workstation=workstation,
        username=username,
        now=now or uow.clock(),
        action="user.set_role",
        values={"role": new_role.value},
        end_reason="role_changed",
    )


def reset_password(
    uow: UnitOfWork,
    *,
    actor: Actor,
    workstation: str,
    username: str,
    new_password: str,
    now: datetime | None = None,
) -> UserSummary:
    """Set a temporary password the user must change at their next window sign-in."""
    auth.check_password(new_password)
    return _change(
        uow,
        actor=actor,
        workstation=workstation,
        username=username,
        now=now or uow.clock(),
        action="user.reset_password",
        values={
            "password_hash": hash_password(new_password),
            "must_change_password": True,
            "failed_logins": 0,
            "locked_until": None,
        },
    )


def _change(
    uow: UnitOfWork,
    *,
    actor: Actor,
    workstation: str,
    username: str,
    now: datetime,
    action: str,
    values: dict[str, Any],
    end_reason: str | None = None,
) -> UserSummary:
    """Apply `values` to the user, audited; a change that changes nothing writes nothing."""
    with uow:
        actor = sessions.authorize(uow, actor, Role.ADMIN, "manage users")
        row = users_repo.by_username(uow, username)
        if row is None:
            raise NotFound(f"No user is called {username}.", code="unknown_user")
        if all(getattr(row, key) == value for key, value in values.items()):
            return _summary(row, now)
        if end_reason is not None:
            _keep_an_admin(uow, actor, row)
        users_repo.change(uow, row.id, values)
        ended = (
            sessions.end_sessions(uow, user_id=row.id, reason=end_reason, now=now)
            if end_reason
            else []
        )
        details: dict[str, Any] = {"username": username, "ended_sessions": ended}
        if "role" in values:
            details.update(old_role=row.role, role=values["role"])
        ledger.record(uow, workstation, actor=actor, action=action, details=details)
        uow.commit()
    return _summary(replace(row, **values), now)


def _keep_an_admin(uow: UnitOfWork, actor: Actor, row: users_repo.UserRow) -> None:
    """Refuse `last_admin` when the change takes an admin away from themself or from the till."""
    if row.role != Role.ADMIN.value or not row.active:
        return
    if row.id == actor.user_id:
        raise Refused(
            "You cannot disable yourself or take away your own admin role: ask another admin.",
            code="last_admin",
        )
    if len(users_repo.lock_active_admins(uow)) <= 1:
        raise Refused(
            f"{row.username} is the last active admin: make another user an admin first.",
            code="last_admin",
        )


def _summary(row: users_repo.UserRow, now: datetime) -> UserSummary:
    locked = row.locked_until is not None and row.locked_until > now
    return UserSummary(
        row.username,
        row.full_name,
        row.role,
        bool(row.active),
        locked,
        bool(row.must_change_password),
    )
