"""What a refund asks for: some items and payouts, checked before the transaction.

The rules of what a refund gives back live in `domain/refunds.py`.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from pos_app.adapters import payments
from pos_app.adapters.uow import UnitOfWork
from pos_app.domain.errors import BadInput
from pos_app.domain.refunds import chosen, not_yet_refunded
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
    def of(
        cls, item_ids: list[int] | None, payouts: list[tuple[str, str | Decimal]] | None
    ) -> Parts:
        if item_ids is not None and not item_ids:
            raise BadInput("Name at least one item to refund.", code="no_items")
        if payouts is not None and not payouts:
            raise BadInput("Name at least one payout.", code="no_payouts")
        methods = [method_of(method).value for method, _ in payouts or []]
        if len(set(methods)) != len(methods):
            raise BadInput("Name each payout method once.", code="duplicate_payout")
        return cls(
            None if item_ids is None else tuple(sorted(set(item_ids))),
            None
            if payouts is None
            else tuple((m, str(a)) for m, (_, a) in zip(methods, payouts, strict=True)),
        )

    def request(self) -> dict:
        """What the idempotency key is bound to, beyond receipt and reason."""
        out: dict = {}
        if self.item_ids is not None:
            out["items"] = list(self.item_ids)
        if self.payouts is not None:
            out["payouts"] = [list(p) for p in self.payouts]
        return out


WHOLE_PAYMENT = Parts()  # every item the payment still has, paid back the way it came


def items_to_refund(
    uow: UnitOfWork, payment_id: int, receipt_no: str, item_ids: tuple[int, ...] | None
) -> dict[int, int]:
    """{item: amount} a refund of `item_ids` (None: all that is left) would give back.

    Refuses items the payment did not pay or that were refunded, as the reversal will.
    """
    paid = payments.paid_items(uow, payment_id)
    ids = not_yet_refunded(
        receipt_no,
        chosen(receipt_no, paid, item_ids),
        payments.refunded_items(uow, payment_id),
        explicit=item_ids is not None,
    )
    return {i: paid[i] for i in ids}
