"""Adjustments of an unpaid bill item (SPEC rule 11): what each kind takes off what is due.

An item's due is its amount less the sum of its adjustment lines; it is never negative.

- discount: an amount, or a percent of the current due, rounded half-up to the
  currency's minor units (12.5 % of 0.05 is 0.01; 33.33 % of 1.00 is 0.33);
- waiver: the whole remaining due (an exemption scheme, an indigent patient);
- price: the correct unit price; the line is the item's list amount (less earlier
  price corrections) minus quantity x the new price, so a correction may lower or
  raise what is due, and discounts already given stay given.
"""

from __future__ import annotations

import enum
import re
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from pos_app.domain.errors import BadInput, Refused
from pos_app.domain.kinds import ItemStatus
from pos_app.domain.money import Currency

DEFAULT_REASON_CODES = ("staff", "indigent", "exemption_scheme", "price_error", "goodwill")
MAX_REASON_CODES = 50
_REASON_CODE = re.compile(r"^[a-z][a-z0-9_]{0,31}$")
_PERCENT = re.compile(r"^[0-9]{1,3}(\.[0-9]{1,2})?$")


class AdjustmentKind(enum.StrEnum):
    DISCOUNT = "discount"
    WAIVER = "waiver"
    PRICE = "price"


@dataclass(frozen=True)
class ItemDue:
    """An unpaid item as an adjustment sees it, in minor units."""

    item_id: int
    status: str
    quantity: int
    amount_minor: int  # quantity x list unit price (gross)
    adjusted_minor: int  # sum of its adjustment lines so far
    price_adjusted_minor: int  # the part of that sum made by price corrections

    @property
    def due_minor(self) -> int:
        return self.amount_minor - self.adjusted_minor


def kind_of(value: str) -> AdjustmentKind:
    try:
        return AdjustmentKind(value)
    except ValueError:
        names = ", ".join(k.value for k in AdjustmentKind)
        raise BadInput(
            f"Unknown adjustment kind {value!r}: use {names}.", code="invalid_kind"
        ) from None


def parse_percent(text: str | Decimal) -> Decimal:
    """A percent from 0.01 to 100 with at most two decimals."""
    raw = str(text).strip().removesuffix("%").strip()
    try:
        percent = Decimal(raw) if _PERCENT.fullmatch(raw) else None
    except InvalidOperation:
        percent = None
    if percent is None or not Decimal(0) < percent <= 100:
        raise BadInput(
            f"A percent is a number from 0.01 to 100, not {str(text)[:20]!r}.",
            code="invalid_amount",
        )
    return percent


def percent_of(due_minor: int, percent: Decimal) -> int:
    """`percent` of `due_minor`, rounded half-up to whole minor units."""
    return int((Decimal(due_minor) * percent / 100).quantize(Decimal(1), ROUND_HALF_UP))


def adjustment_minor(
    currency: Currency,
    item: ItemDue,
    kind: AdjustmentKind,
    *,
    amount: Decimal | None,
    percent: Decimal | None,
) -> int:
    """What the new line takes off the item's due (negative: a price raised).

    Refuses an item that is not unpaid (`item_not_adjustable`), a line that would make
    the due negative or change nothing, and the wrong inputs for the kind.
    """
    require_adjustable(item)
    due = item.due_minor
    if kind is AdjustmentKind.WAIVER:
        if amount is not None or percent is not None:
            raise BadInput(
                "A waiver takes the whole amount due: give no amount or percent.",
                code="invalid_amount",
            )
        minor = due
    elif kind is AdjustmentKind.DISCOUNT:
        if (amount is None) == (percent is None):
            raise BadInput("A discount takes an amount or a percent.", code="invalid_amount")
        minor = (
            currency.to_minor(amount)
            if amount is not None
            else percent_of(due, percent or Decimal(0))
        )
    else:
        if amount is None or percent is not None:
            raise BadInput(
                "A price correction takes the new unit price as its amount.", code="invalid_amount"
            )
        listed = item.amount_minor - item.price_adjusted_minor
        minor = listed - currency.to_minor(amount) * item.quantity
    if minor == 0:
        raise Refused(
            f"Item {item.item_id}: this adjustment would change nothing "
            f"(due {currency.display(due)}).",
            code="item_not_adjustable",
        )
    if minor > due:
        raise Refused(
            f"Item {item.item_id}: {currency.display(minor)} off is more than the "
            f"{currency.display(due)} due.",
            code="item_not_adjustable",
        )
    return minor


def require_fits(currency: Currency, item: ItemDue, minor: int) -> int:
    """An approved line, checked again against the item as it is when it executes."""
    require_adjustable(item)
    if minor > item.due_minor:
        raise Refused(
            f"Item {item.item_id}: only {currency.display(item.due_minor)} is due "
            f"now, less than the {currency.display(minor)} approved; ask again.",
            code="item_not_adjustable",
        )
    return minor


def require_adjustable(item: ItemDue) -> None:
    """Only an unpaid item's due may change (a paid one is refunded first)."""
    if item.status != ItemStatus.UNPAID.value:
        raise Refused(
            f"Item {item.item_id} is {item.status}: only unpaid items can be adjusted.",
            code="item_not_adjustable",
        )


def parse_reason_codes(text: str) -> tuple[str, ...]:
    """`a,b,c` as an administrator sets them: lower-case words, each once, at least one."""
    codes = tuple(dict.fromkeys(code.strip() for code in text.split(",") if code.strip()))
    if not codes or len(codes) > MAX_REASON_CODES:
        raise BadInput(
            f"Give 1 to {MAX_REASON_CODES} reason codes, separated by commas.",
            code="invalid_reason_code",
        )
    for code in codes:
        if not _REASON_CODE.match(code):
            raise BadInput(
                f"{code[:40]!r} is not a reason code: lower-case letters, digits "
                "and _, at most 32.",
                code="invalid_reason_code",
            )
    return codes


def require_reason_code(code: str, allowed: tuple[str, ...]) -> str:
    code = code.strip()
    if code not in allowed:
        raise BadInput(
            f"Unknown reason code {code[:40]!r}: use one of {', '.join(allowed)}.",
            code="invalid_reason_code",
        )
    return code
