"""Z day closes: the frozen figures of a business day."""

from __future__ import annotations

from datetime import date

from sqlalchemy import select

from pos_app.adapters import tables as t
from pos_app.adapters.uow import UnitOfWork
from pos_app.domain.effects import DayClosed


def lock_counters(uow: UnitOfWork) -> None:
    """Every workstation's counter row, locked in id order."""
    uow.execute(select(t.workstations.c.id).order_by(t.workstations.c.id).with_for_update()).all()


def is_closed(uow: UnitOfWork, day: date) -> bool:
    return (
        uow.execute(
            select(t.day_closes.c.business_date).where(t.day_closes.c.business_date == day)
        ).first()
        is not None
    )


def record(uow: UnitOfWork, closed: DayClosed) -> None:
    """Write the Z record."""
    uow.execute(
        t.day_closes.insert().values(
            business_date=closed.business_date,
            window_start=closed.window_start,
            window_end=closed.window_end,
            closed_by=closed.closed_by,
            workstation=closed.workstation,
            receipt_count=closed.receipt_count,
            payments_minor=closed.payments_minor,
            deposits_minor=closed.deposits_minor,
            refunds_minor=closed.refunds_minor,
            withdrawals_minor=closed.withdrawals_minor,
            report=closed.report,
            report_hash=closed.report_hash,
            heads=closed.heads,
        )
    )
