"""Lab results a payment ordered: locked and cancelled when their items are refunded."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import bindparam, select, update

from pos_app.adapters import tables as t
from pos_app.adapters.uow import UnitOfWork
from pos_app.domain.effects import LabResultsCancelled
from pos_app.domain.kinds import LabStatus


@dataclass(frozen=True)
class LabRow:
    id: int
    status: str
    lab_test_code: str


def lock_live(uow: UnitOfWork, payment_id: int, item_ids: list[int]) -> list[LabRow]:
    """The payment's lab results of these items that are not cancelled, locked by id."""
    return [
        LabRow(*row)
        for row in uow.execute(
            select(t.lab_results.c.id, t.lab_results.c.status, t.lab_results.c.lab_test_code)
            .where(
                t.lab_results.c.payment_id == payment_id,
                t.lab_results.c.bill_item_id.in_(item_ids),
                t.lab_results.c.status != LabStatus.CANCELLED.value,
            )
            .order_by(t.lab_results.c.id)
            .with_for_update()
        ).all()
    ]


def cancel(uow: UnitOfWork, cancelled: LabResultsCancelled) -> None:
    for lab_result_id in cancelled.lab_result_ids:  # locked by the refund (lock_live)
        uow.write(_CANCEL, {"lab_result_id": lab_result_id})


_CANCEL = (
    update(t.lab_results)
    .where(t.lab_results.c.id == bindparam("lab_result_id"))
    .values(status=LabStatus.CANCELLED.value)
)
