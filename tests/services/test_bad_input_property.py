"""Property: any malformed amount a cashier types is refused and nothing is written."""

from decimal import Decimal

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pos_app.domain.errors import BadInput
from tests.helpers.money import pay_items, tender

too_many_decimals = st.decimals(
    min_value=Decimal("0.001"), max_value=Decimal("100000"), places=3
).filter(lambda d: d != d.quantize(Decimal("0.01")))
not_positive = st.decimals(max_value=Decimal(0), allow_nan=False, allow_infinity=False, places=2)
absurd = st.integers(min_value=10**12, max_value=10**30)
junk = st.sampled_from(
    [
        "NaN",
        "-NaN",
        "sNaN",
        "inf",
        "-Infinity",
        "1e5",
        "0x10",
        "1/2",
        "",
        " ",
        "1.2.3",
        "--5",
        "١٢٣",
    ]
)
bad_amounts = st.one_of(too_many_decimals.map(str), not_positive.map(str), absurd.map(str), junk)


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(amount=bad_amounts)
def test_any_malformed_amount_is_refused_and_nothing_is_written(books, amount):
    if not books.count("patients"):
        books.patient("P1", balance="5000.00")
        books.bill("P1", ("CONS", 1))
    before = books.snapshot()
    items = [1]
    try:
        pay_items(books, "P1", items, tender("wallet", amount))
    except BadInput as error:
        assert error.code == "invalid_amount", (amount, error.code)
    else:
        raise AssertionError(f"{amount!r} was accepted")
    assert books.snapshot() == before
