"""Payers, their schemes (one cover per service kind) and patients' memberships."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import bindparam, insert, select, update

from pos_app.adapters import tables as t
from pos_app.adapters.batches import chunks, rows_where_in
from pos_app.adapters.uow import UnitOfWork
from pos_app.domain.cover import Cover


@dataclass(frozen=True)
class PayerRow:
    id: int
    code: str
    name: str
    kind: str


@dataclass(frozen=True)
class MembershipRow:
    payer: PayerRow
    member_no: str
    valid_until: date | None


def _payer_columns() -> tuple:
    p = t.payers.c
    return p.id, p.code, p.name, p.kind


def by_code(uow: UnitOfWork, code: str) -> PayerRow | None:
    row = uow.execute(select(*_payer_columns()).where(t.payers.c.code == code)).first()
    return None if row is None else PayerRow(*row)


def add(uow: UnitOfWork, *, code: str, name: str, kind: str, at: datetime) -> PayerRow:
    payer_id = uow.execute(
        insert(t.payers)
        .values(code=code, name=name, kind=kind, created_at=at)
        .returning(t.payers.c.id)
    ).scalar_one()
    return PayerRow(payer_id, code, name, kind)


def set_cover(
    uow: UnitOfWork, payer_id: int, service_kind: str, cover: Cover, at: datetime
) -> None:
    """The payer's cover for one service kind, replacing the one it had."""
    c = t.payer_covers.c
    values = {
        "percent_bp": cover.percent_bp,
        "copay_minor": cover.copay_minor,
        "copay_per": cover.copay_per,
        "cap_minor": cover.cap_minor,
    }
    changed = uow.execute(
        update(t.payer_covers)
        .where(c.payer_id == payer_id, c.service_kind == service_kind)
        .values(**values)
    ).rowcount
    if not changed:
        uow.execute(
            insert(t.payer_covers).values(
                payer_id=payer_id, service_kind=service_kind, created_at=at, **values
            )
        )


def covers(uow: UnitOfWork, payer_id: int) -> dict[str, Cover]:
    c = t.payer_covers.c
    rows = uow.execute(
        select(c.service_kind, c.percent_bp, c.copay_minor, c.copay_per, c.cap_minor).where(
            c.payer_id == payer_id
        )
    )
    return {
        row.service_kind: Cover(row.percent_bp, row.copay_minor, row.copay_per, row.cap_minor)
        for row in rows
    }


def all_with_covers(uow: UnitOfWork) -> list[tuple[PayerRow, dict[str, Cover]]]:
    """Every payer by code, with its cover per service kind."""
    c = t.payer_covers.c
    payers = [
        PayerRow(*row) for row in uow.execute(select(*_payer_columns()).order_by(t.payers.c.code))
    ]
    covers: dict[int, dict[str, Cover]] = {payer.id: {} for payer in payers}
    for row in uow.execute(
        select(
            c.payer_id, c.service_kind, c.percent_bp, c.copay_minor, c.copay_per, c.cap_minor
        ).order_by(c.service_kind)
    ):
        covers[row.payer_id][row.service_kind] = Cover(
            row.percent_bp, row.copay_minor, row.copay_per, row.cap_minor
        )
    return [(payer, covers[payer.id]) for payer in payers]


def set_membership(
    uow: UnitOfWork,
    *,
    patient_id: int,
    payer_id: int,
    member_no: str,
    valid_until: date | None,
    at: datetime,
) -> None:
    """The patient's membership of the payer, replacing the one they had."""
    m = t.memberships.c
    changed = uow.execute(
        update(t.memberships)
        .where(m.patient_id == patient_id, m.payer_id == payer_id)
        .values(member_no=member_no, valid_until=valid_until)
    ).rowcount
    if not changed:
        uow.execute(
            insert(t.memberships).values(
                patient_id=patient_id,
                payer_id=payer_id,
                member_no=member_no,
                valid_until=valid_until,
                created_at=at,
            )
        )


def memberships(uow: UnitOfWork, patient_id: int) -> list[MembershipRow]:
    """Every membership of the patient, valid or not, by payer code."""
    m = t.memberships.c
    rows = uow.execute(
        select(*_payer_columns(), m.member_no, m.valid_until)
        .join(t.payers, t.payers.c.id == m.payer_id)
        .where(m.patient_id == patient_id)
        .order_by(t.payers.c.code)
    )
    return [
        MembershipRow(PayerRow(r.id, r.code, r.name, r.kind), r.member_no, r.valid_until)
        for r in rows
    ]


def ids_by_code(uow: UnitOfWork, codes: Iterable[str]) -> dict[str, int]:
    """Code -> id of the payers among `codes` that exist."""
    p = t.payers
    return {
        row.code: row.id for row in rows_where_in(uow, select(p.c.code, p.c.id), p.c.code, codes)
    }


def memberships_of(
    uow: UnitOfWork, patient_ids: Iterable[int]
) -> dict[tuple[int, int], tuple[str, date | None]]:
    """(patient id, payer id) -> (member number, valid until) of the patients' memberships."""
    m = t.memberships.c
    rows = rows_where_in(
        uow, select(m.patient_id, m.payer_id, m.member_no, m.valid_until), m.patient_id, patient_ids
    )
    return {(row.patient_id, row.payer_id): (row.member_no, row.valid_until) for row in rows}


def write_memberships(uow: UnitOfWork, memberships: Sequence[dict], *, at: datetime) -> None:
    """Insert or replace memberships (patient_id, payer_id, member_no, valid_until, new),
    a statement per few thousand rows."""
    m = t.memberships
    new = [
        {k: v for k, v in row.items() if k != "new"} | {"created_at": at}
        for row in memberships
        if row["new"]
    ]
    changed = [
        {
            "_patient": row["patient_id"],
            "_payer": row["payer_id"],
            "v_member_no": row["member_no"],
            "v_valid_until": row["valid_until"],
        }
        for row in memberships
        if not row["new"]
    ]
    for part in chunks(new):
        uow.execute(insert(m), list(part))
    statement = (
        update(m)
        .where(m.c.patient_id == bindparam("_patient"), m.c.payer_id == bindparam("_payer"))
        .values(member_no=bindparam("v_member_no"), valid_until=bindparam("v_valid_until"))
    )
    for part in chunks(changed):
        uow.execute(statement, list(part))


def record_shares(
    uow: UnitOfWork,
    *,
    receipt_no: str,
    payer_id: int,
    member_no: str,
    shares: tuple[tuple[int, int], ...],
) -> None:
    """A payment's payer_shares rows, (bill item id, amount) each; the payment is written."""
    payment_id = uow.execute(
        select(t.payments.c.id).where(t.payments.c.receipt_no == receipt_no)
    ).scalar_one()
    uow.execute(
        insert(t.payer_shares),
        [
            {
                "payment_id": payment_id,
                "bill_item_id": item_id,
                "payer_id": payer_id,
                "member_no": member_no,
                "amount_minor": amount,
            }
            for item_id, amount in shares
        ],
    )


@dataclass(frozen=True)
class ShareRow:
    bill_item_id: int
    payer_id: int
    payer_name: str
    member_no: str
    amount_minor: int


def shares_of_payment(uow: UnitOfWork, payment_id: int) -> list[ShareRow]:
    s = t.payer_shares.c
    rows = uow.execute(
        select(s.bill_item_id, s.payer_id, t.payers.c.name, s.member_no, s.amount_minor)
        .join(t.payers, t.payers.c.id == s.payer_id)
        .where(s.payment_id == payment_id)
        .order_by(s.bill_item_id)
    )
    return [ShareRow(*row) for row in rows]
