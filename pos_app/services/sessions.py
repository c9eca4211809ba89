"""Live sessions: every privileged call is checked against the database, not a kept object.

A window left open after sign-out still holds its `Actor`; `authorize` reads the
user and session rows inside the caller's transaction, so that actor cannot act
for a signed-out or disabled user, nor with a role that was taken away.
"""

from __future__ import annotations

from datetime import datetime

from pos_app.adapters import sessions_repo
from pos_app.adapters.uow import UnitOfWork
from pos_app.domain.actors import Actor, Role
from pos_app.domain.errors import Refused

# Why a session ended: the first four by the user or their window, the last two by an admin.
END_REASONS = frozenset(
    {"sign_out", "idle_lock", "switch_user", "cli_exit", "disabled", "role_changed"}
)


def authorize(uow: UnitOfWork, actor: Actor, role: Role, action: str) -> Actor:
    """The actor as the database knows them now, if they may still `action`; else `Refused`.

    Call it inside the service's `with uow:` block, before anything is written.
    """
    user, session = sessions_repo.user_and_session(uow, actor.user_id, actor.session_id)
    if user is None or not user.active:
        raise Refused(
            f"The account {actor.username} is disabled: it may not {action}.",
            code="permission_denied",
        )
    if actor.session_id is not None and (
        session is None or session.user_id != actor.user_id or session.ended_at is not None
    ):
        raise Refused(
            f"The session of {actor.username} has ended: sign in again to {action}.",
            code="session_ended",
        )
    current = Actor(
        user.id, user.username, Role(user.role), bool(user.must_change_password), actor.session_id
    )
    current.require(role, action)
    return current


def end_sessions(
    uow: UnitOfWork, *, user_id: int, reason: str, now: datetime, session_id: int | None = None
) -> list[int]:
    """End the user's open sessions (or just `session_id`); returns the ids it ended."""
    if reason not in END_REASONS:
        raise ValueError(f"unknown session end reason {reason!r}")
    return sessions_repo.end(uow, user_id=user_id, reason=reason, now=now, session_id=session_id)
