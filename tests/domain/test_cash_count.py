"""Counting the drawer: one table of notes, one reading of counts, variances in words."""

from __future__ import annotations

from decimal import Decimal

import pytest

from pos_app.domain.cash_count import (
    counted_total,
    denominations,
    parse_count,
    parse_counts,
    variance_words,
)
from pos_app.domain.errors import BadInput
from pos_app.domain.money import Currency

KES = Currency("KES", 2)


def test_counts_by_note_read_as_value_times_count_and_repeats_add_up():
    assert parse_counts("1000x3, 500x2,1000x1") == {"1000": 4, "500": 2}
    assert counted_total(KES, {"1000": 4, "500": 2, "50": 1}) == Decimal("5050.00")


@pytest.mark.parametrize(
    "text", ["1000", "x3", "1000x-1", "1000x٣", "1000x1.5", "1000x 1_0", "1000x99999999999"]
)
def test_a_count_that_is_no_whole_number_is_refused_with_invalid_count(text):
    with pytest.raises(BadInput) as refused:
        parse_counts(text)
    assert refused.value.code == "invalid_count"


def test_a_single_count_field_takes_ascii_digits_only():
    assert parse_count(" 12 ", value="1000") == 12
    with pytest.raises(BadInput):
        parse_count("١٢", value="1000")


def test_kes_is_counted_in_fixed_notes_and_unknown_currencies_by_total():
    assert denominations(KES)[:3] == ("1000", "500", "200")
    assert denominations(Currency("EUR", 2)) == ()


@pytest.mark.parametrize(
    ("variance", "method", "words"),
    [
        (Decimal("-150.00"), "cash", "Cash short by KES 150.00"),
        (Decimal("1200.50"), "cash", "Excess cash KES 1,200.50"),
        (Decimal("0.00"), "cash", "Cash balanced"),
        (Decimal("-10.00"), "mobile_money", "Mobile money short by KES 10.00"),
        (None, "card", "Card not confirmed"),
    ],
)
def test_variances_read_in_words_with_separators_never_as_codes(variance, method, words):
    assert variance_words(KES, variance, method=method) == words
