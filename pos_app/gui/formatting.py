"""How money, dates and ages read on screen: one place, so every view agrees."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from pos_app.domain.money import Currency


def money(currency: Currency, amount: Decimal) -> str:
    """An amount with the currency's minor units and thousands separators, no code."""
    return f"{Decimal(amount).quantize(currency.quantum):,}"


def money_with_code(currency: Currency, amount: Decimal) -> str:
    return f"{currency.code} {money(currency, amount)}"


def age(dob: date | None, today: date | None = None) -> str:
    """Whole years since birth, or a dash when the date of birth is unknown."""
    if dob is None:
        return "—"
    today = today or date.today()
    years = today.year - dob.year - ((today.month, today.day) < (dob.month, dob.day))
    return f"{years} y"


def when(iso: str) -> str:
    """A stored timestamp as the cashier reads it: local date and minutes."""
    try:
        moment = datetime.fromisoformat(iso)
    except ValueError:
        return iso
    if moment.tzinfo is not None:
        moment = moment.astimezone()
    return moment.strftime("%Y-%m-%d %H:%M")


def method_name(method: str) -> str:
    return method.replace("_", " ").capitalize()
