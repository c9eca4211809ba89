"""The daily report's figures as stored: counts and sums in minor units over a window of time,
gross and adjustments of the items paid, the Z closes that bound business days, closed
shifts and receipt number ranges. Each reads a business day's window through an index on
time (the wallet liability goes on from the last Z close), so history does not slow it."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import ColumnElement, Table, func, select

from pos_app.adapters import tables as t
from pos_app.adapters.uow import UnitOfWork
from pos_app.domain.kinds import ShiftStatus


@dataclass(frozen=True)
class Tally:
    """How many, and their sum in minor units."""

    count: int
    minor: int


@dataclass(frozen=True)
class Breakdown:
    """One row of a breakdown: its label, how many, their sum in minor units."""

    label: str
    count: int
    minor: int


@dataclass(frozen=True)
class ClosedDay:
    window_end: datetime
    closed_by: str


@dataclass(frozen=True)
class LastClose:
    """When a Z close's window ended, and the report it froze (JSON)."""

    window_end: datetime
    report: str


@dataclass(frozen=True)
class ShiftTender:
    """One tender line of a closed shift, with the shift's own columns."""

    shift_id: int
    cashier: str
    workstation: str
    closed_at: datetime
    variance_reason: str | None
    method: str
    expected_minor: int
    counted_minor: int | None
    variance_minor: int | None


@dataclass(frozen=True)
class SeqRange:
    """A workstation's lowest and highest receipt number in a window, and how many there are."""

    workstation: str
    low: int
    high: int
    count: int


def _between(column: Any, start: datetime, end: datetime) -> ColumnElement[bool]:
    return (column >= start) & (column < end)


def close_ends(uow: UnitOfWork, days: Iterable[date]) -> dict[date, datetime]:
    """When each of `days` that has a Z close was closed (its window's end)."""
    c = t.day_closes
    return dict(
        uow.execute(
            select(c.c.business_date, c.c.window_end).where(c.c.business_date.in_(list(days)))
        ).all()
    )


def closed_day(uow: UnitOfWork, day: date) -> ClosedDay | None:
    c = t.day_closes
    row = uow.execute(
        select(c.c.window_end, t.users.c.username)
        .join(t.users, t.users.c.id == c.c.closed_by)
        .where(c.c.business_date == day)
    ).first()
    return None if row is None else ClosedDay(row.window_end, row.username)


def tallies(uow: UnitOfWork, start: datetime, end: datetime) -> dict[str, Tally]:
    """Payments, deposits, refunds, withdrawals and account settlements made in [start, end)."""
    tables: dict[str, Table] = {
        "payments": t.payments,
        "deposits": t.deposits,
        "refunds": t.reversals,
        "withdrawals": t.withdrawals,
        "settlements": t.settlements,
    }
    found = {}
    for name, table in tables.items():
        row = uow.execute(
            select(func.count(), func.coalesce(func.sum(table.c.amount_minor), 0)).where(
                _between(table.c.created_at, start, end)
            )
        ).one()
        found[name] = Tally(int(row[0]), int(row[1]))
    return found


def last_close(uow: UnitOfWork, moment: datetime) -> LastClose | None:
    """The latest Z close whose window ended at or before `moment` (windows follow the
    dates, so the newest date first finds it without reading every close's report)."""
    c = t.day_closes
    row = uow.execute(
        select(c.c.window_end, c.c.report)
        .where(c.c.window_end <= moment)
        .order_by(c.c.business_date.desc())
        .limit(1)
    ).first()
    return None if row is None else LastClose(row.window_end, row.report)


def wallet_liability(
    uow: UnitOfWork, end: datetime, *, known: tuple[datetime, int] | None = None
) -> int:
    """What the wallets held at `end`: what they held at an earlier moment (`known`, a Z
    close's figure) plus the entries since, so a year of history is not read again; with
    nothing known, the sum of every entry before `end`."""
    e = t.wallet_entries
    since, held = known or (None, 0)
    query = select(func.coalesce(func.sum(e.c.amount_minor), 0)).where(e.c.created_at < end)
    if since is not None:
        query = query.where(e.c.created_at >= since)
    return held + int(uow.execute(query).scalar_one())


def breakdowns(uow: UnitOfWork, start: datetime, end: datetime) -> dict[str, list[Breakdown]]:
    """Payments by method, cashier, department and kind; deposits, account settlements and
    refund payouts by method; each ordered by its label."""
    p, d, v, s = t.payments, t.deposits, t.reversals, t.settlements
    in_p = _between(p.c.created_at, start, end)
    count, amount = func.count(), func.sum
    queries = {
        "by_method": select(t.tenders.c.method, count, amount(t.tenders.c.amount_minor))
        .join(p, p.c.id == t.tenders.c.payment_id)
        .where(in_p)
        .group_by(t.tenders.c.method)
        .order_by(t.tenders.c.method),
        "by_cashier": select(t.users.c.username, count, amount(p.c.amount_minor))
        .join(t.users, t.users.c.id == p.c.cashier_id)
        .where(in_p)
        .group_by(t.users.c.username)
        .order_by(t.users.c.username),
        "deposits_by_method": select(d.c.method, count, amount(d.c.amount_minor))
        .where(_between(d.c.created_at, start, end))
        .group_by(d.c.method)
        .order_by(d.c.method),
        "settlements_by_method": select(s.c.method, count, amount(s.c.amount_minor))
        .where(_between(s.c.created_at, start, end))
        .group_by(s.c.method)
        .order_by(s.c.method),
        "refunds_by_method": select(
            t.refund_payouts.c.method, count, amount(t.refund_payouts.c.amount_minor)
        )
        .join(v, v.c.id == t.refund_payouts.c.reversal_id)
        .where(_between(v.c.created_at, start, end))
        .group_by(t.refund_payouts.c.method)
        .order_by(t.refund_payouts.c.method),
    }
    found = {
        name: [
            Breakdown(str(label), int(n), int(minor or 0)) for label, n, minor in uow.execute(query)
        ]
        for name, query in queries.items()
    }
    return {**found, **_by_department_and_kind(uow, in_p)}


def _by_department_and_kind(
    uow: UnitOfWork, in_p: ColumnElement[bool]
) -> dict[str, list[Breakdown]]:
    """The items paid, by department and by kind, from one read of them (on PostgreSQL a
    year of items may be scanned rather than looked up per payment: once, not twice);
    departments in the database's order, kinds (fixed lowercase names) sorted."""
    p, pi, bi, sv = t.payments, t.payment_items, t.bill_items, t.services
    rows = uow.execute(
        select(sv.c.department, sv.c.kind, func.count(), func.sum(pi.c.amount_minor))
        .select_from(
            pi.join(p, p.c.id == pi.c.payment_id)
            .join(bi, bi.c.id == pi.c.bill_item_id)
            .join(sv, sv.c.id == bi.c.service_id)
        )
        .where(in_p)
        .group_by(sv.c.department, sv.c.kind)
        .order_by(sv.c.department, sv.c.kind)
    ).all()
    sums: dict[str, dict[str, list[int]]] = {"by_department": {}, "by_kind": {}}
    for department, kind, n, minor in rows:
        for name, label in (("by_department", department), ("by_kind", kind)):
            line = sums[name].setdefault(str(label), [0, 0])
            line[0] += int(n)
            line[1] += int(minor or 0)
    return {
        name: [
            Breakdown(label, n, minor)
            for label, (n, minor) in (
                lines.items() if name == "by_department" else sorted(lines.items())
            )
        ]
        for name, lines in sums.items()
    }


def adjustments_charged(
    uow: UnitOfWork, start: datetime, end: datetime, *, by: str
) -> list[Breakdown]:
    """The adjustment lines that payments taken in [start, end) charged (each paid item's
    lines as they were when it was paid), by `kind` or `reason_code`."""
    a, p, pi = t.adjustments, t.payments, t.payment_items
    label = a.c[by]
    rows = uow.execute(
        select(label, func.count(), func.sum(a.c.amount_minor))
        .select_from(
            pi.join(p, p.c.id == pi.c.payment_id).join(a, a.c.bill_item_id == pi.c.bill_item_id)
        )
        .where(_between(p.c.created_at, start, end), a.c.created_at <= p.c.created_at)
        .group_by(label)
        .order_by(label)
    )
    return [Breakdown(str(name), int(n), int(minor)) for name, n, minor in rows]


def gross_paid(uow: UnitOfWork, start: datetime, end: datetime) -> int:
    """The list amount (before adjustments) of the items paid in [start, end)."""
    p, pi, bi = t.payments, t.payment_items, t.bill_items
    return int(
        uow.execute(
            select(func.coalesce(func.sum(bi.c.amount_minor), 0))
            .select_from(
                pi.join(p, p.c.id == pi.c.payment_id).join(bi, bi.c.id == pi.c.bill_item_id)
            )
            .where(_between(p.c.created_at, start, end))
        ).scalar_one()
    )


def payment_times(uow: UnitOfWork, start: datetime, end: datetime) -> list[tuple[datetime, int]]:
    """When each payment in [start, end) was taken, and its amount in minor units."""
    p = t.payments
    return [
        (row.created_at, row.amount_minor)
        for row in uow.execute(
            select(p.c.created_at, p.c.amount_minor).where(_between(p.c.created_at, start, end))
        )
    ]


def closed_shift_tenders(uow: UnitOfWork, start: datetime, end: datetime) -> list[ShiftTender]:
    """The tender lines of the shifts closed in [start, end), by shift and method."""
    s, c = t.shifts, t.shift_tenders
    rows = uow.execute(
        select(
            s.c.id.label("shift_id"),
            t.users.c.username.label("cashier"),
            s.c.workstation,
            s.c.closed_at,
            s.c.variance_reason,
            c.c.method,
            c.c.expected_minor,
            c.c.counted_minor,
            c.c.variance_minor,
        )
        .join(t.users, t.users.c.id == s.c.cashier_id)
        .join(c, c.c.shift_id == s.c.id)
        .where(s.c.status == ShiftStatus.CLOSED.value, _between(s.c.closed_at, start, end))
        .order_by(s.c.id, c.c.method)
    ).all()
    return [ShiftTender(**row._mapping) for row in rows]


def receipt_ranges(uow: UnitOfWork, start: datetime, end: datetime) -> list[SeqRange]:
    """Per workstation, the receipt numbers issued in [start, end) and how many (the day's
    receipt count is their sum). Naming every workstation lets the (workstation, time)
    index find each one's day instead of reading every receipt ever issued."""
    r = t.receipts
    return [
        SeqRange(ws, low, high, int(n))
        for ws, low, high, n in uow.execute(
            select(r.c.workstation, func.min(r.c.seq), func.max(r.c.seq), func.count())
            .where(
                r.c.workstation.in_(select(t.workstations.c.id)),
                _between(r.c.created_at, start, end),
            )
            .group_by(r.c.workstation)
            .order_by(r.c.workstation)
        )
    ]


def receipt_seqs(uow: UnitOfWork, workstation: str, low: int, high: int) -> set[int]:
    """The workstation's receipt numbers from `low` to `high` that exist."""
    r = t.receipts
    return set(
        uow.execute(
            select(r.c.seq).where(r.c.workstation == workstation, r.c.seq.between(low, high))
        ).scalars()
    )
