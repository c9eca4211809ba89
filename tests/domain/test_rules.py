"""The money rules as pure functions: each refuses with its stable code, or passes."""

from __future__ import annotations

import pytest

from pos_app.domain import rules
from pos_app.domain.errors import BadInput, Refused
from pos_app.domain.money import Currency

KES = Currency("KES", 2)


@pytest.mark.parametrize(
    ("given", "total", "ok"), [(1000, 1000, True), (999, 1000, False), (1001, 1000, False)]
)
def test_tenders_must_add_up_to_exactly_the_items(given, total, ok):
    if ok:
        rules.require_tenders_add_up(KES, given_minor=given, total_minor=total)
        return
    with pytest.raises(BadInput) as refused:
        rules.require_tenders_add_up(KES, given_minor=given, total_minor=total)
    assert refused.value.code == "tenders_mismatch"


@pytest.mark.parametrize(
    ("balance", "amount", "ok"),
    [(500, 500, True), (500, 0, True), (500, 501, False), (0, 1, False)],
)
@pytest.mark.parametrize("withdrawal", [False, True])
def test_a_wallet_never_pays_more_than_its_balance(balance, amount, ok, withdrawal):
    if ok:
        rules.require_wallet_cover(
            KES, balance_minor=balance, amount_minor=amount, withdrawal=withdrawal
        )
        return
    with pytest.raises(Refused) as refused:
        rules.require_wallet_cover(
            KES, balance_minor=balance, amount_minor=amount, withdrawal=withdrawal
        )
    assert refused.value.code == "insufficient_wallet_balance"
    assert KES.display(balance) in str(refused.value)


def test_only_unpaid_items_can_be_paid():
    rules.require_unpaid([(1, "Consultation", "unpaid")])
    with pytest.raises(Refused) as refused:
        rules.require_unpaid([(1, "Consultation", "unpaid"), (2, "X-ray", "paid")])
    assert refused.value.code == "item_not_payable" and "Item 2" in str(refused.value)


def test_stock_must_cover_every_row_the_items_take():
    rules.require_stock({5: 2}, {5: ("Paracetamol", 2)})
    with pytest.raises(Refused) as refused:
        rules.require_stock({5: 3}, {5: ("Paracetamol", 2)})
    assert refused.value.code == "insufficient_stock"


@pytest.mark.parametrize(
    ("reason", "code"),
    [
        ("", "missing_reason"),
        ("   ", "missing_reason"),
        (None, "missing_reason"),
        ("x" * 501, "invalid_reason"),
    ],
)
def test_a_reason_is_required_and_bounded(reason, code):
    with pytest.raises(BadInput) as refused:
        rules.require_reason(reason)
    assert refused.value.code == code


def test_a_reason_is_kept_trimmed():
    assert rules.require_reason("  wrong patient ") == "wrong patient"


def test_two_people_approver_is_not_the_other_person():
    rules.require_two_people(approver_id=1, other_id=2, message="no")
    with pytest.raises(Refused) as refused:
        rules.require_two_people(approver_id=2, other_id=2, message="Another supervisor.")
    assert refused.value.code == "same_person" and str(refused.value) == "Another supervisor."


@pytest.mark.parametrize(
    ("expected", "counted", "variance"),
    [(1000, 1000, 0), (1000, 900, -100), (1000, 1100, 100), (1000, None, None)],
)
def test_variance_is_counted_less_expected(expected, counted, variance):
    assert rules.variance_minor(expected_minor=expected, counted_minor=counted) == variance


@pytest.mark.parametrize(
    ("variances", "tolerance", "over"),
    [([0, None], 0, False), ([-100], 100, False), ([-101], 100, True), ([None, 5], 4, True)],
)
def test_a_variance_beyond_the_tolerance_needs_a_sign_off(variances, tolerance, over):
    assert rules.over_tolerance(variances, tolerance) is over


@pytest.mark.parametrize(
    ("shift", "cash", "required", "refused"),
    [
        (None, True, True, True),
        (None, False, True, False),
        (None, True, False, False),
        (7, True, True, False),
    ],
)
def test_cash_moves_only_in_an_open_shift_when_shifts_are_required(shift, cash, required, refused):
    if not refused:
        rules.require_shift_for_cash(shift, moves_cash=cash, required=required, message="m")
        return
    with pytest.raises(Refused) as error:
        rules.require_shift_for_cash(shift, moves_cash=cash, required=required, message="m")
    assert error.value.code == "no_open_shift"
