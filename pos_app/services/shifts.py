"""Cash shifts: one cashier's session at one workstation, opened with a float, closed blind.

At close the cashier counts cash (optionally by denomination) and confirms card slips,
mobile-money references and insurance authorisations; expected, counted and variance
are stored per tender. Expected cash is float + cash taken - cash paid out (refunds,
withdrawals); change given is never cash taken because a cash tender stores the
amount applied, not the amount handed over. A variance beyond the tolerance needs a
reason code and a supervisor's sign-off. A closed shift is immutable (the database
refuses updates to it).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from sqlalchemy import func, insert, select, update
from sqlalchemy.exc import IntegrityError

from pos_app.adapters import ledger
from pos_app.adapters import tables as t
from pos_app.adapters.uow import UnitOfWork
from pos_app.domain import cash_count
from pos_app.domain.actors import Actor, Role
from pos_app.domain.errors import BadInput, Refused
from pos_app.domain.facility import Facility
from pos_app.domain.kinds import TenderMethod
from pos_app.domain.money import Currency
from pos_app.receipts.shift_slip import ShiftSlip, SlipTender
from pos_app.services import sessions

TOLERANCE_KEY = "shift_variance_tolerance_minor"
TILL_METHODS = (TenderMethod.CASH, TenderMethod.CARD, TenderMethod.MOBILE_MONEY,
                TenderMethod.INSURANCE)
REASON_LABELS = {"counting_error": "Counting error", "change_error": "Wrong change given",
                 "unrecorded_transaction": "Unrecorded transaction",
                 "missing_cash": "Missing cash", "excess_cash": "Excess cash", "other": "Other"}
REASON_CODES = tuple(REASON_LABELS)
X_REPORT_LIMIT = 50


@dataclass(frozen=True)
class Confirmation:
    """What the cashier counted for one tender: an amount and, optionally, how many slips."""

    amount: str | Decimal
    count: int | None = None


@dataclass(frozen=True)
class TenderClose:
    method: str
    expected: Decimal
    expected_count: int
    counted: Decimal | None
    counted_count: int | None
    variance: Decimal | None

    def to_json(self) -> dict:
        text = (lambda v: None if v is None else str(v))  # noqa: E731
        return {"method": self.method, "expected": str(self.expected),
                "expected_count": self.expected_count, "counted": text(self.counted),
                "counted_count": self.counted_count, "variance": text(self.variance)}


@dataclass(frozen=True)
class ShiftSummary:
    shift_id: int
    cashier: str
    workstation: str
    status: str
    opened_at: str
    opening_float: Decimal
    closed_at: str | None = None
    expected_cash: Decimal | None = None
    counted_cash: Decimal | None = None
    variance: Decimal | None = None
    variance_reason: str | None = None
    approved_by: str | None = None
    tenders: tuple[TenderClose, ...] = ()
    cash_counts: tuple[tuple[Decimal, int], ...] = ()  # (note value, how many)

    def to_json(self) -> dict:
        text = (lambda v: None if v is None else str(v))  # noqa: E731
        return {"shift_id": self.shift_id, "cashier": self.cashier,
                "workstation": self.workstation, "status": self.status,
                "opened_at": self.opened_at, "opening_float": str(self.opening_float),
                "closed_at": self.closed_at, "expected_cash": text(self.expected_cash),
                "counted_cash": text(self.counted_cash), "variance": text(self.variance),
                "variance_reason": self.variance_reason, "approved_by": self.approved_by,
                "tenders": [line.to_json() for line in self.tenders],
                "cash_counts": [{"value": str(v), "count": n} for v, n in self.cash_counts]}

    def slip(self, facility: Facility, *, printed_at: datetime | None = None) -> ShiftSlip:
        """The printable shift slip (an X report while the shift is open)."""
        return ShiftSlip(
            facility.name, facility.currency, self.shift_id, self.workstation, self.cashier,
            datetime.fromisoformat(self.opened_at), self.opening_float,
            tuple(SlipTender(line.method, line.expected, line.expected_count, line.counted,
                             line.variance) for line in self.tenders),
            datetime.fromisoformat(self.closed_at) if self.closed_at else None, printed_at,
            self.cash_counts, REASON_LABELS.get(self.variance_reason or "", self.variance_reason),
            self.approved_by)


def open_shift_id(uow: UnitOfWork, *, cashier_id: int, workstation: str) -> int | None:
    """The id of the cashier's open shift at this workstation, if any (one query)."""
    return uow.execute(select(t.shifts.c.id).where(
        t.shifts.c.cashier_id == cashier_id, t.shifts.c.workstation == workstation,
        t.shifts.c.status == "open")).scalar()


def shift_for_money(uow: UnitOfWork, *, actor: Actor, workstation: str, takes_cash: bool,
                    required: bool) -> int | None:
    """The shift money taken now belongs to; `no_open_shift` if cash needs one and none is open.

    Called after the workstation's counter is locked, so a shift closing at the same
    workstation either sees this money or is seen closed here.
    """
    shift_id = open_shift_id(uow, cashier_id=actor.user_id, workstation=workstation)
    if shift_id is None and takes_cash and required:
        raise Refused(f"{actor.username} has no open shift at {workstation}: open one before "
                      "taking cash.", code="no_open_shift")
    return shift_id


def require_shift_for_cash(uow: UnitOfWork) -> None:
    """Refuse paying out cash with no open shift when the facility requires shifts."""
    if uow.facility().require_shift:
        raise Refused("No open shift at this workstation to pay cash out of: open one first.",
                      code="no_open_shift")


def open_shift(uow: UnitOfWork, *, actor: Actor, workstation: str,
               opening_float: str | Decimal) -> ShiftSummary:
    """Open the cashier's shift at this workstation with an opening float (may be zero)."""
    with uow:
        actor = sessions.authorize(uow, actor, Role.CASHIER, "open a shift")
        currency = uow.facility().currency
        float_minor = currency.to_minor(currency.parse(opening_float, what="opening float",
                                                       allow_zero=True))
        slot = ledger.take_slot(uow, workstation, with_receipt=False)
        if open_shift_id(uow, cashier_id=actor.user_id, workstation=workstation) is not None:
            raise Refused(f"{actor.username} already has an open shift at {workstation}.",
                          code="shift_already_open")
        try:
            shift_id = uow.execute(insert(t.shifts).values(
                cashier_id=actor.user_id, workstation=workstation, status="open",
                opened_at=slot.at, opening_float_minor=float_minor,
            ).returning(t.shifts.c.id)).scalar_one()
        except IntegrityError as exc:
            raise Refused(f"{actor.username} already has an open shift at {workstation}.",
                          code="shift_already_open") from exc
        ledger.append_event(uow, slot, actor=actor, action="shift.open", receipt_no=None,
                            details={"shift_id": shift_id, "float": currency.text(float_minor)})
        uow.commit()
    return ShiftSummary(shift_id, actor.username, workstation, "open", slot.at.isoformat(),
                        currency.from_minor(float_minor))


def set_tolerance(uow: UnitOfWork, *, actor: Actor, workstation: str,
                  amount: str | Decimal) -> Decimal:
    """Set the cash variance a cashier may close with, without a supervisor's sign-off."""
    with uow:
        actor = sessions.authorize(uow, actor, Role.SUPERVISOR, "set the shift variance tolerance")
        currency = uow.facility().currency
        minor = currency.to_minor(currency.parse(amount, what="tolerance", allow_zero=True))
        uow.execute(t.settings.delete().where(t.settings.c.key == TOLERANCE_KEY))
        uow.execute(insert(t.settings).values(key=TOLERANCE_KEY, value=str(minor)))
        ledger.record(uow, workstation, actor=actor, action="shift.tolerance",
                      details={"tolerance": currency.text(minor)})
        uow.commit()
    return currency.from_minor(minor)


def tolerance_minor(uow: UnitOfWork) -> int:
    value = uow.execute(select(t.settings.c.value).where(t.settings.c.key == TOLERANCE_KEY)
                        ).scalar()
    return int(value) if value is not None else 0


def expected_by_method(uow: UnitOfWork, shift_id: int) -> dict[str, tuple[int, int]]:
    """{method: (expected minor units, documents)} of everything linked to the shift."""
    totals: dict[str, list[int]] = {m.value: [0, 0] for m in TILL_METHODS}

    def add(rows, sign: int) -> None:
        for method, amount, count in rows:
            if method in totals:
                totals[method][0] += sign * int(amount or 0)
                totals[method][1] += int(count or 0)

    add(uow.execute(select(t.tenders.c.method, func.sum(t.tenders.c.amount_minor),
                           func.count())
                    .join(t.payments, t.payments.c.id == t.tenders.c.payment_id)
                    .where(t.payments.c.shift_id == shift_id)
                    .group_by(t.tenders.c.method)).all(), 1)
    add(uow.execute(select(t.deposits.c.method, func.sum(t.deposits.c.amount_minor),
                           func.count())
                    .where(t.deposits.c.shift_id == shift_id)
                    .group_by(t.deposits.c.method)).all(), 1)
    add(uow.execute(select(t.refund_payouts.c.method, func.sum(t.refund_payouts.c.amount_minor),
                           func.count())
                    .join(t.reversals, t.reversals.c.id == t.refund_payouts.c.reversal_id)
                    .where(t.reversals.c.shift_id == shift_id)
                    .group_by(t.refund_payouts.c.method)).all(), -1)
    withdrawn = uow.execute(select(func.sum(t.withdrawals.c.amount_minor), func.count())
                            .where(t.withdrawals.c.shift_id == shift_id)).one()
    add([(TenderMethod.CASH.value, withdrawn[0], withdrawn[1])], -1)
    return {method: (amount, count) for method, (amount, count) in totals.items()}


def close_shift(
    uow: UnitOfWork, *, actor: Actor, workstation: str, counted_cash: str | Decimal | None,
    denominations: dict[str, int] | None = None,
    confirmations: dict[str, Confirmation] | None = None, reason_code: str | None = None,
    approver: Actor | None = None,
) -> ShiftSummary:
    """Close the cashier's open shift blind: store expected, counted and variance per tender."""
    confirmations = dict(confirmations or {})
    with uow:
        actor = sessions.authorize(uow, actor, Role.CASHIER, "close a shift")
        currency = uow.facility().currency
        cash_minor, count_rows = _counted_cash(currency, counted_cash, denominations)
        counted = {m: (currency.to_minor(currency.parse(c.amount, what=f"{m} counted",
                                                        allow_zero=True)), c.count)
                   for m, c in _check_methods(confirmations).items()}
        counted[TenderMethod.CASH.value] = (cash_minor, None)
        slot = ledger.take_slot(uow, workstation, with_receipt=False)
        shift = uow.execute(select(t.shifts).where(
            t.shifts.c.cashier_id == actor.user_id, t.shifts.c.workstation == workstation,
            t.shifts.c.status == "open").with_for_update()).first()
        if shift is None:
            raise Refused(f"{actor.username} has no open shift at {workstation}.",
                          code="no_open_shift")
        expected = expected_by_method(uow, shift.id)
        cash = TenderMethod.CASH.value
        expected[cash] = (expected[cash][0] + shift.opening_float_minor, expected[cash][1])
        lines = [_line(currency, m, expected[m], counted.get(m)) for m in expected]
        _check_signoff(uow, currency, lines, actor, reason_code, approver)
        _store_close(uow, shift.id, lines, count_rows, currency)
        cash_line = next(line for line in lines if line.method == cash)
        uow.execute(update(t.shifts).where(t.shifts.c.id == shift.id).values(
            status="closed", closed_at=slot.at,
            expected_cash_minor=currency.to_minor(cash_line.expected),
            counted_cash_minor=cash_minor,
            variance_minor=currency.to_minor(cash_line.variance or Decimal(0)),
            variance_reason=reason_code, approved_by=approver.user_id if approver else None))
        summary = ShiftSummary(
            shift.id, actor.username, workstation, "closed", shift.opened_at.isoformat(),
            currency.from_minor(shift.opening_float_minor), slot.at.isoformat(),
            cash_line.expected, cash_line.counted, cash_line.variance, reason_code,
            approver.username if approver else None, tuple(lines),
            tuple((currency.from_minor(v), n) for v, n in count_rows))
        ledger.append_event(uow, slot, actor=actor, action="shift.close", receipt_no=None,
                            details=summary.to_json())
        uow.commit()
    return summary


def _check_methods(confirmations: dict[str, Confirmation]) -> dict[str, Confirmation]:
    allowed = {m.value for m in TILL_METHODS if m is not TenderMethod.CASH}
    for method, confirmation in confirmations.items():
        if method not in allowed:
            raise BadInput(f"Confirm card, mobile_money or insurance, not {method!r}.",
                           code="invalid_method")
        if confirmation.count is not None and confirmation.count < 0:
            raise BadInput("A slip count is zero or more.", code="invalid_count")
    return confirmations


def _counted_cash(currency: Currency, counted: str | Decimal | None,
                  denominations: dict[str, int] | None) -> tuple[int, list[tuple[int, int]]]:
    """Counted cash in minor units, from the total, the denominations, or both agreeing."""
    rows = cash_count.count_rows(currency, denominations or {})
    by_notes = sum(value * quantity for value, quantity in rows)
    if counted in (None, ""):
        if not rows:
            raise BadInput("Give the counted cash or the count by denomination.",
                           code="invalid_amount")
        return by_notes, rows
    total = currency.to_minor(currency.parse(counted, what="counted cash", allow_zero=True))
    if rows and total != by_notes:
        raise BadInput(f"The denominations add up to {currency.display(by_notes)}, not "
                       f"{currency.display(total)}.", code="count_mismatch")
    return total, rows


def _line(currency: Currency, method: str, expected: tuple[int, int],
          counted: tuple[int, int | None] | None) -> TenderClose:
    money = currency.from_minor
    if counted is None:
        return TenderClose(method, money(expected[0]), expected[1], None, None, None)
    return TenderClose(method, money(expected[0]), expected[1], money(counted[0]), counted[1],
                       money(counted[0] - expected[0]))


def _check_signoff(uow: UnitOfWork, currency: Currency, lines: list[TenderClose], actor: Actor,
                   reason_code: str | None, approver: Actor | None) -> None:
    if reason_code is not None and reason_code not in REASON_CODES:
        raise BadInput(f"Reason code must be one of {', '.join(REASON_CODES)}.",
                       code="invalid_reason")
    limit = currency.from_minor(tolerance_minor(uow))
    over = [line for line in lines if line.variance is not None and abs(line.variance) > limit]
    if not over:
        return
    if reason_code is None or approver is None:
        raise Refused("The count differs from the books by more than the tolerance: give a "
                      "reason code and a supervisor's sign-off.", code="variance_needs_signoff")
    sessions.authorize(uow, approver, Role.SUPERVISOR, "sign off a shift variance")
    if approver.user_id == actor.user_id:
        raise Refused("A supervisor other than the cashier signs off the variance.",
                      code="same_person")


def _store_close(uow: UnitOfWork, shift_id: int, lines: list[TenderClose],
                 count_rows: list[tuple[int, int]], currency: Currency) -> None:
    minor = (lambda v: None if v is None else currency.to_minor(v))  # noqa: E731
    uow.execute(insert(t.shift_tenders), [
        {"shift_id": shift_id, "method": line.method, "expected_minor": minor(line.expected),
         "expected_count": line.expected_count, "counted_minor": minor(line.counted),
         "counted_count": line.counted_count, "variance_minor": minor(line.variance)}
        for line in lines])
    if count_rows:
        uow.execute(insert(t.shift_cash_counts), [
            {"shift_id": shift_id, "denomination_minor": value, "quantity": quantity}
            for value, quantity in count_rows])


def current_shift(uow: UnitOfWork, *, actor: Actor, workstation: str) -> ShiftSummary | None:
    """The cashier's open shift here, without expected figures (the close is blind)."""
    with uow:
        actor = sessions.authorize(uow, actor, Role.CASHIER, "see their shift")
        currency = uow.facility().currency
        row = uow.execute(select(t.shifts).where(
            t.shifts.c.cashier_id == actor.user_id, t.shifts.c.workstation == workstation,
            t.shifts.c.status == "open")).first()
    if row is None:
        return None
    return ShiftSummary(row.id, actor.username, workstation, "open", row.opened_at.isoformat(),
                        currency.from_minor(row.opening_float_minor))




def x_report(uow: UnitOfWork, *, actor: Actor, cashier: str | None = None,
             limit: int = X_REPORT_LIMIT) -> list[ShiftSummary]:
    """Figures so far of the open shifts (all, or one cashier's): expected per tender and
    document counts as a close would compute them now. Nothing is written and the shifts
    stay open; supervisors only, because the cashier's own close is blind."""
    with uow:
        actor = sessions.authorize(uow, actor, Role.SUPERVISOR, "see an X report")
        currency = uow.facility().currency
        query = (select(t.shifts, t.users.c.username)
                 .join(t.users, t.users.c.id == t.shifts.c.cashier_id)
                 .where(t.shifts.c.status == "open")
                 .order_by(t.shifts.c.opened_at, t.shifts.c.id).limit(limit))
        if cashier:
            query = query.where(t.users.c.username == cashier.strip())
        rows = uow.execute(query).all()
        if cashier and not rows:
            raise Refused(f"{cashier.strip()} has no open shift.", code="no_open_shift")
        cash = TenderMethod.CASH.value
        summaries = []
        for row in rows:
            expected = expected_by_method(uow, row.id)
            expected[cash] = (expected[cash][0] + row.opening_float_minor, expected[cash][1])
            lines = tuple(_line(currency, m, expected[m], None) for m in expected)
            summaries.append(ShiftSummary(
                row.id, row.username, row.workstation, "open", row.opened_at.isoformat(),
                currency.from_minor(row.opening_float_minor),
                expected_cash=currency.from_minor(expected[cash][0]), tenders=lines))
    return summaries
