"""Claim batches: a payer's shares not claimed yet, and the numbered batch that claims them.

`claim_items` has the payer share as its key, so a share sits in at most one batch even if
two supervisors export at once (the payer's account row is locked first; the key is the
last guard).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import func, insert, select

from pos_app.adapters import tables as t
from pos_app.adapters.uow import UnitOfWork


@dataclass(frozen=True)
class ClaimLine:
    share_id: int
    receipt_no: str
    paid_at: datetime
    mrn: str
    patient: str
    member_no: str
    service_code: str
    service: str
    gross_minor: int
    payer_share_minor: int


def unclaimed(
    uow: UnitOfWork, payer_id: int, *, start: datetime | None, end: datetime | None
) -> list[ClaimLine]:
    """The payer's shares in no batch yet, paid in [start, end), oldest first."""
    s, p, bi, sv, pt = t.payer_shares, t.payments, t.bill_items, t.services, t.patients
    query = (
        select(
            s.c.id,
            p.c.receipt_no,
            p.c.created_at,
            pt.c.mrn,
            pt.c.name,
            s.c.member_no,
            sv.c.code,
            sv.c.name,
            bi.c.amount_minor,
            s.c.amount_minor,
        )
        .join(p, p.c.id == s.c.payment_id)
        .join(bi, bi.c.id == s.c.bill_item_id)
        .join(sv, sv.c.id == bi.c.service_id)
        .join(pt, pt.c.id == p.c.patient_id)
        .outerjoin(t.claim_items, t.claim_items.c.payer_share_id == s.c.id)
        .where(s.c.payer_id == payer_id, t.claim_items.c.batch_id.is_(None))
        .order_by(p.c.created_at, s.c.id)
    )
    if start is not None:
        query = query.where(p.c.created_at >= start)
    if end is not None:
        query = query.where(p.c.created_at < end)
    return [ClaimLine(*row) for row in uow.execute(query).all()]


def next_batch_no(uow: UnitOfWork, payer_id: int, code: str) -> str:
    """CLM-<CODE>-000001, then on: one series per payer."""
    count = uow.execute(
        select(func.count())
        .select_from(t.claim_batches)
        .where(t.claim_batches.c.payer_id == payer_id)
    ).scalar_one()
    return f"CLM-{code}-{count + 1:06d}"


def record(
    uow: UnitOfWork,
    *,
    payer_id: int,
    batch_no: str,
    period: tuple[date | None, date | None],
    lines: list[ClaimLine],
    created_by: int,
    at: datetime,
) -> int:
    batch_id = uow.execute(
        insert(t.claim_batches)
        .values(
            payer_id=payer_id,
            batch_no=batch_no,
            period_from=period[0],
            period_to=period[1],
            total_minor=sum(line.payer_share_minor for line in lines),
            created_by=created_by,
            created_at=at,
        )
        .returning(t.claim_batches.c.id)
    ).scalar_one()
    uow.execute(
        insert(t.claim_items),
        [{"batch_id": batch_id, "payer_share_id": line.share_id} for line in lines],
    )
    return batch_id
