"""A payment with a payer: each item's due split by the payer's scheme (SPEC rule 13).

The patient is charged their share only (the payment's items and tenders hold it); the
payer's share of each item is a `payer_shares` row and, in total, one `payer_share`
entry on the payer's receivable account, written by the same money command.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any, TypeVar

from pos_app.adapters import payers_repo
from pos_app.adapters.items import LockedItem
from pos_app.adapters.payers_repo import MembershipRow
from pos_app.adapters.receivables import Account
from pos_app.adapters.uow import UnitOfWork
from pos_app.domain import effects as fx
from pos_app.domain.cover import Due, require_covered, split
from pos_app.domain.money import Currency

R = TypeVar("R")


@dataclass(frozen=True)
class Covered:
    membership: MembershipRow
    account: Account  # the payer's, locked
    shares: dict[int, int]  # bill item id -> the payer's share (minor units)

    @property
    def payer_minor(self) -> int:
        return sum(self.shares.values())


def split_items(
    uow: UnitOfWork, membership: MembershipRow, account: Account, items: list[LockedItem]
) -> Covered:
    """The payer's share of each item; `not_covered` if a kind is outside its scheme."""
    covers = payers_repo.covers(uow, membership.payer.id)
    require_covered((item.kind for item in items), covers, membership.payer.code)
    shares = split([Due(item.id, item.kind, item.due_minor) for item in items], covers)
    return Covered(membership, account, {share.item_id: share.payer_minor for share in shares})


def patient_dues(items: list[LockedItem], cover: Covered | None) -> dict[int, int]:
    """What the patient is charged for each item: its due less the payer's share."""
    return {item.id: item.due_minor - (cover.shares[item.id] if cover else 0) for item in items}


def patient_total(items: list[LockedItem], cover: Covered | None) -> int:
    return sum(patient_dues(items, cover).values())


def effects(cover: Covered | None, receipt_no: str) -> tuple[fx.Effect, ...]:
    """The payer's rows: its shares and the entry on its account (none if it takes nothing)."""
    if cover is None or cover.payer_minor == 0:
        return ()
    total = cover.payer_minor
    return (
        fx.PayerSharesRecorded(
            receipt_no,
            cover.membership.payer.id,
            cover.membership.member_no,
            tuple(
                (item_id, amount) for item_id, amount in sorted(cover.shares.items()) if amount > 0
            ),
        ),
        fx.ReceivableEntry(
            cover.account.id, "payer_share", total, cover.account.balance_minor + total, receipt_no
        ),
    )


def with_payer(result: R, cover: Covered | None, currency: Currency) -> R:
    """The payment's result with the payer and the split of its amount."""
    if cover is None:
        return result
    payer_share = currency.from_minor(cover.payer_minor)
    amount: Any = result.amount  # type: ignore[attr-defined]
    return replace(
        result,
        payer=cover.membership.payer.code,  # type: ignore[type-var]
        payer_name=cover.membership.payer.name,
        member_no=cover.membership.member_no,
        payer_share=payer_share,
        patient_share=amount - payer_share,
    )
