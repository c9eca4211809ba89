"""Signing in and users: argon2 passwords, roles, and a short lock-out after failures."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import func, insert, select, update

from pos_app.adapters import ledger
from pos_app.adapters import tables as t
from pos_app.adapters.passwords import hash_password, verify_password
from pos_app.adapters.types import utcnow
from pos_app.adapters.uow import UnitOfWork
from pos_app.domain.actors import Actor, Role
from pos_app.domain.errors import BadInput, Refused

MAX_FAILURES = 5
LOCKOUT = timedelta(minutes=2)
MIN_PASSWORD_LENGTH = 8


def sign_in(uow: UnitOfWork, username: str, password: str) -> Actor:
    """The actor for a correct user name and password; `permission_denied` otherwise."""
    now = utcnow()
    with uow:
        row = uow.execute(select(t.users).where(t.users.c.username == username)).first()
        if row is None or not row.active:
            raise Refused("Wrong user name or password.", code="permission_denied")
        if row.locked_until is not None and row.locked_until > now:
            raise Refused(
                f"Too many wrong passwords for {username}: try again in a few minutes.",
                code="permission_denied",
            )
        if not verify_password(row.password_hash, password):
            failures = row.failed_logins + 1
            locked = now + LOCKOUT if failures >= MAX_FAILURES else None
            uow.execute(update(t.users).where(t.users.c.id == row.id).values(
                failed_logins=0 if locked else failures, locked_until=locked))
            uow.commit()
            raise Refused("Wrong user name or password.", code="permission_denied")
        if row.failed_logins or row.locked_until is not None:
            uow.execute(update(t.users).where(t.users.c.id == row.id)
                        .values(failed_logins=0, locked_until=None))
            uow.commit()
    return Actor(row.id, row.username, Role(row.role), bool(row.must_change_password))


def add_user(
    uow: UnitOfWork, *, actor: Actor | None, workstation: str, username: str, role: str,
    password: str, full_name: str = "", must_change_password: bool = False,
) -> Actor:
    """Add a user. The very first user needs no sign-in but must be an admin."""
    role_value = _role(role)
    _check_username(username)
    if not must_change_password:
        _check_password(password)
    with uow:
        user_count = uow.execute(select(func.count()).select_from(t.users)).scalar_one()
        if user_count == 0:
            if role_value is not Role.ADMIN:
                raise Refused("The first user must be an admin.", code="permission_denied")
        elif actor is None:
            raise Refused("Sign in as an admin to add users.", code="permission_denied")
        else:
            actor.require(Role.ADMIN, "add users")
        taken = uow.execute(select(t.users.c.id).where(t.users.c.username == username)).first()
        if taken is not None:
            raise Refused(f"The user name {username} is taken.", code="user_exists")
        user_id = uow.execute(
            insert(t.users).values(
                username=username, full_name=full_name, role=role_value.value,
                password_hash=hash_password(password),
                must_change_password=must_change_password, created_at=utcnow(),
            ).returning(t.users.c.id)
        ).scalar_one()
        new_user = Actor(user_id, username, role_value, must_change_password)
        ledger.record(uow, workstation, actor=actor or new_user, action="user.add",
                      details={"username": username, "role": role_value.value})
        uow.commit()
    return new_user


def change_password(uow: UnitOfWork, *, actor: Actor, workstation: str, old_password: str,
                    new_password: str) -> Actor:
    """Replace the actor's own password, e.g. the demo password on first GUI sign-in."""
    _check_password(new_password)
    if new_password == old_password:
        raise BadInput("The new password must differ from the old one.", code="weak_password")
    with uow:
        stored = uow.execute(
            select(t.users.c.password_hash).where(t.users.c.id == actor.user_id)
        ).scalar_one()
        if not verify_password(stored, old_password):
            raise Refused("The current password is wrong.", code="permission_denied")
        uow.execute(update(t.users).where(t.users.c.id == actor.user_id).values(
            password_hash=hash_password(new_password), must_change_password=False))
        ledger.record(uow, workstation, actor=actor, action="user.password_changed",
                      details={"username": actor.username})
        uow.commit()
    return Actor(actor.user_id, actor.username, actor.role, False)


def _role(role: str) -> Role:
    try:
        return Role(role)
    except ValueError as exc:
        raise BadInput(f"Unknown role {role!r}: use cashier, supervisor or admin.",
                       code="invalid_role") from exc


def _check_username(username: str) -> None:
    if not (2 <= len(username) <= 64) or not username.replace(".", "").replace("_", "").isalnum():
        raise BadInput("A user name is 2 to 64 letters, digits, dots or underscores.",
                       code="invalid_username")


def _check_password(password: str) -> None:
    if len(password) < MIN_PASSWORD_LENGTH:
        raise BadInput(f"A password needs at least {MIN_PASSWORD_LENGTH} characters.",
                       code="weak_password")
