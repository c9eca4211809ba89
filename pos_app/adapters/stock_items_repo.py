"""The pharmacy's stock items as a catalog: added and received (deliveries), each unit
through a stock_movements row, so the quantity on hand always equals its movements' sum."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import bindparam, insert, select, update

from pos_app.adapters import tables as t
from pos_app.adapters.batches import chunks, rows_where_in
from pos_app.adapters.uow import UnitOfWork

RECEIPT = "receipt"  # the movement reason of a delivery


@dataclass(frozen=True)
class StockItemRow:
    id: int
    code: str
    name: str
    unit: str


@dataclass(frozen=True)
class NewStockItem:
    code: str
    name: str
    unit: str
    quantity: int


@dataclass(frozen=True)
class Delivery:
    """Units received onto a known item, with its name and unit as corrected."""

    id: int
    name: str
    unit: str
    quantity: int


def by_codes(uow: UnitOfWork, codes: Iterable[str]) -> dict[str, StockItemRow]:
    """The stock items among `codes` that exist, by code."""
    s = t.stock_items
    return {
        row.code: StockItemRow(**row._mapping)
        for row in rows_where_in(uow, select(s.c.id, s.c.code, s.c.name, s.c.unit), s.c.code, codes)
    }


def add(uow: UnitOfWork, items: Sequence[NewStockItem], now: datetime) -> dict[str, int]:
    """Insert items with their opening quantity received; returns code -> id."""
    s = t.stock_items
    ids: dict[str, int] = {}
    for part in chunks(items):
        ids.update(
            uow.execute(
                insert(s).returning(s.c.code, s.c.id),
                [
                    {"code": i.code, "name": i.name, "unit": i.unit, "quantity_on_hand": i.quantity}
                    for i in part
                ],
            ).all()
        )
    _received(uow, [(ids[i.code], i.quantity) for i in items], now)
    return ids


def receive(uow: UnitOfWork, deliveries: Sequence[Delivery], now: datetime) -> None:
    """Add each delivery onto its item, by id (the order payments lock stock in)."""
    if not deliveries:
        return
    s = t.stock_items
    statement = (
        update(s)
        .where(s.c.id == bindparam("_id"))
        .values(
            name=bindparam("v_name"),
            unit=bindparam("v_unit"),
            quantity_on_hand=s.c.quantity_on_hand + bindparam("delta"),
        )
    )
    ordered = sorted(deliveries, key=lambda d: d.id)
    for part in chunks(ordered):
        uow.execute(
            statement,
            [{"_id": d.id, "v_name": d.name, "v_unit": d.unit, "delta": d.quantity} for d in part],
        )
    _received(uow, [(d.id, d.quantity) for d in deliveries], now)


def _received(uow: UnitOfWork, quantities: list[tuple[int, int]], now: datetime) -> None:
    rows = [
        {"stock_item_id": item_id, "delta": delta, "reason": RECEIPT, "created_at": now}
        for item_id, delta in quantities
        if delta
    ]
    for part in chunks(rows):
        uow.execute(insert(t.stock_movements), list(part))
