"""Whole numbers people type: ASCII digits within a range, or `BadInput` with a code."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from pos_app.domain.errors import BadInput
from pos_app.domain.numbers import MAX_ID, id_list, whole_number


@pytest.mark.parametrize(
    "text",
    [
        "٩",
        "１２",
        "1_000",
        " 7 ",
        "7\n",
        "-1",
        "+1",
        "1.0",
        "",
        "0x10",
        "²",
        "1e3",
        "99999999999999999999",
        "9" * 5000,
    ],
)
def test_anything_but_ascii_digits_in_range_is_refused_with_its_code(text):
    with pytest.raises(BadInput) as refused:
        whole_number(text, what="count", maximum=MAX_ID, code="invalid_count")
    assert refused.value.code == "invalid_count"
    assert len(refused.value.message) < 200


@pytest.mark.parametrize(("text", "expected"), [("0", 0), ("007", 7), (str(MAX_ID), MAX_ID)])
def test_ascii_digits_within_range_are_the_number(text, expected):
    assert whole_number(text, what="id", maximum=MAX_ID) == expected


def test_the_range_is_checked_on_both_ends_and_for_ints_too():
    with pytest.raises(BadInput):
        whole_number("0", what="limit", minimum=1, maximum=100)
    with pytest.raises(BadInput):
        whole_number(101, what="limit", minimum=1, maximum=100)
    with pytest.raises(BadInput):
        whole_number(True, what="limit", minimum=0, maximum=100)  # type: ignore[arg-type]
    assert whole_number(str(MAX_ID + 1)[:-1], what="id", maximum=MAX_ID) < MAX_ID


@given(st.integers(min_value=0, max_value=MAX_ID))
def test_every_number_in_range_round_trips(number):
    assert whole_number(str(number), what="id", maximum=MAX_ID) == number


def test_id_lists_take_spaces_around_commas_and_refuse_any_bad_id():
    assert id_list("12, 13,14,") == [12, 13, 14]
    for text in ("", " , ", "12,٩", "0", "12,99999999999999999999"):
        with pytest.raises(BadInput) as refused:
            id_list(text, code="unknown_item")
        assert refused.value.code == "unknown_item"
