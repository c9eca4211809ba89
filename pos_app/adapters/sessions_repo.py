"""The user_sessions table: who is signed in where, and when and why each session ended."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import bindparam, insert, select, update

from pos_app.adapters import tables as t
from pos_app.adapters import users_repo
from pos_app.adapters.uow import UnitOfWork
from pos_app.adapters.users_repo import UserRow


@dataclass(frozen=True)
class SessionRow:
    user_id: int
    ended_at: datetime | None


def user_and_session(
    uow: UnitOfWork, user_id: int, session_id: int | None
) -> tuple[UserRow | None, SessionRow | None]:
    """The user and (if given) the session, in one statement: every privileged call asks."""
    if session_id is None:
        return users_repo.by_id(uow, user_id), None
    found = uow.rows(_USER_AND_SESSION, {"user_id": user_id, "session_id": session_id})
    if not found:
        return None, None
    *user, session, session_user, ended_at = found[0]
    return UserRow(*user), None if session is None else SessionRow(session_user, ended_at)


_s = t.user_sessions
_USER_AND_SESSION = (
    select(*users_repo.COLUMNS, _s.c.id, _s.c.user_id, _s.c.ended_at)
    .select_from(t.users.outerjoin(_s, _s.c.id == bindparam("session_id")))
    .where(t.users.c.id == bindparam("user_id"))
)


def get(uow: UnitOfWork, session_id: int) -> SessionRow | None:
    s = t.user_sessions
    row = uow.execute(select(s.c.user_id, s.c.ended_at).where(s.c.id == session_id)).first()
    return None if row is None else SessionRow(row.user_id, row.ended_at)


def start(uow: UnitOfWork, *, user_id: int, workstation: str, now: datetime) -> int:
    """Open a session; returns its id."""
    return uow.execute(
        insert(t.user_sessions)
        .values(
            user_id=user_id,
            workstation=workstation,
            started_at=now,
        )
        .returning(t.user_sessions.c.id)
    ).scalar_one()


def end(
    uow: UnitOfWork, *, user_id: int, reason: str, now: datetime, session_id: int | None = None
) -> list[int]:
    """End the user's open sessions (or just `session_id`); returns the ids ended, sorted."""
    s = t.user_sessions
    statement = (
        update(s)
        .where(s.c.user_id == user_id, s.c.ended_at.is_(None))
        .values(ended_at=now, end_reason=reason)
        .returning(s.c.id)
    )
    if session_id is not None:
        statement = statement.where(s.c.id == session_id)
    return sorted(uow.execute(statement).scalars().all())
