"""Property: books after any run of random money commands check clean, replay and all."""

from __future__ import annotations

from contextlib import suppress

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pos_app.domain.errors import CareTillError
from pos_app.services.check import run_check
from pos_app.services.reversal import reverse_payment
from pos_app.services.withdrawal import withdraw
from tests.helpers.books import CATALOG, Books, new_key
from tests.helpers.money import pay_items, tender, top_up

PATIENTS = ("P1", "P2", "P3")
LINES = st.lists(st.sampled_from(["CONS", "LAB", "DRUG", "DRUG2", "MISC"]), min_size=1, max_size=3)
OPERATIONS = st.lists(
    st.one_of(
        st.tuples(
            st.just("deposit"),
            st.sampled_from(PATIENTS),
            st.integers(1, 3000),
            st.sampled_from(["cash", "card", "mobile_money"]),
        ),
        st.tuples(
            st.just("pay"),
            st.sampled_from(PATIENTS),
            LINES,
            st.sampled_from(["wallet", "cash", "card", "split"]),
        ),
        st.tuples(st.just("refund"), st.booleans()),
        st.tuples(st.just("withdraw"), st.sampled_from(PATIENTS), st.integers(1, 500)),
    ),
    min_size=1,
    max_size=10,
)


def _apply(books: Books, operation: tuple, paid: list[tuple[str, list[int]]]) -> None:
    kind = operation[0]
    if kind == "deposit":
        _, mrn, amount, method = operation
        reference = None if method == "cash" else new_key()
        top_up(books, mrn, f"{amount}.00", method, reference)
    elif kind == "pay":
        _, mrn, codes, how = operation
        items = books.bill(mrn, *[(code, 1) for code in codes])
        total = sum(
            books.currency.to_minor(books.currency.parse(CATALOG[code][1])) for code in codes
        )
        amount = books.currency.from_minor(total)
        if how == "split" and total > 1:
            half = books.currency.from_minor(total // 2)
            tenders = [tender("cash", str(half)), tender("card", str(amount - half), new_key())]
        else:
            method = "card" if how == "split" else how
            tenders = [tender(method, str(amount), new_key() if method == "card" else None)]
        result = pay_items(books, mrn, items, *tenders)
        paid.append((result.receipt_no, items))
    elif kind == "refund" and paid:
        receipt_no, items = paid.pop()
        reverse_payment(
            books.app.uow(),
            actor=books.supervisor,
            workstation="WS01",
            receipt_no=receipt_no,
            reason="Property test",
            key=new_key(),
            item_ids=items[:1] if operation[1] and len(items) > 1 else None,
        )
    elif kind == "withdraw":
        _, mrn, amount = operation
        withdraw(
            books.app.uow(),
            actor=books.supervisor,
            workstation="WS01",
            mrn=mrn,
            amount=f"{amount}.00",
            reason="Property test",
            key=new_key(),
        )


@settings(
    max_examples=12, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(operations=OPERATIONS)
def test_books_after_random_money_commands_check_clean(books, operations):
    if not books.count("patients"):
        for mrn in PATIENTS:
            books.patient(mrn, balance="2000.00")
    paid: list[tuple[str, list[int]]] = []
    for operation in operations:
        with suppress(CareTillError):  # a refusal (short wallet, stock) writes nothing
            _apply(books, operation, paid)
    assert run_check(books.app.uow(), actor=books.supervisor) == []
    assert run_check(books.app.uow(), actor=books.supervisor, full=True) == []
