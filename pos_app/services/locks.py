"""Row locks in the one fixed order every money command takes them.

Wallet, then bill items by id, then stock rows by id, then (in `ledger`) the
workstation's receipt counter. One locking SELECT per table, ordered by id, so
two payments can never deadlock whatever order the cashier picked items in.
On SQLite the whole transaction already holds the write lock (BEGIN IMMEDIATE).
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

from sqlalchemy import select

from pos_app.adapters import tables as t
from pos_app.adapters.uow import UnitOfWork
from pos_app.domain.errors import BadInput, NotFound, Refused
from pos_app.domain.kinds import ItemStatus, ServiceKind
from pos_app.domain.numbers import MAX_ID


@dataclass(frozen=True)
class LockedWallet:
    wallet_id: int
    patient_id: int
    mrn: str
    name: str
    balance_minor: int


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


def lock_wallet(uow: UnitOfWork, mrn: str) -> LockedWallet:
    """The patient's wallet, locked; `unknown_patient` if the MRN is not registered."""
    row = uow.execute(
        select(t.wallets.c.id, t.wallets.c.patient_id, t.wallets.c.balance_minor,
               t.patients.c.mrn, t.patients.c.name)
        .join(t.patients, t.patients.c.id == t.wallets.c.patient_id)
        .where(t.patients.c.mrn == mrn)
        .with_for_update(of=t.wallets)
    ).first()
    if row is None:
        raise NotFound(f"No patient has MRN {mrn}.", code="unknown_patient")
    return LockedWallet(row.id, row.patient_id, row.mrn, row.name, row.balance_minor)


def _item_query():
    return (
        select(t.bill_items.c.id, t.bill_items.c.bill_id, t.bill_items.c.patient_id,
               t.bill_items.c.status, t.bill_items.c.quantity, t.bill_items.c.amount_minor,
               t.services.c.kind, t.services.c.code, t.services.c.name,
               t.services.c.stock_item_id, t.services.c.lab_test_code)
        .join(t.services, t.services.c.id == t.bill_items.c.service_id)
        .order_by(t.bill_items.c.id)
        .with_for_update(of=t.bill_items)
    )


def _locked_item(row: object) -> LockedItem:
    return LockedItem(row.id, row.bill_id, row.patient_id, row.status, row.quantity,
                      row.amount_minor, row.kind, row.code, row.name, row.stock_item_id,
                      row.lab_test_code)


def lock_items(uow: UnitOfWork, wallet: LockedWallet, item_ids: list[int]) -> list[LockedItem]:
    """The chosen items, locked by id; each must exist and be this patient's."""
    rows = [_locked_item(r) for r in
            uow.execute(_item_query().where(t.bill_items.c.id.in_(item_ids))).all()]
    missing = sorted(set(item_ids) - {row.id for row in rows})
    if missing:
        raise NotFound(f"No bill item has id {missing[0]}.", code="unknown_item")
    for row in rows:
        if row.patient_id != wallet.patient_id:
            raise Refused(f"Item {row.id} is not on a bill of patient {wallet.mrn}.",
                          code="item_not_payable")
    return rows


def lock_unpaid_bill_items(uow: UnitOfWork, wallet: LockedWallet,
                           bill_no: str) -> list[LockedItem]:
    """The unpaid items of one of the patient's bills, locked by id."""
    bill = uow.execute(
        select(t.bills.c.id, t.bills.c.patient_id).where(t.bills.c.bill_no == bill_no)
    ).first()
    if bill is None:
        raise NotFound(f"No bill has number {bill_no}.", code="unknown_bill")
    if bill.patient_id != wallet.patient_id:
        raise Refused(f"Bill {bill_no} is not a bill of patient {wallet.mrn}.",
                      code="item_not_payable")
    rows = uow.execute(_item_query().where(t.bill_items.c.bill_id == bill.id,
                                           t.bill_items.c.status == ItemStatus.UNPAID.value))
    items = [_locked_item(r) for r in rows.all()]
    if not items:
        raise Refused(f"Bill {bill_no} has nothing left to pay.", code="item_not_payable")
    return items


def require_unpaid(items: list[LockedItem]) -> None:
    """Refuse the payment if any chosen item is paid or void already."""
    for item in items:
        if item.status != ItemStatus.UNPAID.value:
            raise Refused(f"Item {item.id} ({item.service_name}) is already {item.status}.",
                          code="item_not_payable")


def stock_needed(items: list[LockedItem]) -> Counter[int]:
    """Units each stock row gives up for the pharmacy items among `items`."""
    needed: Counter[int] = Counter()
    for item in items:
        if item.kind == ServiceKind.PHARMACY.value and item.stock_item_id is not None:
            needed[item.stock_item_id] += item.quantity
    return needed


def lock_stock(uow: UnitOfWork, needed: Counter[int]) -> dict[int, tuple[str, int]]:
    """The stock rows the items draw on, locked by id: {id: (name, quantity on hand)}."""
    if not needed:
        return {}
    rows = uow.execute(
        select(t.stock_items.c.id, t.stock_items.c.name, t.stock_items.c.quantity_on_hand)
        .where(t.stock_items.c.id.in_(sorted(needed)))
        .order_by(t.stock_items.c.id)
        .with_for_update()
    ).all()
    return {row.id: (row.name, row.quantity_on_hand) for row in rows}


def check_item_ids(item_ids: list[int]) -> list[int]:
    """Refuse an empty or repeated selection before anything is locked."""
    if not item_ids:
        raise BadInput("Choose at least one item to pay.", code="no_items")
    if len(set(item_ids)) != len(item_ids):
        raise BadInput("An item is chosen twice.", code="duplicate_item")
    if any(not isinstance(i, int) or isinstance(i, bool) or not 0 < i <= MAX_ID
           for i in item_ids):
        raise BadInput("Item ids are positive whole numbers.", code="unknown_item")
    return sorted(item_ids)
