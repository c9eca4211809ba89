"""The user_sessions table: who is signed in where, and when and why each session ended."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import insert, select, update

from pos_app.adapters import tables as t
from pos_app.adapters.uow import UnitOfWork


@dataclass(frozen=True)
class SessionRow:
    user_id: int
    ended_at: datetime | None


def get(uow: UnitOfWork, session_id: int) -> SessionRow | None:
    s = t.user_sessions
    row = uow.execute(select(s.c.user_id, s.c.ended_at).where(s.c.id == session_id)).first()
    return None if row is None else SessionRow(row.user_id, row.ended_at)


def start(uow: UnitOfWork, *, user_id: int, workstation: str, now: datetime) -> int:
    """Open a session; returns its id."""
    return uow.execute(insert(t.user_sessions).values(
        user_id=user_id, workstation=workstation, started_at=now,
    ).returning(t.user_sessions.c.id)).scalar_one()


def end(uow: UnitOfWork, *, user_id: int, reason: str, now: datetime,
        session_id: int | None = None) -> list[int]:
    """End the user's open sessions (or just `session_id`); returns the ids ended, sorted."""
    s = t.user_sessions
    statement = (update(s)
                 .where(s.c.user_id == user_id, s.c.ended_at.is_(None))
                 .values(ended_at=now, end_reason=reason)
                 .returning(s.c.id))
    if session_id is not None:
        statement = statement.where(s.c.id == session_id)
    return sorted(uow.execute(statement).scalars().all())
