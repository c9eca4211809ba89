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
        (KES, "-5"),
        (KES, "0"),
        (KES, "0.00"),
        (KES, "NaN"),
        (KES, "nan"),
        (KES, "Infinity"),
        (KES, "-inf"),
        (KES, "1.001"),
        (KES, "1e3"),
        (KES, "1_000"),
        (KES, ""),
        (KES, "abc"),
        (KES, "1000000000000"),
        (KES, "99999999999999.99"),
        (KES, 1.5),
        (KES, True),
        (KES, None),
        (UGX, "10.5"),
        (KWD, "1.0001"),
        (KES, Decimal("NaN")),
        (KES, Decimal("Infinity")),
        (KES, Decimal("-1")),
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


# A comma only separates thousands: where a decimal comma is written, "0,5" must not be 5.00.
@pytest.mark.parametrize(
    "text",
    [
        "0,5",
        "1,00",
        "1,0000",
        ",100",
        "1,,000",
        "1,000,00",
        "0,500",
        "1000,000",
        "1,000.",
        "1,00.50",
        "1,000,0000",
        "1.000,50",
        "1 000",
        "1,000 ,000",
        "+,100",
    ],
)
def test_a_comma_anywhere_but_between_groups_of_three_is_invalid_amount(text):
    with pytest.raises(BadInput) as refused:
        KES.parse(text)
    assert refused.value.code == "invalid_amount"
    assert "1,000.50" in refused.value.message


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("1,000.50", "1000.50"),
        ("12,345,678", "12345678.00"),
        ("999,999.99", "999999.99"),
        ("1,000", "1000.00"),
    ],
)
def test_thousands_commas_in_groups_of_three_are_taken(text, expected):
    assert KES.parse(text) == Decimal(expected)


@given(st.integers(min_value=1, max_value=10**11 - 1), st.integers(min_value=0, max_value=99))
def test_any_amount_grouped_by_thousands_parses_to_its_value_without_commas(whole, cents):
    text = f"{whole:,}.{cents:02d}"
    assert KES.parse(text) == KES.parse(text.replace(",", "")) == Decimal(f"{whole}.{cents:02d}")


@given(
    st.lists(st.text("0123456789", min_size=0, max_size=5), min_size=2, max_size=5),
    st.sampled_from(["", ".50"]),
)
def test_commas_are_taken_only_where_they_group_thousands(groups, decimals):
    text = ",".join(groups) + decimals
    grouped = (
        groups[0][:1] in "123456789"
        and groups[0] != ""
        and len(groups[0]) <= 3
        and all(len(group) == 3 for group in groups[1:])
    )
    if grouped and 0 < int("".join(groups)) < 10**12:  # larger is refused as too large
        assert KES.parse(text) == Decimal("".join(groups) + (decimals or ".00"))
    else:
        with pytest.raises(BadInput) as refused:
            KES.parse(text)
        assert refused.value.code == "invalid_amount"
