"""Bill items as the cascade sees them: locked with their service and what their adjustments
take off, settled and reopened."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import BigInteger, any_, bindparam, cast, exists, func, select, update
from sqlalchemy.dialects.postgresql import ARRAY

from pos_app.adapters import tables as t
from pos_app.adapters.uow import UnitOfWork
from pos_app.domain.effects import ItemsReopened, ItemsSettled
from pos_app.domain.errors import NotFound, Refused
from pos_app.domain.kinds import BillStatus, ItemStatus


@dataclass(frozen=True)
class LockedItem:
    id: int
    bill_id: int
    patient_id: int
    status: str
    quantity: int
    amount_minor: int
    kind: str
    service_code: str
    service_name: str
    stock_item_id: int | None
    lab_test_code: str | None
    adjusted_minor: int  # what the item's adjustment lines take off its amount

    @property
    def due_minor(self) -> int:
        """What paying the item charges: its amount less its adjustments."""
        return self.amount_minor - self.adjusted_minor


def _adjusted():
    """The sum of an item's adjustment lines, read in the lock's own statement.

    A command that adds a line locks the patient's wallet before the item (locks.py),
    as a payment does, so a payment's statement starts only after such a command
    committed and its snapshot holds the line.
    """
    a = t.adjustments
    return (
        select(cast(func.coalesce(func.sum(a.c.amount_minor), 0), BigInteger))
        .where(a.c.bill_item_id == t.bill_items.c.id)
        .scalar_subquery()
    )


def _query():
    return (
        select(
            t.bill_items.c.id,
            t.bill_items.c.bill_id,
            t.bill_items.c.patient_id,
            t.bill_items.c.status,
            t.bill_items.c.quantity,
            t.bill_items.c.amount_minor,
            t.services.c.kind,
            t.services.c.code,
            t.services.c.name,
            t.services.c.stock_item_id,
            t.services.c.lab_test_code,
            _adjusted(),
        )
        .join(t.services, t.services.c.id == t.bill_items.c.service_id)
        .order_by(t.bill_items.c.id)
        .with_for_update(of=t.bill_items)
    )


# per dialect: PostgreSQL takes the ids as one array (a statement compiled once)
_CHOSEN = {
    "sqlite": _query().where(t.bill_items.c.id.in_(bindparam("ids", expanding=True))),
    "postgresql": _query().where(
        t.bill_items.c.id == any_(bindparam("ids", type_=ARRAY(BigInteger)))
    ),
}


def lock(uow: UnitOfWork, item_ids: list[int], *, patient_id: int, mrn: str) -> list[LockedItem]:
    """The chosen items, locked by id; each must exist and be this patient's."""
    rows = [LockedItem(*r) for r in uow.rows(_CHOSEN[uow.dialect], {"ids": item_ids})]
    missing = sorted(set(item_ids) - {row.id for row in rows})
    if missing:
        raise NotFound(f"No bill item has id {missing[0]}.", code="unknown_item")
    for row in rows:
        if row.patient_id != patient_id:
            raise Refused(
                f"Item {row.id} is not on a bill of patient {mrn}.", code="item_not_payable"
            )
    return rows


def lock_unpaid_of_bill(
    uow: UnitOfWork, bill_no: str, *, patient_id: int, mrn: str
) -> list[LockedItem]:
    """The unpaid items of one of the patient's bills, locked by id."""
    bill = uow.execute(
        select(t.bills.c.id, t.bills.c.patient_id).where(t.bills.c.bill_no == bill_no)
    ).first()
    if bill is None:
        raise NotFound(f"No bill has number {bill_no}.", code="unknown_bill")
    if bill.patient_id != patient_id:
        raise Refused(f"Bill {bill_no} is not a bill of patient {mrn}.", code="item_not_payable")
    rows = uow.execute(
        _query().where(
            t.bill_items.c.bill_id == bill.id, t.bill_items.c.status == ItemStatus.UNPAID.value
        )
    )
    items = [LockedItem(*r) for r in rows.all()]
    if not items:
        raise Refused(f"Bill {bill_no} has nothing left to pay.", code="item_not_payable")
    return items


def settle(uow: UnitOfWork, settled: ItemsSettled) -> None:
    """Mark the items paid, and each of their bills with nothing unpaid left.

    The command locked the items (`lock`, FOR UPDATE) and found each unpaid in this
    transaction, so no other transaction can pay one before this one ends: the updates
    go with the next round trip (`UnitOfWork.write`), their row counts unread."""
    for item_id in settled.item_ids:
        uow.write(_SETTLE, {"item_id": item_id})
    for bill_id in settled.bill_ids:
        uow.write(_BILL_PAID, {"bill_id": bill_id})


_UNPAID_LEFT = exists().where(
    t.bill_items.c.bill_id == t.bills.c.id, t.bill_items.c.status == ItemStatus.UNPAID.value
)
_SETTLE = (
    update(t.bill_items)
    .where(
        t.bill_items.c.id == bindparam("item_id"), t.bill_items.c.status == ItemStatus.UNPAID.value
    )
    .values(status=ItemStatus.PAID.value)
)
_BILL_PAID = (
    update(t.bills)
    .where(t.bills.c.id == bindparam("bill_id"), ~_UNPAID_LEFT)
    .values(status=BillStatus.PAID.value)
)


def reopen(uow: UnitOfWork, reopened: ItemsReopened) -> None:
    """Mark refunded items unpaid again and open their paid bills."""
    changed = uow.execute(
        update(t.bill_items)
        .where(
            t.bill_items.c.id.in_(reopened.item_ids), t.bill_items.c.status == ItemStatus.PAID.value
        )
        .values(status=ItemStatus.UNPAID.value)
    ).rowcount
    if changed != len(reopened.item_ids):
        raise Refused("An item of this payment is no longer paid.", code="item_not_reversible")
    uow.execute(
        update(t.bills)
        .where(t.bills.c.id.in_(reopened.bill_ids), t.bills.c.status == BillStatus.PAID.value)
        .values(status=BillStatus.OPEN.value)
    )
