"""Daily report and the Z close that freezes a day's figures.

Takings are shown gross (the items' list amounts), less the adjustments those items
carried when they were paid (by kind and by reason), giving net: what the day's
payments charged (SPEC rule 11).

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

from pos_app.adapters import day_closes, ledger, report_queries, settings_repo
from pos_app.adapters.ledger import Slot
from pos_app.adapters.uow import UnitOfWork
from pos_app.domain.actors import Actor, Role
from pos_app.domain.effects import DayClosed
from pos_app.domain.errors import BadInput, Refused
from pos_app.domain.money import Currency
from pos_app.services import kernel, sessions
from pos_app.services.accounts import AgeingLine, ageing_lines
from pos_app.services.locks import Locks

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
        return {
            "workstation": self.workstation,
            "first": self.first,
            "last": self.last,
            "count": self.count,
            "missing": self.missing,
            "gapless": not self.missing,
        }


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
    settlements_by_method: list[Line] = field(default_factory=list)
    shifts: list[dict] = field(default_factory=list)
    receipt_ranges: list[ReceiptRange] = field(default_factory=list)
    adjustments_by_kind: list[Line] = field(default_factory=list)
    adjustments_by_reason: list[Line] = field(default_factory=list)
    receivables_ageing: list[AgeingLine] = field(default_factory=list)

    def to_json(self) -> dict:
        lines = lambda rows: [row.to_json() for row in rows]  # noqa: E731
        return {
            "date": self.business_date,
            "window_start": self.window_start,
            "window_end": self.window_end,
            "currency": self.currency,
            "closed": self.closed,
            "closed_at": self.closed_at,
            "closed_by": self.closed_by,
            "totals": {k: str(v) for k, v in self.totals.items()},
            "counts": self.counts,
            "by_method": lines(self.by_method),
            "by_cashier": lines(self.by_cashier),
            "by_department": lines(self.by_department),
            "by_kind": lines(self.by_kind),
            "by_hour": lines(self.by_hour),
            "deposits_by_method": lines(self.deposits_by_method),
            "refunds_by_method": lines(self.refunds_by_method),
            "settlements_by_method": lines(self.settlements_by_method),
            "adjustments_by_kind": lines(self.adjustments_by_kind),
            "adjustments_by_reason": lines(self.adjustments_by_reason),
            "shifts": self.shifts,
            "receipt_ranges": [r.to_json() for r in self.receipt_ranges],
            "receivables_ageing": [line.to_json() for line in self.receivables_ageing],
        }


def facility_zone(uow: UnitOfWork) -> ZoneInfo:
    """The facility's time zone (setting `timezone`, IANA name), UTC when unset."""
    name = settings_repo.value(uow, ZONE_KEY)
    try:
        return ZoneInfo(name or "UTC")
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise BadInput(
            f"The facility time zone {name!r} is unknown.", code="invalid_timezone"
        ) from exc


def _midnight(day: date, zone: ZoneInfo) -> datetime:
    return datetime.combine(day, time(), zone).astimezone(UTC)


def day_window(uow: UnitOfWork, day: date, zone: ZoneInfo) -> tuple[datetime, datetime]:
    """[start, end) of a business day; a Z close moves the boundary to the close itself."""
    ends = report_queries.close_ends(uow, [day - timedelta(days=1), day])
    start = ends.get(day - timedelta(days=1), _midnight(day, zone))
    end = ends.get(day, _midnight(day + timedelta(days=1), zone))
    return min(start, end), end


def business_date_of(uow: UnitOfWork, moment: datetime, zone: ZoneInfo) -> date:
    """The business day `moment` falls in: its local date, or the next one after a Z close."""
    day = moment.astimezone(zone).date()
    while moment >= day_window(uow, day, zone)[1]:
        day += timedelta(days=1)
    return day


def daily_report(
    uow: UnitOfWork, *, actor: Actor, day: date | None = None, replica: UnitOfWork | None = None
) -> DailyReport:
    """Totals of one business day (default: today): per method, cashier, department, kind,
    hour; refunds, deposits, withdrawals, wallet liability at its end, shift variances,
    receipt ranges, and what each receivable account owes by age as the report is made
    (a snapshot, like the wallet liability: settlements change it later).

    With `replica` (a read-only copy, `report_db_url`) the figures are read there, sparing
    the primary; the live session is still checked on `uow`, as a replica may not yet
    have the sign-in that made it."""
    with uow:
        sessions.authorize(uow, actor, Role.SUPERVISOR, "see reports")
        if replica is None:
            return _day_report(uow, day)
    with replica:
        return _day_report(replica, day)


def _day_report(uow: UnitOfWork, day: date | None) -> DailyReport:
    zone = facility_zone(uow)
    day = day or business_date_of(uow, uow.clock(), zone)
    start, end = day_window(uow, day, zone)
    return _report(uow, day, start, end, zone)


def close_day(
    uow: UnitOfWork, *, actor: Actor, workstation: str, day: date | None = None
) -> DailyReport:
    """The Z report: freeze the day's figures (default: today's); later money lands on the
    next day."""
    with uow:
        actor = sessions.authorize(uow, actor, Role.SUPERVISOR, "close the day")
        return kernel.run(uow, _CloseDay(actor, workstation, day))


@dataclass(frozen=True)
class _Closing:
    day: date
    start: datetime
    end: datetime
    report: DailyReport
    heads: str
    currency: Currency


@dataclass(frozen=True)
class _CloseDay:
    """The Z close as a money command: every counter locked, the figures frozen."""

    actor: Actor
    workstation: str
    day: date | None
    name: str = "day.close"
    key: None = None

    def request(self) -> dict:
        return {}

    def replay(self, stored: dict) -> DailyReport:
        raise AssertionError("a day close has no idempotency key")

    def lock(self, locks: Locks) -> _Closing:
        uow = locks.uow
        zone = facility_zone(uow)
        # Every workstation's counter, locked (last in the lock order): money in flight
        # commits first, money after this starts after the close.
        slot, heads = locks.every_counter(self.workstation)
        now = slot.at
        day = self.day or business_date_of(uow, now, zone)
        if day_closes.is_closed(uow, day):
            raise Refused(f"{day} is already closed.", code="day_already_closed")
        start, end = day_window(uow, day, zone)
        if now < start:
            raise Refused(f"{day} has not started yet.", code="day_not_started")
        end = min(end, now)
        report = _report(uow, day, start, end, zone)
        return _Closing(
            day,
            start,
            end,
            report,
            json.dumps([head.to_json() for head in heads]),
            uow.facility().currency,
        )

    def decide(self, state: _Closing, slot: Slot) -> kernel.Decision[DailyReport]:
        report, currency = state.report, state.currency
        payload = report.to_json()
        digest = hashlib.sha256(ledger.canonical(payload).encode()).hexdigest()
        minor = currency.to_minor
        closed = DayClosed(
            state.day,
            state.start,
            state.end,
            self.actor.user_id,
            self.workstation,
            report.counts["receipts"],
            minor(report.totals["payments"]),
            minor(report.totals["deposits"]),
            minor(report.totals["refunds"]),
            minor(report.totals["withdrawals"]),
            json.dumps(payload),
            digest,
            state.heads,
        )
        done = DailyReport(
            **{
                **report.__dict__,
                "closed": True,
                "closed_at": slot.at.isoformat(),
                "closed_by": self.actor.username,
            }
        )
        return kernel.Decision(
            self.actor,
            "day.close",
            None,
            {
                "date": state.day.isoformat(),
                "report_hash": digest,
                "window_end": state.end.isoformat(),
            },
            (closed,),
            lambda _digest: done,
        )


def _lines(currency: Currency, rows: list[report_queries.Breakdown]) -> list[Line]:
    return [Line(row.label, row.count, currency.from_minor(row.minor)) for row in rows]


def _report(
    uow: UnitOfWork, day: date, start: datetime, end: datetime, zone: ZoneInfo
) -> DailyReport:
    currency = uow.facility().currency
    money = currency.from_minor
    tally = report_queries.tallies(uow, start, end)
    payments, refunds = tally["payments"], tally["refunds"]
    lines = {
        name: _lines(currency, rows)
        for name, rows in report_queries.breakdowns(uow, start, end).items()
    }
    hours: dict[int, list[int]] = {}
    for at, minor in report_queries.payment_times(uow, start, end):
        bucket = hours.setdefault(at.astimezone(zone).hour, [0, 0])
        bucket[0] += 1
        bucket[1] += minor
    close = report_queries.closed_day(uow, day)
    adjusted = {
        by: _lines(currency, report_queries.adjustments_charged(uow, start, end, by=by))
        for by in ("kind", "reason_code")
    }
    gross = report_queries.gross_paid(uow, start, end)
    ranges = report_queries.receipt_ranges(uow, start, end)
    return DailyReport(
        business_date=day.isoformat(),
        window_start=start.isoformat(),
        window_end=end.isoformat(),
        currency=currency.code,
        closed=close is not None,
        closed_at=close.window_end.isoformat() if close else None,
        closed_by=close.closed_by if close else None,
        totals={
            **{name: money(found.minor) for name, found in tally.items()},
            "net_payments": money(payments.minor - refunds.minor),
            "gross": money(gross),
            "adjustments": sum((line.amount for line in adjusted["kind"]), money(0)),
            "net": money(payments.minor),
            "wallet_liability": money(_wallet_liability(uow, end, currency)),
        },
        counts={
            **{name: found.count for name, found in tally.items()},
            "receipts": sum(found.count for found in ranges),
        },
        **lines,
        by_hour=[Line(f"{h:02d}:00", c, money(a)) for h, (c, a) in sorted(hours.items())],
        shifts=_shifts(currency, report_queries.closed_shift_tenders(uow, start, end)),
        receipt_ranges=_receipt_ranges(uow, ranges),
        adjustments_by_kind=adjusted["kind"],
        adjustments_by_reason=adjusted["reason_code"],
        receivables_ageing=ageing_lines(uow),
    )


def _shifts(currency: Currency, rows: list[report_queries.ShiftTender]) -> list[dict]:
    """Shifts closed in the window with expected, counted and variance per tender."""
    text = lambda m: None if m is None else currency.text(m)  # noqa: E731
    shifts: dict[int, dict] = {}
    for row in rows:
        shift = shifts.setdefault(
            row.shift_id,
            {
                "shift_id": row.shift_id,
                "cashier": row.cashier,
                "workstation": row.workstation,
                "closed_at": row.closed_at.isoformat(),
                "variance_reason": row.variance_reason,
                "tenders": [],
            },
        )
        shift["tenders"].append(
            {
                "method": row.method,
                "expected": text(row.expected_minor),
                "counted": text(row.counted_minor),
                "variance": text(row.variance_minor),
            }
        )
    return list(shifts.values())


def _wallet_liability(uow: UnitOfWork, end: datetime, currency: Currency) -> int:
    """What the wallets held at `end`, in minor units: the last Z close's frozen figure plus
    the entries since it (one day's, when every day is closed), else every entry's sum."""
    close = report_queries.last_close(uow, end)
    if close is None:
        return report_queries.wallet_liability(uow, end)
    held = json.loads(close.report)["totals"]["wallet_liability"]
    known = currency.to_minor(currency.parse(held, what="wallet liability", allow_zero=True))
    return report_queries.wallet_liability(uow, end, known=(close.window_end, known))


def _receipt_ranges(
    uow: UnitOfWork, found_ranges: list[report_queries.SeqRange]
) -> list[ReceiptRange]:
    """Per workstation the day's first and last receipt numbers, and any number missing."""
    ranges = []
    for found in found_ranges:
        ws, low, high = found.workstation, found.low, found.high
        missing: list[int] = []
        if high - low + 1 != found.count:
            present = report_queries.receipt_seqs(uow, ws, low, high)
            missing = [seq for seq in range(low, high + 1) if seq not in present][:100]
        ranges.append(
            ReceiptRange(
                ws,
                ledger.receipt_number(ws, low),
                ledger.receipt_number(ws, high),
                found.count,
                missing,
            )
        )
    return ranges
