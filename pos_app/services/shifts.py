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

import uuid
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from pos_app.adapters import ledger, shifts_repo
from pos_app.adapters.ledger import Slot
from pos_app.adapters.uow import UnitOfWork
from pos_app.domain import cash_count, rules
from pos_app.domain import effects as fx
from pos_app.domain.actors import Actor, Role
from pos_app.domain.approvals import Kind
from pos_app.domain.errors import BadInput, Refused
from pos_app.domain.facility import Facility
from pos_app.domain.kinds import ShiftStatus, TenderMethod
from pos_app.domain.money import Currency
from pos_app.receipts.shift_slip import ShiftSlip, SlipTender
from pos_app.services import approvals, kernel, sessions
from pos_app.services.approvals import ApprovalRequest
from pos_app.services.locks import Locks

TILL_METHODS = (
    TenderMethod.CASH,
    TenderMethod.CARD,
    TenderMethod.MOBILE_MONEY,
    TenderMethod.INSURANCE,
)
REASON_LABELS = {
    "counting_error": "Counting error",
    "change_error": "Wrong change given",
    "unrecorded_transaction": "Unrecorded transaction",
    "missing_cash": "Missing cash",
    "excess_cash": "Excess cash",
    "other": "Other",
}
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
        text = lambda v: None if v is None else str(v)  # noqa: E731
        return {
            "method": self.method,
            "expected": str(self.expected),
            "expected_count": self.expected_count,
            "counted": text(self.counted),
            "counted_count": self.counted_count,
            "variance": text(self.variance),
        }


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
        text = lambda v: None if v is None else str(v)  # noqa: E731
        return {
            "shift_id": self.shift_id,
            "cashier": self.cashier,
            "workstation": self.workstation,
            "status": self.status,
            "opened_at": self.opened_at,
            "opening_float": str(self.opening_float),
            "closed_at": self.closed_at,
            "expected_cash": text(self.expected_cash),
            "counted_cash": text(self.counted_cash),
            "variance": text(self.variance),
            "variance_reason": self.variance_reason,
            "approved_by": self.approved_by,
            "tenders": [line.to_json() for line in self.tenders],
            "cash_counts": [{"value": str(v), "count": n} for v, n in self.cash_counts],
        }

    def slip(self, facility: Facility, *, printed_at: datetime | None = None) -> ShiftSlip:
        """The printable shift slip (an X report while the shift is open)."""
        return ShiftSlip(
            facility.name,
            facility.currency,
            self.shift_id,
            self.workstation,
            self.cashier,
            datetime.fromisoformat(self.opened_at),
            self.opening_float,
            tuple(
                SlipTender(
                    line.method, line.expected, line.expected_count, line.counted, line.variance
                )
                for line in self.tenders
            ),
            datetime.fromisoformat(self.closed_at) if self.closed_at else None,
            printed_at,
            self.cash_counts,
            REASON_LABELS.get(self.variance_reason or "", self.variance_reason),
            self.approved_by,
        )


def open_shift(
    uow: UnitOfWork, *, actor: Actor, workstation: str, opening_float: str | Decimal
) -> ShiftSummary:
    """Open the cashier's shift at this workstation with an opening float (may be zero)."""
    with uow:
        actor = sessions.authorize(uow, actor, Role.CASHIER, "open a shift")
        currency = uow.facility().currency
        float_minor = currency.to_minor(
            currency.parse(opening_float, what="opening float", allow_zero=True)
        )
        slot = ledger.take_slot(uow, workstation, with_receipt=False)
        shift_id = None
        if shifts_repo.open_id(uow, cashier_id=actor.user_id, workstation=workstation) is None:
            shift_id = shifts_repo.open_shift(
                uow,
                cashier_id=actor.user_id,
                workstation=workstation,
                at=slot.at,
                float_minor=float_minor,
            )
        if shift_id is None:
            raise Refused(
                f"{actor.username} already has an open shift at {workstation}.",
                code="shift_already_open",
            )
        ledger.append_event(
            uow,
            slot,
            actor=actor,
            action="shift.open",
            receipt_no=None,
            details={"shift_id": shift_id, "float": currency.text(float_minor)},
        )
        uow.commit()
    return ShiftSummary(
        shift_id,
        actor.username,
        workstation,
        ShiftStatus.OPEN.value,
        slot.at.isoformat(),
        currency.from_minor(float_minor),
    )


def set_tolerance(
    uow: UnitOfWork, *, actor: Actor, workstation: str, amount: str | Decimal
) -> Decimal:
    """Set the cash variance a cashier may close with, without a supervisor's sign-off."""
    with uow:
        actor = sessions.authorize(uow, actor, Role.SUPERVISOR, "set the shift variance tolerance")
        currency = uow.facility().currency
        minor = currency.to_minor(currency.parse(amount, what="tolerance", allow_zero=True))
        shifts_repo.set_tolerance_minor(uow, minor)
        ledger.record(
            uow,
            workstation,
            actor=actor,
            action="shift.tolerance",
            details={"tolerance": currency.text(minor)},
        )
        uow.commit()
    return currency.from_minor(minor)


def close_shift(
    uow: UnitOfWork,
    *,
    actor: Actor,
    workstation: str,
    counted_cash: str | Decimal | None,
    denominations: dict[str, int] | None = None,
    confirmations: dict[str, Confirmation] | None = None,
    reason_code: str | None = None,
    approver: Actor | None = None,
) -> ShiftSummary:
    """Close the cashier's open shift blind: store expected, counted and variance per tender."""
    confirmations = dict(confirmations or {})
    with uow:
        actor = sessions.authorize(uow, actor, Role.CASHIER, "close a shift")
        currency = uow.facility().currency
        cash_minor, count_rows = cash_count.counted_minor(currency, counted_cash, denominations)
        counted = {
            m: (
                currency.to_minor(currency.parse(c.amount, what=f"{m} counted", allow_zero=True)),
                c.count,
            )
            for m, c in _check_methods(confirmations).items()
        }
        counted[TenderMethod.CASH.value] = (cash_minor, None)
        if reason_code is not None and reason_code not in REASON_CODES:
            raise BadInput(
                f"Reason code must be one of {', '.join(REASON_CODES)}.", code="invalid_reason"
            )
        close = _CloseShift(
            actor, workstation, currency, counted, tuple(count_rows), reason_code, approver
        )
        shift = shifts_repo.find_open(uow, cashier_id=actor.user_id, workstation=workstation)
        over = None if shift is None or approver is None else close.over_tolerance(uow, shift)
        if over is None or reason_code is None or shift is None or approver is None:
            return kernel.run(uow, close)
        # A variance signed off at the till: a shift_variance request decided at once.
        _, summary = approvals.decide_at_once(
            uow,
            requester=actor,
            approver=approver,
            workstation=workstation,
            kind=Kind.SHIFT_VARIANCE,
            subject=str(shift.id),
            amount_minor=over,
            reason=REASON_LABELS[reason_code],
            payload=close.payload(),
            key=f"shift-{shift.id}-{uuid.uuid4().hex}",
        )
        assert isinstance(summary, ShiftSummary)  # a fresh key never replays
        return summary


def execute_signoff(uow: UnitOfWork, request: ApprovalRequest, approver: Actor) -> ShiftSummary:
    """The approved shift_variance request: the shift's close as counted, signed off by
    `approver`, refused if the figures moved since the count (the request's amount)."""
    payload, currency = request.payload, uow.facility().currency
    return kernel.execute(
        uow,
        _CloseShift(
            request.requester,
            request.workstation,
            currency,
            {m: (minor, count) for m, (minor, count) in payload["counted"].items()},
            tuple((value, n) for value, n in payload["count_rows"]),
            payload["reason_code"],
            approver,
            signed_minor=currency.to_minor(request.amount),
        ),
    )


@dataclass(frozen=True)
class _Locked:
    shift: shifts_repo.ShiftRow
    lines: list[TenderClose]


@dataclass(frozen=True)
class _CloseShift:
    actor: Actor
    workstation: str
    currency: Currency
    counted: dict[str, tuple[int, int | None]]
    count_rows: tuple[tuple[int, int], ...]
    reason_code: str | None
    approver: Actor | None
    signed_minor: int | None = None  # the variance a sign-off request approved
    name: str = "shift.close"
    key: None = None

    def request(self) -> dict:
        return {}

    def replay(self, stored: dict) -> ShiftSummary:
        raise AssertionError("a shift close has no idempotency key")

    def lock(self, locks: Locks) -> _Locked:
        locks.counter(self.workstation, with_receipt=False)
        shift = locks.shift(cashier_id=self.actor.user_id, workstation=self.workstation)
        if shift is None:
            raise Refused(
                f"{self.actor.username} has no open shift at {self.workstation}.",
                code="no_open_shift",
            )
        lines = self._lines(locks.uow, shift)
        self._check_signoff(locks.uow, lines)
        return _Locked(shift, lines)

    def payload(self) -> dict:
        """The close's parameters, as a sign-off request keeps them."""
        return {
            "counted": {m: list(c) for m, c in self.counted.items()},
            "count_rows": [list(r) for r in self.count_rows],
            "reason_code": self.reason_code,
        }

    def over_tolerance(self, uow: UnitOfWork, shift: shifts_repo.ShiftRow) -> int | None:
        """The largest variance (minor units) when some tender is beyond the tolerance."""
        variances = self._variances(self._lines(uow, shift))
        if not rules.over_tolerance(variances, shifts_repo.tolerance_minor(uow)):
            return None
        return max(abs(v) for v in variances if v is not None)

    def _lines(self, uow: UnitOfWork, shift: shifts_repo.ShiftRow) -> list[TenderClose]:
        expected = _expected(uow, shift)
        return [_line(self.currency, m, expected[m], self.counted.get(m)) for m in expected]

    def _variances(self, lines: list[TenderClose]) -> list[int | None]:
        return [
            None if line.variance is None else self.currency.to_minor(line.variance)
            for line in lines
        ]

    def _check_signoff(self, uow: UnitOfWork, lines: list[TenderClose]) -> None:
        variances = self._variances(lines)
        if not rules.over_tolerance(variances, shifts_repo.tolerance_minor(uow)):
            return
        if self.signed_minor is not None and self.signed_minor != max(
            abs(v) for v in variances if v is not None
        ):
            raise Refused(
                "The shift's figures changed since the count that was signed off: count again.",
                code="shift_changed",
            )
        if self.reason_code is None or self.approver is None:
            raise Refused(
                "The count differs from the books by more than the tolerance: give "
                "a reason code and a supervisor's sign-off.",
                code="variance_needs_signoff",
            )
        sessions.authorize(uow, self.approver, Role.SUPERVISOR, "sign off a shift variance")
        rules.require_two_people(
            approver_id=self.approver.user_id,
            other_id=self.actor.user_id,
            message="A supervisor other than the cashier signs off the variance.",
        )

    def decide(self, state: _Locked, slot: Slot) -> kernel.Decision[ShiftSummary]:
        currency, shift, lines = self.currency, state.shift, state.lines
        minor = lambda v: None if v is None else currency.to_minor(v)  # noqa: E731
        cash_line = next(line for line in lines if line.method == TenderMethod.CASH.value)
        cash_minor = self.counted[TenderMethod.CASH.value][0]
        summary = ShiftSummary(
            shift.id,
            self.actor.username,
            self.workstation,
            ShiftStatus.CLOSED.value,
            shift.opened_at.isoformat(),
            currency.from_minor(shift.opening_float_minor),
            slot.at.isoformat(),
            cash_line.expected,
            cash_line.counted,
            cash_line.variance,
            self.reason_code,
            self.approver.username if self.approver else None,
            tuple(lines),
            tuple((currency.from_minor(v), n) for v, n in self.count_rows),
        )
        closed = fx.ShiftClosed(
            shift.id,
            currency.to_minor(cash_line.expected),
            cash_minor,
            currency.to_minor(cash_line.variance or Decimal(0)),
            self.reason_code,
            self.approver.user_id if self.approver else None,
            tuple(
                fx.ShiftTenderRow(
                    line.method,
                    currency.to_minor(line.expected),
                    line.expected_count,
                    minor(line.counted),
                    line.counted_count,
                    minor(line.variance),
                )
                for line in lines
            ),
            self.count_rows,
        )
        return kernel.Decision(
            self.actor, "shift.close", None, summary.to_json(), (closed,), lambda digest: summary
        )


def _expected(uow: UnitOfWork, shift: shifts_repo.ShiftRow) -> dict[str, tuple[int, int]]:
    """{method: (expected, documents)} of a shift, its opening float in the cash."""
    expected = shifts_repo.expected_by_method(uow, shift.id, tuple(m.value for m in TILL_METHODS))
    cash = TenderMethod.CASH.value
    expected[cash] = (expected[cash][0] + shift.opening_float_minor, expected[cash][1])
    return expected


def _check_methods(confirmations: dict[str, Confirmation]) -> dict[str, Confirmation]:
    allowed = {m.value for m in TILL_METHODS if m is not TenderMethod.CASH}
    for method, confirmation in confirmations.items():
        if method not in allowed:
            raise BadInput(
                f"Confirm card, mobile_money or insurance, not {method!r}.", code="invalid_method"
            )
        if confirmation.count is not None and confirmation.count < 0:
            raise BadInput("A slip count is zero or more.", code="invalid_count")
    return confirmations


def _line(
    currency: Currency,
    method: str,
    expected: tuple[int, int],
    counted: tuple[int, int | None] | None,
) -> TenderClose:
    money = currency.from_minor
    if counted is None:
        return TenderClose(method, money(expected[0]), expected[1], None, None, None)
    return TenderClose(
        method,
        money(expected[0]),
        expected[1],
        money(counted[0]),
        counted[1],
        money(counted[0] - expected[0]),
    )


def current_shift(uow: UnitOfWork, *, actor: Actor, workstation: str) -> ShiftSummary | None:
    """The cashier's open shift here, without expected figures (the close is blind)."""
    with uow:
        actor = sessions.authorize(uow, actor, Role.CASHIER, "see their shift")
        currency = uow.facility().currency
        row = shifts_repo.find_open(uow, cashier_id=actor.user_id, workstation=workstation)
    if row is None:
        return None
    return ShiftSummary(
        row.id,
        actor.username,
        workstation,
        ShiftStatus.OPEN.value,
        row.opened_at.isoformat(),
        currency.from_minor(row.opening_float_minor),
    )


def x_report(
    uow: UnitOfWork, *, actor: Actor, cashier: str | None = None, limit: int = X_REPORT_LIMIT
) -> list[ShiftSummary]:
    """Figures so far of the open shifts (all, or one cashier's): expected per tender and
    document counts as a close would compute them now. Nothing is written and the shifts
    stay open; supervisors only, because the cashier's own close is blind."""
    with uow:
        actor = sessions.authorize(uow, actor, Role.SUPERVISOR, "see an X report")
        currency = uow.facility().currency
        rows = shifts_repo.open_shifts(
            uow, cashier=cashier.strip() if cashier else None, limit=limit
        )
        if cashier and not rows:
            raise Refused(f"{cashier.strip()} has no open shift.", code="no_open_shift")
        summaries = []
        for row in rows:
            expected = _expected(uow, row)
            lines = tuple(_line(currency, m, expected[m], None) for m in expected)
            summaries.append(
                ShiftSummary(
                    row.id,
                    row.cashier,
                    row.workstation,
                    ShiftStatus.OPEN.value,
                    row.opened_at.isoformat(),
                    currency.from_minor(row.opening_float_minor),
                    expected_cash=currency.from_minor(expected[TenderMethod.CASH.value][0]),
                    tenders=lines,
                )
            )
    return summaries
