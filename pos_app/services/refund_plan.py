"""What a refund gives back: which of the payment's items, and through which tenders.

Named items must belong to the payment and not have been refunded; with none named,
a refund takes what the payment still has. The money goes back the way it came:
wallet first, then the other tenders in the order they were taken, never more on a
method than it paid less what earlier refunds of the payment gave back on it. A
supervisor may name the payouts instead, within the same ceilings.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy import func, select

from pos_app.adapters import tables as t
from pos_app.adapters.uow import UnitOfWork
from pos_app.domain.errors import BadInput, Refused
from pos_app.domain.kinds import TenderMethod
from pos_app.domain.money import Currency
from pos_app.services.tenders import method_of


@dataclass(frozen=True)
class Parts:
    """What to refund: some items (None: all the payment still has) and, optionally, how.

    `payouts` are (method, amount) pairs, amounts still as the supervisor typed them
    (parsed in the currency once the transaction has it).
    """

    item_ids: tuple[int, ...] | None = None
    payouts: tuple[tuple[str, str], ...] | None = None

    @classmethod
    def of(cls, item_ids: list[int] | None,
           payouts: list[tuple[str, str | Decimal]] | None) -> Parts:
        if item_ids is not None and not item_ids:
            raise BadInput("Name at least one item to refund.", code="no_items")
        if payouts is not None and not payouts:
            raise BadInput("Name at least one payout.", code="no_payouts")
        methods = [method_of(method).value for method, _ in payouts or []]
        if len(set(methods)) != len(methods):
            raise BadInput("Name each payout method once.", code="duplicate_payout")
        return cls(None if item_ids is None else tuple(sorted(set(item_ids))),
                   None if payouts is None else tuple(
                       (m, str(a)) for m, (_, a) in zip(methods, payouts, strict=True)))

    def request(self) -> dict:
        """What the idempotency key is bound to, beyond receipt and reason."""
        out: dict = {}
        if self.item_ids is not None:
            out["items"] = list(self.item_ids)
        if self.payouts is not None:
            out["payouts"] = [list(p) for p in self.payouts]
        return out



WHOLE_PAYMENT = Parts()  # every item the payment still has, paid back the way it came

def items_to_refund(uow: UnitOfWork, payment_id: int, receipt_no: str,
                    item_ids: tuple[int, ...] | None) -> dict[int, int]:
    """{item: amount} a refund of `item_ids` (None: all that is left) would give back.

    Refuses items the payment did not pay or that were refunded, as the reversal will.
    """
    paid = paid_items(uow, payment_id)
    ids = not_yet_refunded(receipt_no, chosen(receipt_no, paid, item_ids),
                           refunded_items(uow, payment_id), explicit=item_ids is not None)
    return {i: paid[i] for i in ids}


def paid_items(uow: UnitOfWork, payment_id: int) -> dict[int, int]:
    return dict(uow.execute(
        select(t.payment_items.c.bill_item_id, t.payment_items.c.amount_minor)
        .where(t.payment_items.c.payment_id == payment_id)).all())


def refunded_items(uow: UnitOfWork, payment_id: int) -> set[int]:
    return set(uow.execute(
        select(t.reversal_items.c.bill_item_id)
        .join(t.reversals, t.reversals.c.id == t.reversal_items.c.reversal_id)
        .where(t.reversals.c.payment_id == payment_id)).scalars())


def chosen(receipt_no: str, paid: dict[int, int], item_ids: tuple[int, ...] | None
            ) -> list[int]:
    """The items named, each of this payment, or all of the payment's."""
    if item_ids is None:
        return sorted(paid)
    strangers = [i for i in item_ids if i not in paid]
    if strangers:
        raise Refused(f"Item {strangers[0]} was not paid by {receipt_no}.",
                      code="item_not_in_payment")
    return list(item_ids)


def not_yet_refunded(receipt_no: str, ids: list[int], refunded: set[int], *,
                      explicit: bool) -> list[int]:
    """Named items must not have been refunded; a whole reversal takes what is left."""
    again = sorted(i for i in ids if i in refunded)
    if explicit and again:
        raise Refused(f"Item {again[0]} of payment {receipt_no} was already "
                      "refunded.", code="already_reversed")
    return sorted(i for i in ids if i not in refunded)


def plan_payouts(uow: UnitOfWork, currency: Currency, payment_id: int, amount: int,
             asked: tuple[tuple[str, str], ...] | None) -> list[tuple[str, int, str | None]]:
    """(method, amount, reference) paid back, in the order the payment's tenders were taken.

    Each method gives back at most what it paid less what earlier refunds of this
    payment gave back on it. Unless the supervisor names the payouts, the wallet is
    credited first, then the other tenders in order.
    """
    room: dict[str, tuple[int, str | None]] = {}
    for row in uow.execute(
            select(t.tenders.c.method, t.tenders.c.amount_minor, t.tenders.c.reference)
            .where(t.tenders.c.payment_id == payment_id).order_by(t.tenders.c.id)):
        left, reference = room.get(row.method, (0, row.reference))
        room[row.method] = (left + row.amount_minor, reference)
    for method, given in uow.execute(
            select(t.refund_payouts.c.method, func.sum(t.refund_payouts.c.amount_minor))
            .join(t.reversals, t.reversals.c.id == t.refund_payouts.c.reversal_id)
            .where(t.reversals.c.payment_id == payment_id)
            .group_by(t.refund_payouts.c.method)):
        room[method] = (room[method][0] - int(given), room[method][1])
    if asked is None:
        want = _back_the_way_it_came({m: left for m, (left, _) in room.items()}, amount)
    else:
        want = {m: currency.to_minor(currency.parse(a, what=f"{m} payout")) for m, a in asked}
    given = sum(want.values())
    if given != amount:
        raise BadInput(f"The payouts add up to {currency.display(given)} but the refund "
                       f"comes to {currency.display(amount)}.", code="payouts_mismatch")
    for method, minor in want.items():
        ceiling = room.get(method, (0, None))[0]
        if minor > ceiling:
            raise Refused(f"At most {currency.display(ceiling)} can go back by "
                          f"{method.replace('_', ' ')} on this payment.",
                          code="refund_exceeds_tender")
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
