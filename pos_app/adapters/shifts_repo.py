"""Cash shifts as stored: open, find, lock, the figures linked to a shift, and its close."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, bindparam, func, insert, select, update
from sqlalchemy.exc import IntegrityError

from pos_app.adapters import tables as t
from pos_app.adapters.uow import UnitOfWork
from pos_app.domain.effects import ShiftClosed
from pos_app.domain.kinds import ShiftStatus, TenderMethod

TOLERANCE_KEY = "shift_variance_tolerance_minor"


@dataclass(frozen=True)
class ShiftRow:
    id: int
    cashier_id: int
    cashier: str
    workstation: str
    opened_at: datetime
    opening_float_minor: int


def open_id(uow: UnitOfWork, *, cashier_id: int, workstation: str) -> int | None:
    """The id of the cashier's open shift at this workstation, if any (one query)."""
    found = uow.rows(_OPEN_ID, {"cashier_id": cashier_id, "ws": workstation})
    return found[0][0] if found else None


_OPEN_ID = select(t.shifts.c.id).where(  # every money command asks
    t.shifts.c.cashier_id == bindparam("cashier_id"),
    t.shifts.c.workstation == bindparam("ws"),
    t.shifts.c.status == ShiftStatus.OPEN.value,
)


def open_shift(
    uow: UnitOfWork, *, cashier_id: int, workstation: str, at: datetime, float_minor: int
) -> int | None:
    """Insert an open shift; None when the cashier has one open there already."""
    try:
        return uow.execute(
            insert(t.shifts)
            .values(
                cashier_id=cashier_id,
                workstation=workstation,
                status=ShiftStatus.OPEN.value,
                opened_at=at,
                opening_float_minor=float_minor,
            )
            .returning(t.shifts.c.id)
        ).scalar_one()
    except IntegrityError:
        return None


def _rows(
    uow: UnitOfWork, *where: ColumnElement[bool], lock: bool = False, limit: int | None = None
) -> list[ShiftRow]:
    query = (
        select(
            t.shifts.c.id,
            t.shifts.c.cashier_id,
            t.users.c.username,
            t.shifts.c.workstation,
            t.shifts.c.opened_at,
            t.shifts.c.opening_float_minor,
        )
        .join(t.users, t.users.c.id == t.shifts.c.cashier_id)
        .where(t.shifts.c.status == ShiftStatus.OPEN.value, *where)
        .order_by(t.shifts.c.opened_at, t.shifts.c.id)
        .limit(limit)
    )
    if lock:
        query = query.with_for_update(of=t.shifts)
    return [ShiftRow(*row) for row in uow.execute(query).all()]


def find_open(
    uow: UnitOfWork, *, cashier_id: int, workstation: str, lock: bool = False
) -> ShiftRow | None:
    """The cashier's open shift at this workstation (locked for a close), if any."""
    rows = _rows(
        uow, t.shifts.c.cashier_id == cashier_id, t.shifts.c.workstation == workstation, lock=lock
    )
    return rows[0] if rows else None


def open_shifts(uow: UnitOfWork, *, cashier: str | None, limit: int) -> list[ShiftRow]:
    """The open shifts (all, or one cashier's), oldest first."""
    where = [t.users.c.username == cashier] if cashier is not None else []
    return _rows(uow, *where, limit=limit)


def tolerance_minor(uow: UnitOfWork) -> int:
    """The cash variance a cashier may close with unsigned (0 when never set)."""
    value = uow.execute(
        select(t.settings.c.value).where(t.settings.c.key == TOLERANCE_KEY)
    ).scalar()
    return int(value) if value is not None else 0


def set_tolerance_minor(uow: UnitOfWork, minor: int) -> None:
    uow.execute(t.settings.delete().where(t.settings.c.key == TOLERANCE_KEY))
    uow.execute(insert(t.settings).values(key=TOLERANCE_KEY, value=str(minor)))


def expected_by_method(
    uow: UnitOfWork, shift_id: int, methods: tuple[str, ...]
) -> dict[str, tuple[int, int]]:
    """{method: (expected minor units, documents)} of everything linked to the shift:
    payments' tenders, deposits and account settlements in, refund payouts and withdrawals
    (cash) out."""
    totals: dict[str, list[int]] = {m: [0, 0] for m in methods}

    def add(rows: Iterable[Sequence[Any]], sign: int) -> None:
        for method, amount, count in rows:
            if method in totals:
                totals[method][0] += sign * int(amount or 0)
                totals[method][1] += int(count or 0)

    add(
        uow.execute(
            select(t.tenders.c.method, func.sum(t.tenders.c.amount_minor), func.count())
            .join(t.payments, t.payments.c.id == t.tenders.c.payment_id)
            .where(t.payments.c.shift_id == shift_id)
            .group_by(t.tenders.c.method)
        ).all(),
        1,
    )
    add(
        uow.execute(
            select(t.deposits.c.method, func.sum(t.deposits.c.amount_minor), func.count())
            .where(t.deposits.c.shift_id == shift_id)
            .group_by(t.deposits.c.method)
        ).all(),
        1,
    )
    add(
        uow.execute(
            select(t.settlements.c.method, func.sum(t.settlements.c.amount_minor), func.count())
            .where(t.settlements.c.shift_id == shift_id)
            .group_by(t.settlements.c.method)
        ).all(),
        1,
    )
    add(
        uow.execute(
            select(
                t.refund_payouts.c.method, func.sum(t.refund_payouts.c.amount_minor), func.count()
            )
            .join(t.reversals, t.reversals.c.id == t.refund_payouts.c.reversal_id)
            .where(t.reversals.c.shift_id == shift_id)
            .group_by(t.refund_payouts.c.method)
        ).all(),
        -1,
    )
    withdrawn = uow.execute(
        select(func.sum(t.withdrawals.c.amount_minor), func.count()).where(
            t.withdrawals.c.shift_id == shift_id
        )
    ).one()
    add([(TenderMethod.CASH.value, withdrawn[0], withdrawn[1])], -1)
    return {method: (amount, count) for method, (amount, count) in totals.items()}


def close(uow: UnitOfWork, closed: ShiftClosed, at: datetime) -> None:
    """Store a shift's close: its tender lines, its note count and the closed shift row."""
    uow.execute(
        insert(t.shift_tenders),
        [
            {
                "shift_id": closed.shift_id,
                "method": line.method,
                "expected_minor": line.expected_minor,
                "expected_count": line.expected_count,
                "counted_minor": line.counted_minor,
                "counted_count": line.counted_count,
                "variance_minor": line.variance_minor,
            }
            for line in closed.tenders
        ],
    )
    if closed.cash_counts:
        uow.execute(
            insert(t.shift_cash_counts),
            [
                {"shift_id": closed.shift_id, "denomination_minor": value, "quantity": quantity}
                for value, quantity in closed.cash_counts
            ],
        )
    uow.execute(
        update(t.shifts)
        .where(t.shifts.c.id == closed.shift_id)
        .values(
            status=ShiftStatus.CLOSED.value,
            closed_at=at,
            expected_cash_minor=closed.expected_cash_minor,
            counted_cash_minor=closed.counted_cash_minor,
            variance_minor=closed.variance_minor,
            variance_reason=closed.variance_reason,
            approved_by=closed.approved_by,
        )
    )
