"""The price list (services table): looked up by code, added to and updated set-based."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, fields
from typing import Any

from sqlalchemy import bindparam, insert, select, update

from pos_app.adapters import tables as t
from pos_app.adapters.batches import chunks, rows_where_in
from pos_app.adapters.uow import UnitOfWork


@dataclass(frozen=True)
class ServiceRow:
    id: int
    code: str
    name: str
    kind: str
    department: str
    unit_price_minor: int
    stock_item_id: int | None
    lab_test_code: str | None
    active: bool


_COLUMNS = [t.services.c[f.name] for f in fields(ServiceRow)]


def by_codes(uow: UnitOfWork, codes: Iterable[str]) -> dict[str, ServiceRow]:
    """The services among `codes` that exist, by code."""
    return {
        row.code: ServiceRow(**row._mapping)
        for row in rows_where_in(uow, select(*_COLUMNS), t.services.c.code, codes)
    }


def add(uow: UnitOfWork, services: Sequence[dict[str, Any]]) -> dict[str, int]:
    """Insert services (code, name, kind, department, unit_price_minor, stock_item_id,
    lab_test_code[, active]); returns code -> id."""
    s = t.services
    ids: dict[str, int] = {}
    for part in chunks(services):
        ids.update(uow.execute(insert(s).returning(s.c.code, s.c.id), list(part)).all())
    return ids


def change(uow: UnitOfWork, changes: Sequence[dict[str, Any]]) -> None:
    """Set the columns each change names (the same in each) on the service with its `id`.

    In id order, the order payments lock rows in, so the two never deadlock.
    """
    if not changes:
        return
    s = t.services
    columns = [name for name in changes[0] if name != "id"]
    statement = (
        update(s)
        .where(s.c.id == bindparam("_id"))
        .values({name: bindparam(f"v_{name}") for name in columns})
    )
    rows = [
        {"_id": c["id"], **{f"v_{name}": c[name] for name in columns}}
        for c in sorted(changes, key=lambda c: c["id"])
    ]
    for part in chunks(rows):
        uow.execute(statement, list(part))
