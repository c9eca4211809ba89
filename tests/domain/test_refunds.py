"""Refund rules as pure functions: which items, and how much goes back on each method."""

from __future__ import annotations

import pytest

from pos_app.domain.errors import BadInput, Refused
from pos_app.domain.money import Currency
from pos_app.domain.refunds import ceilings, chosen, not_yet_refunded, plan_payouts

KES = Currency("KES", 2)
TENDERED = [("cash", 3000, None), ("wallet", 1000, None), ("card", 2000, "SLIP9")]


def test_ceilings_are_what_each_method_paid_less_what_earlier_refunds_gave_back():
    assert ceilings(TENDERED, {"wallet": 400}) == {
        "cash": (3000, None),
        "wallet": (600, None),
        "card": (2000, "SLIP9"),
    }


def test_money_goes_back_wallet_first_then_in_the_order_tendered():
    room = ceilings(TENDERED, {})
    assert plan_payouts(KES, room, 2500, None) == [("cash", 1500, None), ("wallet", 1000, None)]
    assert plan_payouts(KES, room, 6000, None) == [
        ("cash", 3000, None),
        ("wallet", 1000, None),
        ("card", 2000, "SLIP9"),
    ]


def test_named_payouts_must_add_up_to_the_refund():
    with pytest.raises(BadInput) as refused:
        plan_payouts(KES, ceilings(TENDERED, {}), 2000, (("cash", "10.00"),))
    assert refused.value.code == "payouts_mismatch"


@pytest.mark.parametrize("method", ["card", "insurance"])
def test_no_method_gives_back_more_than_its_ceiling(method):
    with pytest.raises(Refused) as refused:
        plan_payouts(KES, ceilings(TENDERED, {"card": 1500}), 1000, ((method, "10.00"),))
    assert refused.value.code == "refund_exceeds_tender"


def test_named_items_must_be_the_payments_and_not_refunded_yet():
    paid = {10: 500, 11: 700}
    assert chosen("WS01-000001", paid, None) == [10, 11]
    with pytest.raises(Refused) as stranger:
        chosen("WS01-000001", paid, (12,))
    assert stranger.value.code == "item_not_in_payment"
    with pytest.raises(Refused) as again:
        not_yet_refunded("WS01-000001", [10], {10}, explicit=True)
    assert again.value.code == "already_reversed"
    assert not_yet_refunded("WS01-000001", [10, 11], {10}, explicit=False) == [11]
