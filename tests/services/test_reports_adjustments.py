"""Property: on every business day the report's gross less its adjustments is its net, and the
adjustments by kind and by reason add up to the same figure (SPEC rule 11)."""

from __future__ import annotations

from contextlib import suppress
from datetime import UTC, datetime, timedelta
from decimal import Decimal

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pos_app.adapters import adjustments_repo
from pos_app.domain.errors import CareTillError
from pos_app.services.adjustments import adjust
from pos_app.services.reports import daily_report
from pos_app.services.reversal import reverse_payment
from tests.helpers.books import Books, new_key
from tests.helpers.clock import SteppingClock, clock_of
from tests.helpers.money import pay_items, tender

ADJUSTMENT = st.one_of(
    st.none(),
    st.tuples(
        st.just("discount"),
        st.sampled_from(["amount", "percent"]),
        st.integers(1, 99),
        st.sampled_from(["staff", "goodwill"]),
    ),
    st.tuples(st.just("waiver"), st.none(), st.none(), st.just("exemption_scheme")),
    st.tuples(st.just("price"), st.just("amount"), st.integers(0, 3000), st.just("price_error")),
)
VISITS = st.lists(
    st.tuples(
        st.sampled_from(["CONS", "LAB", "DRUG"]), ADJUSTMENT, st.integers(1, 40), st.booleans()
    ),
    min_size=1,
    max_size=6,
)


def _visit(books: Books, mrn: str, code: str, change: tuple | None, refund: bool) -> None:
    (item,) = books.bill(mrn, (code, 1))
    if change is not None:
        kind, how, number, reason = change
        value = None if number is None else (f"{number}.00" if how == "amount" else str(number))
        with suppress(CareTillError):  # e.g. a price correction to the same price
            adjust(
                books.app.uow(),
                actor=books.admin,
                workstation="WS01",
                item_id=item,
                kind=kind,
                reason_code=reason,
                key=new_key(),
                **({how: value} if how else {}),
            )
    with books.app.uow(write=False) as uow:
        due = adjustments_repo.item_due(uow, item).due_minor
    if due == 0:  # a zero-amount payment waits for the schema (see test_adjustments)
        return
    paid = pay_items(books, mrn, [item], tender("cash", str(books.currency.from_minor(due))))
    if refund:
        reverse_payment(
            books.app.uow(),
            actor=books.supervisor,
            workstation="WS01",
            receipt_no=paid.receipt_no,
            reason="Property test",
            key=new_key(),
        )


@settings(
    max_examples=8, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(visits=VISITS)
def test_gross_less_adjustments_is_net_on_every_day(books, visits):
    mrn = books.patient(f"P{books.count('patients') + 1}")
    start = datetime(2026, 3, 1, 6, tzinfo=UTC) + timedelta(days=30 * books.count("patients"))
    days = set()
    with clock_of(books.app, SteppingClock(start)) as clock:
        for code, change, hours, refund in visits:
            days.add(clock.advance(timedelta(hours=hours)).date())
            _visit(books, mrn, code, change, refund)
    for day in sorted(days):
        report = daily_report(books.app.uow(write=False), actor=books.supervisor, day=day)
        totals = report.totals
        assert totals["gross"] - totals["adjustments"] == totals["net"] == totals["payments"]
        for lines in (report.adjustments_by_kind, report.adjustments_by_reason):
            assert sum((line.amount for line in lines), Decimal(0)) == totals["adjustments"]
