"""Bills raised at the till: the price-list search, a free bill number, and the bill's rows."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import case, insert, or_, select

from pos_app.adapters import tables as t
from pos_app.adapters.price_list_repo import ServiceRow
from pos_app.adapters.uow import UnitOfWork


@dataclass(frozen=True)
class NewLine:
    """One item of a new bill, priced from the list."""

    service_id: int
    quantity: int
    unit_price_minor: int


_SERVICE = [
    t.services.c.id,
    t.services.c.code,
    t.services.c.name,
    t.services.c.kind,
    t.services.c.department,
    t.services.c.unit_price_minor,
    t.services.c.stock_item_id,
    t.services.c.lab_test_code,
    t.services.c.active,
]


def search_active(uow: UnitOfWork, words: Sequence[str], limit: int) -> list[ServiceRow]:
    """Active services where every word starts the code or appears in the name.

    An exact code comes first, then codes starting with the first word, then by name.
    The price list is hundreds to a few thousand rows: a bounded scan of it is cheap, and
    the exact code is found through its unique index.
    """
    s = t.services
    query = select(*_SERVICE).where(s.c.active.is_(True))
    for word in words:
        query = query.where(
            or_(
                s.c.code.istartswith(word, autoescape=True),
                s.c.name.icontains(word, autoescape=True),
            )
        )
    first = words[0].upper()
    rank = case((s.c.code == first, 0), (s.c.code.istartswith(first, autoescape=True), 1), else_=2)
    rows = uow.execute(query.order_by(rank, s.c.name, s.c.code).limit(limit)).all()
    return [ServiceRow(**row._mapping) for row in rows]


def first_free_bill_no(uow: UnitOfWork, candidates: Sequence[str]) -> str | None:
    """The first of `candidates` that no bill (imported or raised here) has taken yet."""
    taken = set(
        uow.execute(select(t.bills.c.bill_no).where(t.bills.c.bill_no.in_(candidates))).scalars()
    )
    return next((no for no in candidates if no not in taken), None)


def add_bill(
    uow: UnitOfWork, *, bill_no: str, patient_id: int, lines: Sequence[NewLine], now: datetime
) -> list[int]:
    """Insert an open bill and its unpaid items; returns the item ids in line order."""
    bill_id = uow.execute(
        insert(t.bills)
        .values(bill_no=bill_no, patient_id=patient_id, created_at=now)
        .returning(t.bills.c.id)
    ).scalar_one()
    # One statement per item: RETURNING of a multi-row insert does not promise the order.
    return [
        uow.execute(
            insert(t.bill_items)
            .values(
                bill_id=bill_id,
                patient_id=patient_id,
                service_id=line.service_id,
                quantity=line.quantity,
                unit_price_minor=line.unit_price_minor,
                amount_minor=line.quantity * line.unit_price_minor,
                created_at=now,
            )
            .returning(t.bill_items.c.id)
        ).scalar_one()
        for line in lines
    ]
