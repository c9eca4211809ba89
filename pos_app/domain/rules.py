"""The money rules, each once, as pure functions: they read plain values and refuse or pass.

Services, the window and the command line all reach these rules through the kernel's
commands, so a rule changed here changes everywhere (SPEC rules 3, 5, 7 and 8).
"""

from __future__ import annotations

from collections.abc import Iterable

from pos_app.domain.errors import BadInput, Refused
from pos_app.domain.kinds import ItemStatus
from pos_app.domain.money import Currency
from pos_app.domain.text import refuse_controls

MAX_REASON = 500


def require_tenders_add_up(
    currency: Currency, *, given_minor: int, total_minor: int, tendered: bool = True
) -> None:
    """The tenders of a payment add up to exactly what is due on the items; only items
    with nothing due (fully waived) are settled with no tender at all."""
    if not tendered and total_minor:
        raise BadInput(
            f"The items come to {currency.display(total_minor)}: a payment needs "
            "at least one tender.",
            code="invalid_tender",
        )
    if given_minor != total_minor:
        raise BadInput(
            f"The tenders add up to {currency.display(given_minor)} but the items come to "
            f"{currency.display(total_minor)}.",
            code="tenders_mismatch",
        )


def require_wallet_cover(
    currency: Currency, *, balance_minor: int, amount_minor: int, withdrawal: bool = False
) -> None:
    """A wallet never goes below zero: refuse taking more than its balance, naming it."""
    if amount_minor <= balance_minor:
        return
    balance, amount = currency.display(balance_minor), currency.display(amount_minor)
    told = f"{amount} cannot be withdrawn" if withdrawal else f"it cannot pay {amount}"
    raise Refused(f"The wallet balance is {balance}; {told}.", code="insufficient_wallet_balance")


def require_unpaid(items: Iterable[tuple[int, str, str]]) -> None:
    """Refuse a payment if any chosen (id, name, status) item is paid or void already."""
    for item_id, name, status in items:
        if status != ItemStatus.UNPAID.value:
            raise Refused(f"Item {item_id} ({name}) is already {status}.", code="item_not_payable")


def require_stock(needed: dict[int, int], on_hand: dict[int, tuple[str, int]]) -> None:
    """Every stock row has the units the items take: {id: units} against {id: (name, units)}."""
    for stock_id, quantity in sorted(needed.items()):
        name, available = on_hand[stock_id]
        if available < quantity:
            raise Refused(
                f"Only {available} of {name} in stock; {quantity} needed.",
                code="insufficient_stock",
            )


def require_reason(reason: str | None) -> str:
    """A refund or withdrawal says why: non-empty, at most MAX_REASON characters, and no
    control character (it is printed on the receipt)."""
    text = refuse_controls((reason or "").strip(), what="reason")
    if not text:
        raise BadInput("Give a reason.", code="missing_reason")
    if len(text) > MAX_REASON:
        raise BadInput(f"A reason has at most {MAX_REASON} characters.", code="invalid_reason")
    return text


def require_two_people(*, approver_id: int, other_id: int, message: str) -> None:
    """Four eyes: whoever approves is not the person whose money or request it is."""
    if approver_id == other_id:
        raise Refused(message, code="same_person")


def variance_minor(*, expected_minor: int, counted_minor: int | None) -> int | None:
    """Counted less expected (negative: short); None when the tender was not counted."""
    return None if counted_minor is None else counted_minor - expected_minor


def over_tolerance(variances: Iterable[int | None], tolerance_minor: int) -> bool:
    """Whether any counted tender differs from the books by more than the tolerance."""
    return any(v is not None and abs(v) > tolerance_minor for v in variances)


def require_shift_for_cash(
    shift_id: int | None, *, moves_cash: bool, required: bool, message: str
) -> None:
    """Cash moves only inside an open shift when the facility requires shifts."""
    if shift_id is None and moves_cash and required:
        raise Refused(message, code="no_open_shift")
