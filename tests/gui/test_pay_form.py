"""The Pay dialog's live figures: remaining, change, and what still stops Pay."""

from __future__ import annotations

from decimal import Decimal

import pytest

from pos_app.domain.money import Currency
from pos_app.gui.pay_form import TenderRow, evaluate, requests

KES = Currency("KES", 2)
TOTAL, BALANCE = Decimal("1000.00"), Decimal("600.00")


@pytest.mark.parametrize(
    ("rows", "remaining", "ready"),
    [
        ([], Decimal("1000.00"), False),
        ([TenderRow("wallet", "600")], Decimal("400.00"), False),
        ([TenderRow("wallet", "600"), TenderRow("cash", "400")], Decimal("0.00"), True),
        ([TenderRow("wallet", "700"), TenderRow("cash", "300")], Decimal("0.00"), False),
        ([TenderRow("card", "1,000.00", "R1")], Decimal("0.00"), True),
        ([TenderRow("cash", "1000.001")], Decimal("1000.00"), False),
        ([TenderRow("cash", "1200")], Decimal("-200.00"), False),
        ([TenderRow("cash", "abc")], Decimal("1000.00"), False),
    ],
)
def test_remaining_and_readiness(rows, remaining, ready):
    state = evaluate(KES, TOTAL, BALANCE, rows)
    assert state.remaining == remaining
    assert state.ready is ready


def test_cash_change_and_short_tender():
    state = evaluate(KES, TOTAL, BALANCE, [TenderRow("cash", "1000", tendered="1500")])
    assert state.change == Decimal("500.00") and state.ready
    short = evaluate(KES, TOTAL, BALANCE, [TenderRow("cash", "1000", tendered="900")])
    assert not short.ready and "less than" in short.problems[0]


def test_only_rows_with_an_amount_are_sent():
    sent = requests(
        KES,
        [
            TenderRow("wallet", ""),
            TenderRow("cash", "10", tendered="20"),
            TenderRow("card", "0"),
            TenderRow("insurance", "5", " INS-9 "),
        ],
    )
    assert [(r.method, r.amount, r.reference, r.cash_tendered) for r in sent] == [
        ("cash", "10", None, "20"),
        ("insurance", "5", "INS-9", None),
    ]


@pytest.mark.parametrize(
    ("rows", "reason"),
    [
        ([TenderRow("card", "1000")], "Card needs its reference."),
        ([TenderRow("mobile_money", "1000", "  ")], "Mobile money needs its reference."),
        ([TenderRow("wallet", "400")], "KES 600.00 still to pay."),
        (
            [TenderRow("wallet", "700"), TenderRow("cash", "300")],
            "The wallet can pay at most 600.00.",
        ),
    ],
)
def test_every_reason_pay_waits_is_a_problem_in_words(rows, reason):
    state = evaluate(KES, TOTAL, BALANCE, rows)
    assert not state.ready and reason in state.problems


def test_amounts_with_thousands_separators_are_read_by_the_money_parser():
    state = evaluate(
        KES, Decimal("10100.00"), BALANCE, [TenderRow("cash", "10,100.00", tendered="10,750")]
    )
    assert state.ready and state.change == Decimal("650.00")
