"""Counting the cash drawer: the notes and coins of each currency and how their counts read.

The close-shift window and `caretill shift close --denominations` both count with
these, so a count typed in either place is read the same way and adds up the same.
"""

from __future__ import annotations

from decimal import Decimal

from pos_app.domain.errors import BadInput
from pos_app.domain.money import Currency
from pos_app.domain.numbers import MAX_COUNT, whole_number

# Notes and coins in circulation, largest first. Other currencies count the total only.
DENOMINATIONS: dict[str, tuple[str, ...]] = {
    "KES": ("1000", "500", "200", "100", "50", "20", "10", "5", "1"),
    "UGX": ("50000", "20000", "10000", "5000", "2000", "1000", "500", "200", "100"),
    "TZS": ("10000", "5000", "2000", "1000", "500", "200", "100", "50"),
}


def denominations(currency: Currency) -> tuple[str, ...]:
    """The note and coin values a drawer of `currency` is counted in (may be none)."""
    return DENOMINATIONS.get(currency.code, ())


def parse_count(text: str | int, *, value: str) -> int:
    """How many notes or coins of `value`: a whole number in ASCII digits, else `invalid_count`."""
    if isinstance(text, str):
        text = text.strip()
    return whole_number(
        text, what=f"count of {value} notes", maximum=MAX_COUNT, code="invalid_count"
    )


def parse_counts(text: str) -> dict[str, int]:
    """`1000x3,500x2,50x4` as {note value: how many}; a value given twice adds up."""
    counts: dict[str, int] = {}
    for part in text.split(","):
        value, sep, quantity = part.strip().partition("x")
        if not sep or not value.strip():
            raise BadInput(
                f"Denomination {part.strip()!r} is not VALUExCOUNT, e.g. 1000x3.",
                code="invalid_count",
            )
        value = value.strip()
        counts[value] = counts.get(value, 0) + parse_count(quantity, value=value)
    return counts


def count_rows(currency: Currency, counts: dict[str, int]) -> list[tuple[int, int]]:
    """[(note value in minor units, how many)], smallest note first, each value checked once."""
    rows: dict[int, int] = {}
    for value, quantity in counts.items():
        if isinstance(quantity, bool) or not isinstance(quantity, int) or quantity < 0:
            raise BadInput(f"Count of {value} notes must be a whole number.", code="invalid_count")
        minor = currency.to_minor(currency.parse(value, what="denomination"))
        rows[minor] = rows.get(minor, 0) + quantity
    return sorted(rows.items())


def counted_minor(
    currency: Currency, counted: str | Decimal | None, denominations: dict[str, int] | None
) -> tuple[int, list[tuple[int, int]]]:
    """Counted cash in minor units, from the total, the denominations, or both agreeing."""
    rows = count_rows(currency, denominations or {})
    by_notes = sum(value * quantity for value, quantity in rows)
    if counted in (None, ""):
        if not rows:
            raise BadInput(
                "Give the counted cash or the count by denomination.", code="invalid_amount"
            )
        return by_notes, rows
    total = currency.to_minor(currency.parse(counted, what="counted cash", allow_zero=True))
    if rows and total != by_notes:
        raise BadInput(
            f"The denominations add up to {currency.display(by_notes)}, not "
            f"{currency.display(total)}.",
            code="count_mismatch",
        )
    return total, rows


def counted_total(currency: Currency, counts: dict[str, int]) -> Decimal:
    """What the notes and coins add up to."""
    return currency.from_minor(sum(value * n for value, n in count_rows(currency, counts)))


def variance_words(currency: Currency, variance: Decimal | None, *, method: str = "cash") -> str:
    """A count against the books in words: "Cash short by KES 150.00", "Excess cash KES 20.00".

    `method` is a tender method code (cash, card, mobile_money, insurance).
    """
    name = method.replace("_", " ")
    if variance is None:
        return f"{name.capitalize()} not confirmed"
    amount = currency.display(currency.to_minor(abs(variance)))
    if variance < 0:
        return f"{name.capitalize()} short by {amount}"
    if variance > 0:
        return f"Excess {name} {amount}"
    return f"{name.capitalize()} balanced"
