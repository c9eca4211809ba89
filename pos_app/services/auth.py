"""Signing in and users: argon2 passwords, roles, and a short lock-out after failures."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timedelta
from functools import cache

from pos_app.adapters import ledger, sessions_repo, users_repo
from pos_app.adapters.passwords import hash_password, verify_password
from pos_app.adapters.uow import UnitOfWork
from pos_app.domain.actors import Actor, Role
from pos_app.domain.errors import BadInput, Refused
from pos_app.domain.text import refuse_controls
from pos_app.services import sessions

MAX_FAILURES = 5
LOCKOUT = timedelta(minutes=2)
LOCKOUT_MINUTES = int(LOCKOUT.total_seconds() // 60)
SIGN_OUT_REASONS = frozenset({"sign_out", "idle_lock", "switch_user", "cli_exit"})
MIN_PASSWORD_LENGTH = 8


def sign_in(
    uow: UnitOfWork, username: str, password: str, *, workstation: str, now: datetime | None = None
) -> Actor:
    """Verify the password and open a live session at `workstation`; audited either way."""
    now = now or uow.clock()
    with uow:
        actor = _verified(uow, username, password, workstation=workstation, now=now)
        session_id = sessions_repo.start(
            uow, user_id=actor.user_id, workstation=workstation, now=now
        )
        actor = replace(actor, session_id=session_id)
        ledger.record(
            uow,
            workstation,
            actor=actor,
            action="user.sign_in",
            details={"username": actor.username, "session_id": session_id},
        )
        uow.commit()
    return actor


def check_credentials(
    uow: UnitOfWork, username: str, password: str, *, workstation: str, now: datetime | None = None
) -> Actor:
    """A supervisor signing off on the spot: the checks of `sign_in`, but no session."""
    now = now or uow.clock()
    with uow:
        actor = _verified(uow, username, password, workstation=workstation, now=now)
        uow.commit()
    return actor


def sign_out(
    uow: UnitOfWork,
    actor: Actor,
    *,
    workstation: str,
    reason: str = "sign_out",
    now: datetime | None = None,
) -> None:
    """End the actor's session so nothing holding it can act again; a second call is a no-op."""
    if reason not in SIGN_OUT_REASONS:
        raise BadInput(f"Unknown sign-out reason {reason!r}.", code="invalid_reason")
    if actor.session_id is None:
        return
    with uow:
        ended = sessions.end_sessions(
            uow,
            user_id=actor.user_id,
            reason=reason,
            now=now or uow.clock(),
            session_id=actor.session_id,
        )
        if ended:
            ledger.record(
                uow,
                workstation,
                actor=actor,
                action="user.sign_out",
                details={
                    "username": actor.username,
                    "session_id": actor.session_id,
                    "reason": reason,
                },
            )
            uow.commit()


def _verified(
    uow: UnitOfWork, username: str, password: str, *, workstation: str, now: datetime
) -> Actor:
    """The actor for a right password of an active, unlocked user.

    A failure is audited and committed before `Refused` is raised, so the failure
    count and the audit trail survive the caller's rollback.
    """
    row = users_repo.by_username(uow, username)
    if row is None:
        verify_password(_decoy_hash(), password)  # as slow as for a real user
        raise _failed(
            uow, workstation, None, username, "unknown_user", _wrong_password(MAX_FAILURES - 1)
        )
    actor = Actor(row.id, row.username, Role(row.role), bool(row.must_change_password))
    if row.locked_until is not None and row.locked_until > now:
        raise _failed(
            uow, workstation, actor, username, "locked", _locked(username, row.locked_until)
        )
    if not verify_password(row.password_hash, password):
        failures = users_repo.count_failed_login(uow, row.id)
        if failures < MAX_FAILURES:
            raise _failed(
                uow,
                workstation,
                actor,
                username,
                "wrong_password",
                _wrong_password(MAX_FAILURES - failures),
            )
        locked_until = now + LOCKOUT
        users_repo.change(uow, row.id, {"failed_logins": 0, "locked_until": locked_until})
        ledger.record(
            uow,
            workstation,
            actor=actor,
            action="user.sign_in_failed",
            details={"username": username, "reason": "wrong_password"},
        )
        raise _failed(
            uow,
            workstation,
            actor,
            username,
            "locked_out",
            _locked(username, locked_until),
            action="user.locked_out",
        )
    if not row.active:
        raise _failed(
            uow,
            workstation,
            actor,
            username,
            "disabled",
            Refused(
                f"The account {username} is disabled: ask an administrator.",
                code="permission_denied",
            ),
        )
    if row.failed_logins or row.locked_until is not None:
        users_repo.change(uow, row.id, {"failed_logins": 0, "locked_until": None})
    return actor


def _failed(
    uow: UnitOfWork,
    workstation: str,
    actor: Actor | None,
    username: str,
    reason: str,
    error: Refused,
    *,
    action: str = "user.sign_in_failed",
) -> Refused:
    """Audit and commit a refused sign-in; returns `error` for the caller to raise."""
    details = {"username": username, "reason": reason, **error.details}
    ledger.record(uow, workstation, actor=actor, action=action, details=details)
    uow.commit()
    return error


def _wrong_password(attempts_left: int) -> Refused:
    return Refused(
        f"Wrong user name or password. {attempts_left} attempts left before a lock-out of "
        f"{LOCKOUT_MINUTES} minutes.",
        code="permission_denied",
        details={"attempts_left": attempts_left, "lockout_minutes": LOCKOUT_MINUTES},
    )


def _locked(username: str, until: datetime) -> Refused:
    return Refused(
        f"Too many wrong passwords for {username}: locked for {LOCKOUT_MINUTES} minutes, "
        f"until {until.astimezone():%H:%M}.",
        code="account_locked",
        details={"locked_until": until.isoformat(), "lockout_minutes": LOCKOUT_MINUTES},
    )


@cache
def _decoy_hash() -> str:
    return hash_password("not a password anyone has")


def add_user(
    uow: UnitOfWork,
    *,
    actor: Actor | None,
    workstation: str,
    username: str,
    role: str,
    password: str,
    full_name: str = "",
    must_change_password: bool = False,
) -> Actor:
    """Add a user. The very first user needs no sign-in but must be an admin."""
    role_value = parse_role(role)
    _check_username(username)
    full_name = refuse_controls(full_name.strip(), what="full name")
    if not must_change_password:
        check_password(password)
    with uow:
        if users_repo.count(uow) == 0:
            if role_value is not Role.ADMIN:
                raise Refused("The first user must be an admin.", code="permission_denied")
        elif actor is None:
            raise Refused("Sign in as an admin to add users.", code="permission_denied")
        else:
            actor = sessions.authorize(uow, actor, Role.ADMIN, "add users")
        if users_repo.by_username(uow, username) is not None:
            raise Refused(f"The user name {username} is taken.", code="user_exists")
        user_id = users_repo.add(
            uow,
            username=username,
            full_name=full_name,
            role=role_value.value,
            password_hash=hash_password(password),
            must_change_password=must_change_password,
            now=uow.clock(),
        )
        new_user = Actor(user_id, username, role_value, must_change_password)
        ledger.record(
            uow,
            workstation,
            actor=actor or new_user,
            action="user.add",
            details={"username": username, "role": role_value.value},
        )
        uow.commit()
    return new_user


def change_password(
    uow: UnitOfWork, *, actor: Actor, workstation: str, old_password: str, new_password: str
) -> Actor:
    """Replace the actor's own password, e.g. the demo password on first GUI sign-in."""
    check_password(new_password)
    if new_password == old_password:
        raise BadInput("The new password must differ from the old one.", code="weak_password")
    with uow:
        actor = sessions.authorize(uow, actor, Role.CASHIER, "change their password")
        stored = users_repo.by_id(uow, actor.user_id)
        if stored is None or not verify_password(stored.password_hash, old_password):
            raise Refused("The current password is wrong.", code="permission_denied")
        users_repo.change(
            uow,
            actor.user_id,
            {"password_hash": hash_password(new_password), "must_change_password": False},
        )
        ledger.record(
            uow,
            workstation,
            actor=actor,
            action="user.password_changed",
            details={"username": actor.username},
        )
        uow.commit()
    return replace(actor, must_change_password=False)


def parse_role(role: str) -> Role:
    """The role named, or `invalid_role`."""
    try:
        return Role(role)
    except ValueError as exc:
        raise BadInput(
            f"Unknown role {role!r}: use cashier, supervisor or admin.", code="invalid_role"
        ) from exc


def _check_username(username: str) -> None:
    if not (2 <= len(username) <= 64) or not username.replace(".", "").replace("_", "").isalnum():
        raise BadInput(
            "A user name is 2 to 64 letters, digits, dots or underscores.", code="invalid_username"
        )


def check_password(password: str) -> None:
    """Refuse a new password that is too short (`weak_password`)."""
    if len(password) < MIN_PASSWORD_LENGTH:
        raise BadInput(
            f"A password needs at least {MIN_PASSWORD_LENGTH} characters.", code="weak_password"
        )
