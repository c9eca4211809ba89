"""Tender references (card, mobile money, insurance) used once per method, by their key."""

from __future__ import annotations

from sqlalchemy import and_, insert, or_, select
from sqlalchemy.exc import IntegrityError

from pos_app.adapters import tables as t
from pos_app.adapters.uow import UnitOfWork
from pos_app.domain.effects import ReferencesClaimed
from pos_app.domain.errors import Refused


def used_by(uow: UnitOfWork, keys: list[tuple[str, str]]) -> tuple[str, str] | None:
    """(method, receipt number) of the first of the (method, key) pairs already used."""
    if not keys:
        return None
    r = t.tender_references
    row = uow.execute(
        select(r.c.method, r.c.receipt_no).where(
            or_(*(and_(r.c.method == method, r.c.reference_key == key) for method, key in keys))
        )
    ).first()
    return None if row is None else (row.method, row.receipt_no)


def claim(uow: UnitOfWork, claimed: ReferencesClaimed) -> None:
    """Claim each reference key; a racing second use is refused by the primary key."""
    if not claimed.references:
        return
    try:
        uow.execute(
            insert(t.tender_references),
            [
                {"method": method, "reference_key": key, "receipt_no": claimed.receipt_no}
                for method, key in claimed.references
            ],
        )
    except IntegrityError as exc:
        method = claimed.references[0][0]
        label = method.replace("_", " ").capitalize()
        raise Refused(
            f"{label} reference {claimed.references[0][1]} was already used.",
            code="duplicate_reference",
        ) from exc
