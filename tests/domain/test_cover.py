"""The split of each item's due between a payer and the patient (domain/cover.py)."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from pos_app.domain.cover import Cover, Due, require_covered, split
from pos_app.domain.errors import Refused


def test_percent_of_the_due_goes_to_the_payer():
    [share] = split([Due(1, "lab_test", 10_000)], {"lab_test": Cover(8000)})
    assert (share.payer_minor, share.patient_minor) == (8000, 2000)


def test_a_visit_copay_comes_off_the_first_items_once():
    shares = split(
        [Due(1, "lab_test", 1000), Due(2, "lab_test", 1000)],
        {"lab_test": Cover(10_000, copay_minor=1500)},
    )
    assert [s.payer_minor for s in shares] == [0, 500]


def test_an_item_copay_comes_off_every_item():
    shares = split(
        [Due(1, "lab_test", 1000), Due(2, "lab_test", 1000)],
        {"lab_test": Cover(10_000, copay_minor=300, copay_per="item")},
    )
    assert [s.patient_minor for s in shares] == [300, 300]


def test_the_cap_limits_the_payers_total_per_kind():
    covers = {"lab_test": Cover(10_000, cap_minor=1500), "pharmacy": Cover(5000)}
    shares = split(
        [Due(1, "lab_test", 1000), Due(2, "pharmacy", 1000), Due(3, "lab_test", 1000)], covers
    )
    assert [s.payer_minor for s in shares] == [1000, 500, 500]


def test_an_uncovered_kind_is_refused():
    with pytest.raises(Refused) as caught:
        require_covered(["lab_test", "pharmacy"], {"lab_test": Cover(8000)}, "NHIF")
    assert caught.value.code == "not_covered"


KINDS = ["lab_test", "pharmacy", "consultation"]
covers_st = st.dictionaries(
    st.sampled_from(KINDS),
    st.builds(
        Cover,
        st.integers(0, 10_000),
        st.integers(0, 50_000),
        st.sampled_from(["visit", "item"]),
        st.none() | st.integers(0, 100_000),
    ),
    min_size=len(KINDS),
)
items_st = st.lists(st.tuples(st.sampled_from(KINDS), st.integers(0, 1_000_000)), max_size=12)


@given(covers_st, items_st)
def test_shares_are_never_negative_and_add_up_to_the_due(covers, items):
    dues = [Due(i, kind, due) for i, (kind, due) in enumerate(items)]
    shares = split(dues, covers)
    for due, share in zip(dues, shares, strict=True):
        assert 0 <= share.payer_minor <= due.due_minor
        assert share.payer_minor + share.patient_minor == due.due_minor
        assert share.payer_minor <= due.due_minor * covers[due.service_kind].percent_bp / 10_000 + 1
    for kind, cover in covers.items():
        total = sum(
            s.payer_minor for d, s in zip(dues, shares, strict=True) if d.service_kind == kind
        )
        if cover.cap_minor is not None:
            assert total <= cover.cap_minor
        if cover.copay_per == "visit":
            gross = sum(d.due_minor for d in dues if d.service_kind == kind)
            assert total <= max(gross - cover.copay_minor, 0) or total == 0
