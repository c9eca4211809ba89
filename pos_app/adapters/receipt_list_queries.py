"""The receipts list as stored: receipts with their cashier, patient, amount and refund state,
narrowed to a patient's or to one workstation's in a window of time."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, Select, and_, func, or_, select

from pos_app.adapters import tables as t
from pos_app.adapters.uow import UnitOfWork


@dataclass(frozen=True)
class PatientScope:
    """The receipts of the patient with this MRN."""

    mrn: str


@dataclass(frozen=True)
class WindowScope:
    """The receipts issued at `workstation` in [start, end)."""

    workstation: str
    start: datetime
    end: datetime


@dataclass(frozen=True)
class ListedReceipt:
    receipt_no: str
    kind: str
    created_at: datetime
    workstation: str
    reprints: int
    cashier: str
    patient_name: str | None
    mrn: str | None
    amount_minor: int | None
    payment_status: str | None
    refunded: bool


def workstation_ids(uow: UnitOfWork) -> list[str]:
    return list(uow.execute(select(t.workstations.c.id)).scalars())


def find(
    uow: UnitOfWork,
    scope: PatientScope | WindowScope,
    *,
    receipt_no: str | None = None,
    ending: str | None = None,
    also: Sequence[str] = (),
    limit: int,
) -> list[ListedReceipt]:
    """Newest first: the receipt `receipt_no` wherever it is, else the scope's receipts
    (those ending in `ending` when given) and the receipts numbered in `also`."""
    r = t.receipts
    where: ColumnElement[bool]
    if receipt_no is not None:
        where = r.c.receipt_no == receipt_no
    else:
        where = _scope(scope)
        if ending is not None:
            where = and_(where, r.c.receipt_no.endswith(ending, autoescape=True))
        if also:
            where = or_(where, r.c.receipt_no.in_(also))
    rows = uow.execute(_list_query(where, limit)).all()
    return [ListedReceipt(**{**row._mapping, "refunded": bool(row.refunded)}) for row in rows]


def _scope(scope: PatientScope | WindowScope) -> ColumnElement[bool]:
    r = t.receipts
    if isinstance(scope, PatientScope):
        return r.c.patient_id == (
            select(t.patients.c.id).where(t.patients.c.mrn == scope.mrn).scalar_subquery()
        )
    return and_(
        r.c.workstation == scope.workstation,
        r.c.created_at >= scope.start,
        r.c.created_at < scope.end,
    )


def _list_query(where: ColumnElement[bool], limit: int) -> Select[Any]:
    r, p = t.receipts, t.payments
    amount = func.coalesce(
        p.c.amount_minor,
        t.deposits.c.amount_minor,
        t.reversals.c.amount_minor,
        t.withdrawals.c.amount_minor,
    )
    refunds = t.reversals.alias("refunds")  # the payment's refunds, not this receipt's row
    refunded = select(refunds.c.id).where(refunds.c.payment_id == p.c.id).exists()
    return (
        select(
            r.c.receipt_no,
            r.c.kind,
            r.c.created_at,
            r.c.workstation,
            r.c.reprints,
            func.coalesce(func.nullif(t.users.c.full_name, ""), t.users.c.username).label(
                "cashier"
            ),
            t.patients.c.name.label("patient_name"),
            t.patients.c.mrn,
            amount.label("amount_minor"),
            p.c.status.label("payment_status"),
            refunded.label("refunded"),
        )
        .join(t.users, t.users.c.id == r.c.cashier_id)
        .outerjoin(t.patients, t.patients.c.id == r.c.patient_id)
        .outerjoin(p, p.c.receipt_no == r.c.receipt_no)
        .outerjoin(t.deposits, t.deposits.c.receipt_no == r.c.receipt_no)
        .outerjoin(t.reversals, t.reversals.c.receipt_no == r.c.receipt_no)
        .outerjoin(t.withdrawals, t.withdrawals.c.receipt_no == r.c.receipt_no)
        .where(where)
        .order_by(r.c.created_at.desc(), r.c.receipt_no.desc())
        .limit(limit)
    )
