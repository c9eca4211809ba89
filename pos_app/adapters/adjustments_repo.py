"""Adjustment lines as stored (append-only), the figures read from them, and the reason codes."""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import BigInteger, case, cast, func, insert, select

from pos_app.adapters import settings_repo
from pos_app.adapters import tables as t
from pos_app.adapters.uow import UnitOfWork
from pos_app.domain.adjustments import DEFAULT_REASON_CODES, AdjustmentKind, ItemDue
from pos_app.domain.effects import AdjustmentRecorded
from pos_app.domain.errors import NotFound

REASON_CODES_KEY = "adjustment_reason_codes"
SIGNED_OFF = "approval.at_once"  # the approval workflow's command for a sign-off's key


@dataclass(frozen=True)
class Line:
    """One adjustment line as a receipt prints it."""

    bill_item_id: int
    kind: str
    reason_code: str
    amount_minor: int


@dataclass(frozen=True)
class Owner:
    patient_id: int
    mrn: str


def record(uow: UnitOfWork, line: AdjustmentRecorded, at: datetime) -> None:
    uow.execute(
        insert(t.adjustments).values(
            bill_item_id=line.bill_item_id,
            kind=line.kind,
            amount_minor=line.amount_minor,
            reason_code=line.reason_code,
            requested_by=line.requested_by,
            approved_by=line.approved_by,
            request_id=line.request_id,
            workstation=line.workstation,
            created_at=at,
        )
    )


def owner_of(uow: UnitOfWork, item_id: int) -> Owner:
    """Whose item it is (read before the patient's wallet and the item are locked)."""
    row = uow.execute(
        select(t.patients.c.id, t.patients.c.mrn)
        .join(t.bill_items, t.bill_items.c.patient_id == t.patients.c.id)
        .where(t.bill_items.c.id == item_id)
    ).first()
    if row is None:
        raise NotFound(f"No bill item has id {item_id}.", code="unknown_item")
    return Owner(row.id, row.mrn)


def item_due(uow: UnitOfWork, item_id: int) -> ItemDue:
    """The item and its adjustment sums as they stand (not locked: a preview)."""
    a, bi = t.adjustments, t.bill_items
    total = cast(func.coalesce(func.sum(a.c.amount_minor), 0), BigInteger)
    price = cast(
        func.coalesce(
            func.sum(case((a.c.kind == AdjustmentKind.PRICE.value, a.c.amount_minor), else_=0)), 0
        ),
        BigInteger,
    )
    row = uow.execute(
        select(bi.c.id, bi.c.status, bi.c.quantity, bi.c.amount_minor, total, price)
        .outerjoin(a, a.c.bill_item_id == bi.c.id)
        .where(bi.c.id == item_id)
        .group_by(bi.c.id, bi.c.status, bi.c.quantity, bi.c.amount_minor)
    ).first()
    if row is None:
        raise NotFound(f"No bill item has id {item_id}.", code="unknown_item")
    return ItemDue(*row)


def price_adjusted(uow: UnitOfWork, item_id: int) -> int:
    """What the item's price corrections took off so far (the rest are discounts, waivers)."""
    a = t.adjustments
    return int(
        uow.execute(
            select(func.coalesce(func.sum(a.c.amount_minor), 0)).where(
                a.c.bill_item_id == item_id, a.c.kind == AdjustmentKind.PRICE.value
            )
        ).scalar_one()
    )


def totals(uow: UnitOfWork, item_ids: Iterable[int]) -> dict[int, int]:
    """{item: what its adjustment lines take off}, for items that have any."""
    a = t.adjustments
    ids = list(item_ids)
    if not ids:
        return {}
    return {
        item: int(total)
        for item, total in uow.execute(
            select(a.c.bill_item_id, func.sum(a.c.amount_minor))
            .where(a.c.bill_item_id.in_(ids))
            .group_by(a.c.bill_item_id)
        )
    }


def lines_until(uow: UnitOfWork, item_ids: Iterable[int], until: datetime) -> list[Line]:
    """The lines of `item_ids` made up to `until` (a payment's time), oldest first.

    An item is adjusted only while unpaid, so these are the lines its payment charged.
    """
    a = t.adjustments
    ids = list(item_ids)
    if not ids:
        return []
    rows = uow.execute(
        select(a.c.bill_item_id, a.c.kind, a.c.reason_code, a.c.amount_minor)
        .where(a.c.bill_item_id.in_(ids), a.c.created_at <= until)
        .order_by(a.c.id)
    )
    return [Line(*row) for row in rows]


def signed_off(uow: UnitOfWork, key: str) -> dict | None:
    """The adjustment an on-the-spot sign-off under `key` made, if the key was used so
    (the approval workflow keeps the decided request, its `result` the line)."""
    k = t.idempotency_keys
    stored = uow.execute(
        select(k.c.result).where(k.c.key == key, k.c.command == SIGNED_OFF, k.c.result.is_not(None))
    ).scalar()
    return None if stored is None else json.loads(stored).get("result")


def reason_codes(uow: UnitOfWork) -> tuple[str, ...]:
    """The facility's reason codes (setting `adjustment_reason_codes`), else the defaults."""
    stored = settings_repo.value(uow, REASON_CODES_KEY)
    return tuple(stored.split(",")) if stored else DEFAULT_REASON_CODES


def set_reason_codes(uow: UnitOfWork, codes: tuple[str, ...]) -> None:
    settings_repo.put(uow, {REASON_CODES_KEY: ",".join(codes)})
