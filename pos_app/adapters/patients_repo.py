"""Patients, their wallets' balances and name search terms, and what they still owe."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import BigInteger, ColumnElement, and_, cast, exists, func, insert, select

from pos_app.adapters import tables as t
from pos_app.adapters.batches import chunks, rows_where_in
from pos_app.adapters.uow import UnitOfWork
from pos_app.domain.kinds import ItemStatus


@dataclass(frozen=True)
class PatientRow:
    """A patient with their wallet's balance."""

    id: int
    mrn: str
    name: str
    phone: str | None
    dob: date | None
    balance_minor: int


@dataclass(frozen=True)
class UnpaidItemRow:
    id: int
    bill_no: str
    service_code: str
    service_name: str
    kind: str
    quantity: int
    unit_price_minor: int
    amount_minor: int
    adjusted_minor: int  # what its adjustment lines take off


_WITH_BALANCE = select(
    t.patients.c.id,
    t.patients.c.mrn,
    t.patients.c.name,
    t.patients.c.phone,
    t.patients.c.dob,
    t.wallets.c.balance_minor,
).join(t.wallets, t.wallets.c.patient_id == t.patients.c.id)


def count(uow: UnitOfWork) -> int:
    return uow.execute(select(func.count()).select_from(t.patients)).scalar_one()


def id_of(uow: UnitOfWork, mrn: str) -> int | None:
    return uow.execute(select(t.patients.c.id).where(t.patients.c.mrn == mrn)).scalar()


def ids_of(uow: UnitOfWork, mrns: Iterable[str]) -> dict[str, int]:
    """MRN -> id of the patients among `mrns` that exist."""
    p = t.patients
    return {row.mrn: row.id for row in rows_where_in(uow, select(p.c.mrn, p.c.id), p.c.mrn, mrns)}


def names_of(uow: UnitOfWork, mrns: Iterable[str]) -> dict[str, str]:
    """MRN -> name of the patients among `mrns` that exist."""
    p = t.patients
    return {
        row.mrn: row.name for row in rows_where_in(uow, select(p.c.mrn, p.c.name), p.c.mrn, mrns)
    }


def insert_many(
    uow: UnitOfWork,
    patients: Sequence[dict[str, Any]],
    *,
    terms: dict[str, set[str]],
    now: datetime,
) -> None:
    """Insert patients (mrn, name, phone, dob) with a wallet at zero and their search terms."""
    for part in chunks(patients):
        rows = uow.execute(
            insert(t.patients).returning(t.patients.c.id, t.patients.c.mrn),
            [{**p, "created_at": now} for p in part],
        ).all()
        ids = {row.mrn: row.id for row in rows}
        uow.execute(insert(t.wallets), [{"patient_id": ids[p["mrn"]]} for p in part])
        uow.execute(
            insert(t.patient_search_terms),
            [{"term": term, "patient_id": ids[p["mrn"]]} for p in part for term in terms[p["mrn"]]],
        )


def _prefix(column: Any, text: str) -> ColumnElement[bool]:
    # A byte-order range, so the B-tree index serves it on both databases.
    return and_(column >= text, column < text + "\U0010ffff")


def ids_by_mrn_prefix(uow: UnitOfWork, prefix: str, limit: int) -> list[int]:
    p = t.patients
    return list(
        uow.execute(
            select(p.c.id).where(_prefix(p.c.mrn, prefix)).order_by(p.c.mrn).limit(limit)
        ).scalars()
    )


def ids_by_phone_prefix(uow: UnitOfWork, prefix: str, limit: int) -> list[int]:
    p = t.patients
    return list(
        uow.execute(
            select(p.c.id).where(_prefix(p.c.phone, prefix)).order_by(p.c.phone).limit(limit)
        ).scalars()
    )


def ids_by_name_words(uow: UnitOfWork, words: Sequence[str], limit: int) -> list[int]:
    """Patients with a name word starting with each of `words` (the most selective first).

    Walks the first word's index range and probes the others per candidate through
    the (patient_id, term) index, stopping once `limit` patients match.
    """
    s = t.patient_search_terms
    matches = select(s.c.patient_id).where(_prefix(s.c.term, words[0]))
    for word in words[1:]:
        other = s.alias()
        matches = matches.where(
            exists().where(other.c.patient_id == s.c.patient_id, _prefix(other.c.term, word))
        )
    return list(uow.execute(matches.distinct().limit(limit)).scalars())


def with_balances(uow: UnitOfWork, ids: Sequence[int]) -> dict[int, PatientRow]:
    """Id -> patient with wallet balance, for the ids that exist."""
    rows = uow.execute(_WITH_BALANCE.where(t.patients.c.id.in_(ids))).all()
    return {row.id: PatientRow(**row._mapping) for row in rows}


def by_mrn(uow: UnitOfWork, mrn: str) -> PatientRow | None:
    row = uow.execute(_WITH_BALANCE.where(t.patients.c.mrn == mrn)).first()
    return None if row is None else PatientRow(**row._mapping)


def unpaid_items(uow: UnitOfWork, patient_id: int) -> list[UnpaidItemRow]:
    """The patient's unpaid bill items, oldest bill first, with what adjustments take off."""
    a = t.adjustments
    adjusted = (
        select(cast(func.coalesce(func.sum(a.c.amount_minor), 0), BigInteger))
        .where(a.c.bill_item_id == t.bill_items.c.id)
        .scalar_subquery()
    )
    rows = uow.execute(
        select(
            t.bill_items.c.id,
            t.bills.c.bill_no,
            t.services.c.code.label("service_code"),
            t.services.c.name.label("service_name"),
            t.services.c.kind,
            t.bill_items.c.quantity,
            t.bill_items.c.unit_price_minor,
            t.bill_items.c.amount_minor,
            adjusted.label("adjusted_minor"),
        )
        .join(t.bills, t.bills.c.id == t.bill_items.c.bill_id)
        .join(t.services, t.services.c.id == t.bill_items.c.service_id)
        .where(
            t.bill_items.c.patient_id == patient_id,
            t.bill_items.c.status == ItemStatus.UNPAID.value,
        )
        .order_by(t.bills.c.id, t.bill_items.c.id)
    ).all()
    return [UnpaidItemRow(**row._mapping) for row in rows]
