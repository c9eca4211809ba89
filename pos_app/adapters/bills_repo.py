"""Open bills and their items, as imported from the hospital's systems or loaded as a demo."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import insert, select

from pos_app.adapters import tables as t
from pos_app.adapters.batches import chunks, rows_where_in
from pos_app.adapters.uow import UnitOfWork


@dataclass(frozen=True)
class NewItem:
    bill_no: str
    patient_id: int
    service_id: int
    quantity: int
    unit_price_minor: int

    @property
    def amount_minor(self) -> int:
        return self.quantity * self.unit_price_minor


def owners(uow: UnitOfWork, bill_nos: Iterable[str]) -> dict[str, str]:
    """bill_no -> the MRN of its patient, for the bills among `bill_nos` that exist."""
    b, p = t.bills, t.patients
    return {
        row.bill_no: row.mrn
        for row in rows_where_in(
            uow,
            select(b.c.bill_no, p.c.mrn).join(p, p.c.id == b.c.patient_id),
            b.c.bill_no,
            bill_nos,
        )
    }


def add(
    uow: UnitOfWork, bills: Sequence[tuple[str, int]], items: Sequence[NewItem], now: datetime
) -> None:
    """Insert open bills (bill_no, patient id) and their unpaid items."""
    b = t.bills
    bill_ids: dict[str, int] = {}
    for part in chunks(bills):
        bill_ids.update(
            uow.execute(
                insert(b).returning(b.c.bill_no, b.c.id),
                [
                    {"bill_no": bill_no, "patient_id": patient_id, "created_at": now}
                    for bill_no, patient_id in part
                ],
            ).all()
        )
    for batch in chunks(items):
        uow.execute(
            insert(t.bill_items),
            [
                {
                    "bill_id": bill_ids[i.bill_no],
                    "patient_id": i.patient_id,
                    "service_id": i.service_id,
                    "quantity": i.quantity,
                    "unit_price_minor": i.unit_price_minor,
                    "amount_minor": i.amount_minor,
                    "created_at": now,
                }
                for i in batch
            ],
        )
