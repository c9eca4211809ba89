"""Pharmacy stock: rows locked by id, units taken by a sale and put back by a refund."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import bindparam, insert, select, update

from pos_app.adapters import tables as t
from pos_app.adapters.uow import UnitOfWork
from pos_app.domain.effects import StockMovement


def lock(uow: UnitOfWork, stock_ids: list[int]) -> dict[int, tuple[str, int]]:
    """The stock rows, locked by id: {id: (name, quantity on hand)}."""
    if not stock_ids:
        return {}
    rows = uow.execute(
        select(t.stock_items.c.id, t.stock_items.c.name, t.stock_items.c.quantity_on_hand)
        .where(t.stock_items.c.id.in_(sorted(stock_ids)))
        .order_by(t.stock_items.c.id)
        .with_for_update()
    ).all()
    return {row.id: (row.name, row.quantity_on_hand) for row in rows}


def take(uow: UnitOfWork, movements: tuple[StockMovement, ...], at: datetime) -> None:
    """Units sold: each movement's delta is negative."""
    if any(m.delta >= 0 for m in movements):
        raise ValueError("a sale takes units out")
    _move(uow, movements, at)


def put_back(uow: UnitOfWork, movements: tuple[StockMovement, ...], at: datetime) -> None:
    """Units refunded: each movement's delta is positive."""
    if any(m.delta <= 0 for m in movements):
        raise ValueError("a return puts units back")
    _move(uow, movements, at)


def _move(uow: UnitOfWork, movements: tuple[StockMovement, ...], at: datetime) -> None:
    """One update per stock row touched and one insert per movement, all waiting for the
    command's next round trip (`UnitOfWork.write`)."""
    if not movements:
        return
    delta: dict[int, int] = {}
    for movement in movements:
        delta[movement.stock_item_id] = delta.get(movement.stock_item_id, 0) + movement.delta
    for stock_item_id, units in delta.items():
        uow.write(_COUNT, {"stock_item_id": stock_item_id, "units": units})
    for m in movements:
        uow.write(
            _MOVEMENT,
            {
                "stock_item_id": m.stock_item_id,
                "delta": m.delta,
                "reason": m.reason,
                "bill_item_id": m.bill_item_id,
                "created_at": at,
            },
        )


_COUNT = (
    update(t.stock_items)
    .where(t.stock_items.c.id == bindparam("stock_item_id"))
    .values(quantity_on_hand=t.stock_items.c.quantity_on_hand + bindparam("units"))
)
_MOVEMENT = insert(t.stock_movements).inline()
