"""The one way money gets in: exact, refusing everything a till must never accept."""

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from pos_app.domain.errors import BadInput
from pos_app.domain.money import Currency

KES = Currency("KES", 2)
UGX = Currency("UGX", 0)
KWD = Currency("KWD", 3)


@pytest.mark.parametrize(
    ("currency", "text", "expected"),
    [
        (KES, "1250", Decimal("1250.00")),
        (KES, "1250.5", Decimal("1250.50")),
        (KES, "0.10", Decimal("0.10")),
        (KES, "1,250.00", Decimal("1250.00")),
        (KES, " 99999999999.99 ", Decimal("99999999999.99")),
        (KES, "1.500", Decimal("1.50")),
        (UGX, "15000", Decimal("15000")),
        (KWD, "1.125", Decimal("1.125")),
    ],
)
def test_valid_amounts_parse_exactly(currency, text, expected):
    parsed = currency.parse(text)
    assert parsed == expected
    assert parsed.as_tuple().exponent == -currency.minor_units


@pytest.mark.parametrize(
    ("currency", "value"),
    [
        (KES, "-5"), (KES, "0"), (KES, "0.00"), (KES, "NaN"), (KES, "nan"), (KES, "Infinity"),
        (KES, "-inf"), (KES, "1.001"), (KES, "1e3"), (KES, "1_000"), (KES, ""), (KES, "abc"),
        (KES, "1000000000000"), (KES, "99999999999999.99"), (KES, 1.5), (KES, True),
        (KES, None), (UGX, "10.5"), (KWD, "1.0001"), (KES, Decimal("NaN")),
        (KES, Decimal("Infinity")), (KES, Decimal("-1")),
    ],
)
def test_bad_amounts_are_refused_as_invalid_amount(currency, value):
    with pytest.raises(BadInput) as refused:
        currency.parse(value)
    assert refused.value.code == "invalid_amount"
    assert refused.value.message


def test_zero_is_allowed_only_where_asked():
    assert KES.parse("0", allow_zero=True) == Decimal("0.00")


def test_ten_cents_plus_twenty_cents_is_exactly_thirty_cents_in_minor_units():
    total = KES.to_minor(KES.parse("0.10")) + KES.to_minor(KES.parse("0.20"))
    assert total == 30
    assert KES.from_minor(total) == Decimal("0.30")
    assert KES.text(total) == "0.30"


def test_largest_amounts_round_trip_through_minor_units():
    amount = KES.parse("99999999999.99")
    assert KES.to_minor(amount) == 9_999_999_999_999
    assert KES.from_minor(KES.to_minor(amount)) == amount


@given(st.integers(min_value=1, max_value=10**12 - 1), st.sampled_from([KES, UGX, KWD]))
def test_every_minor_amount_round_trips_through_text(minor, currency):
    text = currency.text(minor)
    assert currency.to_minor(currency.parse(text)) == minor


@pytest.mark.parametrize(("code", "units"), [("KES", 1), ("kes", 2), ("KESH", 2)])
def test_currency_must_be_a_real_code_with_0_2_or_3_minor_units(code, units):
    with pytest.raises(BadInput):
        Currency(code, units)


def test_display_separates_thousands_for_people():
    assert KES.display(123456789) == "KES 1,234,567.89"
