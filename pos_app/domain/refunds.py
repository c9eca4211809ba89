"""What a refund gives back, as pure rules: which of a payment's items, and through which
tenders, never more on a method than it paid less what earlier refunds gave back on it.

Named items must belong to the payment and not have been refunded; with none named,
a refund takes what the payment still has. The money goes back the way it came:
wallet first, then the other tenders in the order they were taken. A supervisor may
name the payouts instead, within the same ceilings.
"""

from __future__ import annotations

from pos_app.domain.errors import BadInput, Refused
from pos_app.domain.kinds import TenderMethod
from pos_app.domain.money import Currency


def chosen(receipt_no: str, paid: dict[int, int], item_ids: tuple[int, ...] | None) -> list[int]:
    """The items named, each of this payment, or all of the payment's."""
    if item_ids is None:
        return sorted(paid)
    strangers = [i for i in item_ids if i not in paid]
    if strangers:
        raise Refused(
            f"Item {strangers[0]} was not paid by {receipt_no}.", code="item_not_in_payment"
        )
    return list(item_ids)


def not_yet_refunded(
    receipt_no: str, ids: list[int], refunded: set[int], *, explicit: bool
) -> list[int]:
    """Named items must not have been refunded; a whole reversal takes what is left."""
    again = sorted(i for i in ids if i in refunded)
    if explicit and again:
        raise Refused(
            f"Item {again[0]} of payment {receipt_no} was already refunded.",
            code="already_reversed",
        )
    return sorted(i for i in ids if i not in refunded)


def ceilings(
    tendered: list[tuple[str, int, str | None]], paid_back: dict[str, int]
) -> dict[str, tuple[int, str | None]]:
    """{method: (what it can still give back, its reference)}, in the order tendered."""
    room: dict[str, tuple[int, str | None]] = {}
    for method, amount, reference in tendered:
        left, kept = room.get(method, (0, reference))
        room[method] = (left + amount, kept)
    for method, given in paid_back.items():
        room[method] = (room[method][0] - given, room[method][1])
    return room


def plan_payouts(
    currency: Currency,
    room: dict[str, tuple[int, str | None]],
    amount: int,
    asked: tuple[tuple[str, str], ...] | None,
) -> list[tuple[str, int, str | None]]:
    """(method, amount, reference) paid back: as asked, else back the way it came; the
    payouts add up to the refund and no method exceeds its ceiling."""
    if asked is None:
        want = _back_the_way_it_came({m: left for m, (left, _) in room.items()}, amount)
    else:
        want = {m: currency.to_minor(currency.parse(a, what=f"{m} payout")) for m, a in asked}
    given = sum(want.values())
    if given != amount:
        raise BadInput(
            f"The payouts add up to {currency.display(given)} but the refund "
            f"comes to {currency.display(amount)}.",
            code="payouts_mismatch",
        )
    for method, minor in want.items():
        ceiling = room.get(method, (0, None))[0]
        if minor > ceiling:
            raise Refused(
                f"At most {currency.display(ceiling)} can go back by "
                f"{method.replace('_', ' ')} on this payment.",
                code="refund_exceeds_tender",
            )
    return [(m, want[m], reference) for m, (_, reference) in room.items() if want.get(m)]


def _back_the_way_it_came(room: dict[str, int], amount: int) -> dict[str, int]:
    """Wallet first, then each other method in the order it was tendered, up to its room."""
    want: dict[str, int] = {}
    for method in sorted(room, key=lambda m: m != TenderMethod.WALLET.value):
        take = min(amount, room[method])
        if take > 0:
            want[method] = take
            amount -= take
    return want
