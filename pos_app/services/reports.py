"""Daily report and the Z close that freezes a day's figures.

A business day is a window of time: from the end of the day before (its Z close,
if that came early, else local midnight) to the next local midnight, or to the
day's own Z close if it came before. Windows never overlap, so everything lands on
exactly one day: a reversal after a Z close lands on the day it happens. Every
figure counts records by their own timestamp (a payment stays in its day's gross
takings when it is reversed later; the refund counts on the refund's day), so a
closed day's figures cannot change, which `check` verifies against the Z record.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sqlalchemy import func, insert, select

from pos_app.adapters import ledger
from pos_app.adapters import tables as t
from pos_app.adapters.types import utcnow
from pos_app.adapters.uow import UnitOfWork
from pos_app.domain.actors import Actor, Role
from pos_app.domain.errors import BadInput, Refused
from pos_app.domain.money import Currency
from pos_app.services import sessions

ZONE_KEY = "timezone"


@dataclass(frozen=True)
class Line:
    """One row of a breakdown: what, how many, how much."""

    label: str
    count: int
    amount: Decimal

    def to_json(self) -> dict:
        return {"label": self.label, "count": self.count, "amount": str(self.amount)}


@dataclass(frozen=True)
class ReceiptRange:
    workstation: str
    first: str | None
    last: str | None
    count: int
    missing: list[int]

    def to_json(self) -> dict:
        return {"workstation": self.workstation, "first": self.first, "last": self.last,
                "count": self.count, "missing": self.missing, "gapless": not self.missing}


@dataclass(frozen=True)
class DailyReport:
    business_date: str
    window_start: str
    window_end: str
    currency: str
    closed: bool
    closed_at: str | None
    closed_by: str | None
    totals: dict[str, Decimal]
    counts: dict[str, int]
    by_method: list[Line]
    by_cashier: list[Line]
    by_department: list[Line]
    by_kind: list[Line]
    by_hour: list[Line]
    deposits_by_method: list[Line]
    refunds_by_method: list[Line]
    shifts: list[dict] = field(default_factory=list)
    receipt_ranges: list[ReceiptRange] = field(default_factory=list)

    def to_json(self) -> dict:
        lines = (lambda rows: [row.to_json() for row in rows])  # noqa: E731
        return {
            "date": self.business_date, "window_start": self.window_start,
            "window_end": self.window_end, "currency": self.currency, "closed": self.closed,
            "closed_at": self.closed_at, "closed_by": self.closed_by,
            "totals": {k: str(v) for k, v in self.totals.items()}, "counts": self.counts,
            "by_method": lines(self.by_method), "by_cashier": lines(self.by_cashier),
            "by_department": lines(self.by_department), "by_kind": lines(self.by_kind),
            "by_hour": lines(self.by_hour),
            "deposits_by_method": lines(self.deposits_by_method),
            "refunds_by_method": lines(self.refunds_by_method), "shifts": self.shifts,
            "receipt_ranges": [r.to_json() for r in self.receipt_ranges],
        }


def facility_zone(uow: UnitOfWork) -> ZoneInfo:
    """The facility's time zone (setting `timezone`, IANA name), UTC when unset."""
    name = uow.execute(select(t.settings.c.value).where(t.settings.c.key == ZONE_KEY)).scalar()
    try:
        return ZoneInfo(name or "UTC")
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise BadInput(f"The facility time zone {name!r} is unknown.",
                       code="invalid_timezone") from exc


def _midnight(day: date, zone: ZoneInfo) -> datetime:
    return datetime.combine(day, time(), zone).astimezone(UTC)


def day_window(uow: UnitOfWork, day: date, zone: ZoneInfo) -> tuple[datetime, datetime]:
    """[start, end) of a business day; a Z close moves the boundary to the close itself."""
    ends = dict(uow.execute(select(t.day_closes.c.business_date, t.day_closes.c.window_end)
                            .where(t.day_closes.c.business_date.in_(
                                [day - timedelta(days=1), day]))).all())
    start = ends.get(day - timedelta(days=1), _midnight(day, zone))
    end = ends.get(day, _midnight(day + timedelta(days=1), zone))
    return min(start, end), end


def business_date_of(uow: UnitOfWork, moment: datetime, zone: ZoneInfo) -> date:
    """The business day `moment` falls in: its local date, or the next one after a Z close."""
    day = moment.astimezone(zone).date()
    while moment >= day_window(uow, day, zone)[1]:
        day += timedelta(days=1)
    return day


def daily_report(uow: UnitOfWork, *, actor: Actor, day: date | None = None) -> DailyReport:
    """Totals of one business day (default: today): per method, cashier, department, kind,
    hour; refunds, deposits, withdrawals, wallet liability at its end, shift variances and
    receipt ranges."""
    with uow:
        actor = sessions.authorize(uow, actor, Role.SUPERVISOR, "see reports")
        zone = facility_zone(uow)
        day = day or business_date_of(uow, utcnow(), zone)
        start, end = day_window(uow, day, zone)
        return _report(uow, day, start, end, zone)


def close_day(uow: UnitOfWork, *, actor: Actor, workstation: str,
              day: date | None = None) -> DailyReport:
    """The Z report: freeze the day's figures (default: today's); later money lands on the
    next day."""
    with uow:
        actor = sessions.authorize(uow, actor, Role.SUPERVISOR, "close the day")
        zone = facility_zone(uow)
        # Every workstation's counter, locked (last in the lock order): money in flight
        # commits first, money after this starts after the close.
        uow.execute(select(t.workstations.c.id).order_by(t.workstations.c.id)
                    .with_for_update()).all()
        now = utcnow()
        day = day or business_date_of(uow, now, zone)
        if uow.execute(select(t.day_closes.c.business_date)
                       .where(t.day_closes.c.business_date == day)).first():
            raise Refused(f"{day} is already closed.", code="day_already_closed")
        start, end = day_window(uow, day, zone)
        if now < start:
            raise Refused(f"{day} has not started yet.", code="day_not_started")
        end = min(end, now)
        report = _report(uow, day, start, end, zone)
        payload = report.to_json()
        digest = hashlib.sha256(ledger.canonical(payload).encode()).hexdigest()
        currency = uow.facility().currency
        minor = currency.to_minor
        uow.execute(insert(t.day_closes).values(
            business_date=day, window_start=start, window_end=end, closed_by=actor.user_id,
            workstation=workstation, receipt_count=report.counts["receipts"],
            payments_minor=minor(report.totals["payments"]),
            deposits_minor=minor(report.totals["deposits"]),
            refunds_minor=minor(report.totals["refunds"]),
            withdrawals_minor=minor(report.totals["withdrawals"]),
            report=json.dumps(payload), report_hash=digest))
        ledger.record(uow, workstation, actor=actor, action="day.close",
                      details={"date": day.isoformat(), "report_hash": digest,
                               "window_end": end.isoformat()})
        uow.commit()
    return DailyReport(**{**report.__dict__, "closed": True, "closed_at": now.isoformat(),
                          "closed_by": actor.username})


def _between(column, start: datetime, end: datetime):
    return (column >= start) & (column < end)


def _lines(currency: Currency, rows) -> list[Line]:
    return [Line(str(label), int(count), currency.from_minor(int(amount or 0)))
            for label, count, amount in rows]


def _report(uow: UnitOfWork, day: date, start: datetime, end: datetime,
            zone: ZoneInfo) -> DailyReport:
    currency = uow.facility().currency
    money = currency.from_minor
    p, d, v, w = t.payments, t.deposits, t.reversals, t.withdrawals
    in_p, in_d = _between(p.c.created_at, start, end), _between(d.c.created_at, start, end)
    in_v, in_w = _between(v.c.created_at, start, end), _between(w.c.created_at, start, end)

    def total(table, where) -> tuple[int, int]:
        row = uow.execute(select(func.count(), func.coalesce(func.sum(table.c.amount_minor), 0))
                          .where(where)).one()
        return int(row[0]), int(row[1])

    payments, deposits = total(p, in_p), total(d, in_d)
    refunds, withdrawals = total(v, in_v), total(w, in_w)
    receipts = uow.execute(select(func.count()).select_from(t.receipts).where(
        _between(t.receipts.c.created_at, start, end))).scalar_one()
    liability = uow.execute(select(func.coalesce(func.sum(t.wallet_entries.c.amount_minor), 0))
                            .where(t.wallet_entries.c.created_at < end)).scalar_one()
    count, amount = func.count(), func.sum
    by_method = uow.execute(
        select(t.tenders.c.method, count, amount(t.tenders.c.amount_minor))
        .join(p, p.c.id == t.tenders.c.payment_id).where(in_p)
        .group_by(t.tenders.c.method).order_by(t.tenders.c.method)).all()
    by_cashier = uow.execute(
        select(t.users.c.username, count, amount(p.c.amount_minor))
        .join(t.users, t.users.c.id == p.c.cashier_id).where(in_p)
        .group_by(t.users.c.username).order_by(t.users.c.username)).all()
    items = (select(t.services.c.department, t.services.c.kind, t.payment_items.c.amount_minor)
             .join(t.bill_items, t.bill_items.c.id == t.payment_items.c.bill_item_id)
             .join(t.services, t.services.c.id == t.bill_items.c.service_id)
             .join(p, p.c.id == t.payment_items.c.payment_id).where(in_p).subquery())
    by_department = uow.execute(select(items.c.department, count, amount(items.c.amount_minor))
                                .group_by(items.c.department).order_by(items.c.department)).all()
    by_kind = uow.execute(select(items.c.kind, count, amount(items.c.amount_minor))
                          .group_by(items.c.kind).order_by(items.c.kind)).all()
    deposits_by_method = uow.execute(
        select(d.c.method, count, amount(d.c.amount_minor)).where(in_d)
        .group_by(d.c.method).order_by(d.c.method)).all()
    refunds_by_method = uow.execute(
        select(t.refund_payouts.c.method, count, amount(t.refund_payouts.c.amount_minor))
        .join(v, v.c.id == t.refund_payouts.c.reversal_id).where(in_v)
        .group_by(t.refund_payouts.c.method).order_by(t.refund_payouts.c.method)).all()
    hours: dict[int, list[int]] = {}
    for at, minor in uow.execute(select(p.c.created_at, p.c.amount_minor).where(in_p)):
        bucket = hours.setdefault(at.astimezone(zone).hour, [0, 0])
        bucket[0] += 1
        bucket[1] += minor
    close = uow.execute(select(t.day_closes.c.window_end, t.users.c.username)
                        .join(t.users, t.users.c.id == t.day_closes.c.closed_by)
                        .where(t.day_closes.c.business_date == day)).first()
    return DailyReport(
        business_date=day.isoformat(), window_start=start.isoformat(),
        window_end=end.isoformat(), currency=currency.code, closed=close is not None,
        closed_at=close.window_end.isoformat() if close else None,
        closed_by=close.username if close else None,
        totals={"payments": money(payments[1]), "deposits": money(deposits[1]),
                "refunds": money(refunds[1]), "withdrawals": money(withdrawals[1]),
                "net_payments": money(payments[1] - refunds[1]),
                "wallet_liability": money(liability)},
        counts={"payments": payments[0], "deposits": deposits[0], "refunds": refunds[0],
                "withdrawals": withdrawals[0], "receipts": int(receipts)},
        by_method=_lines(currency, by_method), by_cashier=_lines(currency, by_cashier),
        by_department=_lines(currency, by_department), by_kind=_lines(currency, by_kind),
        by_hour=[Line(f"{h:02d}:00", c, money(a)) for h, (c, a) in sorted(hours.items())],
        deposits_by_method=_lines(currency, deposits_by_method),
        refunds_by_method=_lines(currency, refunds_by_method),
        shifts=_shifts(uow, currency, start, end),
        receipt_ranges=_receipt_ranges(uow, start, end))


def _shifts(uow: UnitOfWork, currency: Currency, start: datetime, end: datetime) -> list[dict]:
    """Shifts closed in the window with expected, counted and variance per tender."""
    s, c = t.shifts, t.shift_tenders
    rows = uow.execute(
        select(s.c.id, s.c.workstation, s.c.closed_at, s.c.variance_reason, t.users.c.username,
               c.c.method, c.c.expected_minor, c.c.counted_minor, c.c.variance_minor)
        .join(t.users, t.users.c.id == s.c.cashier_id).join(c, c.c.shift_id == s.c.id)
        .where(s.c.status == "closed", _between(s.c.closed_at, start, end))
        .order_by(s.c.id, c.c.method)).all()
    text = (lambda m: None if m is None else currency.text(m))  # noqa: E731
    shifts: dict[int, dict] = {}
    for row in rows:
        shift = shifts.setdefault(row.id, {
            "shift_id": row.id, "cashier": row.username, "workstation": row.workstation,
            "closed_at": row.closed_at.isoformat(), "variance_reason": row.variance_reason,
            "tenders": []})
        shift["tenders"].append({"method": row.method, "expected": text(row.expected_minor),
                                 "counted": text(row.counted_minor),
                                 "variance": text(row.variance_minor)})
    return list(shifts.values())


def _receipt_ranges(uow: UnitOfWork, start: datetime, end: datetime) -> list[ReceiptRange]:
    """Per workstation the day's first and last receipt numbers, and any number missing."""
    r = t.receipts
    ranges = []
    for ws, low, high, n in uow.execute(
            select(r.c.workstation, func.min(r.c.seq), func.max(r.c.seq), func.count())
            .where(_between(r.c.created_at, start, end))
            .group_by(r.c.workstation).order_by(r.c.workstation)).all():
        missing: list[int] = []
        if high - low + 1 != n:
            present = set(uow.execute(select(r.c.seq).where(
                r.c.workstation == ws, r.c.seq.between(low, high))).scalars())
            missing = [seq for seq in range(low, high + 1) if seq not in present][:100]
        ranges.append(ReceiptRange(ws, ledger.receipt_number(ws, low),
                                   ledger.receipt_number(ws, high), int(n), missing))
    return ranges
