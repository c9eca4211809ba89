"""The users table: accounts, their roles, passwords and sign-in failure counts."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, fields
from datetime import datetime
from typing import Any

from sqlalchemy import bindparam, func, insert, select, update

from pos_app.adapters import tables as t
from pos_app.adapters.uow import UnitOfWork
from pos_app.domain.actors import Role


@dataclass(frozen=True)
class UserRow:
    """One user as stored; `password_hash` never leaves the services."""

    id: int
    username: str
    full_name: str
    role: str
    password_hash: str
    must_change_password: bool
    active: bool
    failed_logins: int
    locked_until: datetime | None


COLUMNS = [t.users.c[f.name] for f in fields(UserRow)]


def _row(row: Any) -> UserRow:
    return UserRow(**row._mapping)


def by_id(uow: UnitOfWork, user_id: int) -> UserRow | None:
    found = uow.rows(_BY_ID, {"user_id": user_id})
    return UserRow(*found[0]) if found else None


_BY_ID = select(*COLUMNS).where(t.users.c.id == bindparam("user_id"))  # every command asks


def by_username(uow: UnitOfWork, username: str) -> UserRow | None:
    row = uow.execute(select(*COLUMNS).where(t.users.c.username == username)).first()
    return None if row is None else _row(row)


def all_by_name(uow: UnitOfWork) -> list[UserRow]:
    return [_row(row) for row in uow.execute(select(*COLUMNS).order_by(t.users.c.username))]


def count(uow: UnitOfWork) -> int:
    return uow.execute(select(func.count()).select_from(t.users)).scalar_one()


def add(
    uow: UnitOfWork,
    *,
    username: str,
    full_name: str,
    role: str,
    password_hash: str,
    must_change_password: bool,
    now: datetime,
) -> int:
    """Insert one user; returns their id."""
    return uow.execute(
        insert(t.users)
        .values(
            username=username,
            full_name=full_name,
            role=role,
            password_hash=password_hash,
            must_change_password=must_change_password,
            created_at=now,
        )
        .returning(t.users.c.id)
    ).scalar_one()


def change(uow: UnitOfWork, user_id: int, values: Mapping[str, Any]) -> None:
    """Set the columns named in `values` (e.g. active, role, password_hash)."""
    uow.execute(update(t.users).where(t.users.c.id == user_id).values(**values))


def count_failed_login(uow: UnitOfWork, user_id: int) -> int:
    """Add one failure in the database (so guesses racing from several tills all count)."""
    return uow.execute(
        update(t.users)
        .where(t.users.c.id == user_id)
        .values(failed_logins=t.users.c.failed_logins + 1)
        .returning(t.users.c.failed_logins)
    ).scalar_one()


def lock_active_admins(uow: UnitOfWork) -> list[int]:
    """The active admins' ids, row-locked, so two admins cannot demote each other at once."""
    return list(
        uow.execute(
            select(t.users.c.id)
            .where(t.users.c.role == Role.ADMIN.value, t.users.c.active)
            .order_by(t.users.c.id)
            .with_for_update()
        )
        .scalars()
        .all()
    )


def display_names(uow: UnitOfWork, user_ids: set[int]) -> dict[int, str]:
    """Users as printed on receipts: full name, else user name."""
    rows = uow.execute(
        select(t.users.c.id, t.users.c.username, t.users.c.full_name).where(
            t.users.c.id.in_(user_ids)
        )
    ).all()
    return {row.id: row.full_name or row.username for row in rows}
