"""Patients: register (with a wallet), search as you type, and show what they owe."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from sqlalchemy import and_, exists, insert, select

from pos_app.adapters import tables as t
from pos_app.adapters.types import utcnow
from pos_app.adapters.uow import UnitOfWork
from pos_app.domain.actors import Actor, Role
from pos_app.domain.errors import BadInput, NotFound, Refused
from pos_app.domain.kinds import ItemStatus
from pos_app.domain.money import Currency
from pos_app.domain.text import refuse_controls
from pos_app.services import sessions

MAX_SEARCH_LIMIT = 100
MRN_PATTERN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9/_-]{0,31}$")


@dataclass(frozen=True)
class PatientSummary:
    mrn: str
    name: str
    phone: str | None
    dob: date | None
    wallet_balance: Decimal

    def to_json(self) -> dict:
        return {"mrn": self.mrn, "name": self.name, "phone": self.phone,
                "dob": self.dob.isoformat() if self.dob else None,
                "wallet_balance": str(self.wallet_balance)}


@dataclass(frozen=True)
class UnpaidItem:
    id: int
    bill_no: str
    service_code: str
    service_name: str
    kind: str
    quantity: int
    unit_price: Decimal
    amount: Decimal

    def to_json(self) -> dict:
        return {"id": self.id, "bill_no": self.bill_no, "service_code": self.service_code,
                "service_name": self.service_name, "kind": self.kind,
                "quantity": self.quantity, "unit_price": str(self.unit_price),
                "amount": str(self.amount)}


@dataclass(frozen=True)
class PatientDetail:
    patient: PatientSummary
    unpaid_items: list[UnpaidItem]

    def to_json(self) -> dict:
        return {**self.patient.to_json(),
                "unpaid_items": [item.to_json() for item in self.unpaid_items]}


def search_terms(name: str) -> set[str]:
    """The words a name is found by: lower case, accents folded ("Wanjirũ" -> "wanjiru")."""
    folded = unicodedata.normalize("NFKD", name.casefold())
    plain = "".join(ch for ch in folded if not unicodedata.combining(ch))
    return {word[:64] for word in re.findall(r"\w+", plain)}


def add_patient(uow: UnitOfWork, *, actor: Actor, mrn: str, name: str, phone: str | None = None,
                dob: date | None = None) -> PatientSummary:
    """Register a patient and open their wallet at zero."""
    mrn, name = mrn.strip(), refuse_controls(" ".join(name.split()), what="patient's name")
    phone = refuse_controls(phone.strip(), what="phone number") or None if phone else None
    if not MRN_PATTERN.match(mrn):
        raise BadInput(f"{mrn!r} is not a medical record number.", code="invalid_mrn")
    if not name:
        raise BadInput("The patient needs a name.", code="invalid_name")
    with uow:
        actor = sessions.authorize(uow, actor, Role.CASHIER, "register patients")
        if uow.execute(select(t.patients.c.id).where(t.patients.c.mrn == mrn)).first():
            raise Refused(f"A patient with MRN {mrn} already exists.", code="patient_exists")
        insert_patients(uow, [{"mrn": mrn, "name": name, "phone": phone, "dob": dob}])
        uow.commit()
    return PatientSummary(mrn, name, phone, dob, Decimal(0))


def insert_patients(uow: UnitOfWork, patients: list[dict]) -> None:
    """Insert patients with their wallets and search terms, set-based (imports, demo)."""
    now = utcnow()
    rows = uow.execute(
        insert(t.patients).returning(t.patients.c.id, t.patients.c.mrn),
        [{**p, "created_at": now} for p in patients],
    ).all()
    ids = {row.mrn: row.id for row in rows}
    uow.execute(insert(t.wallets), [{"patient_id": ids[p["mrn"]]} for p in patients])
    uow.execute(insert(t.patient_search_terms), [
        {"term": term, "patient_id": ids[p["mrn"]]}
        for p in patients for term in search_terms(p["name"])
    ])


def search_patients(uow: UnitOfWork, *, actor: Actor, text: str,
                    limit: int = 20) -> list[PatientSummary]:
    """Patients whose MRN, phone or name words start with `text`, exact MRN first."""
    limit = max(1, min(limit, MAX_SEARCH_LIMIT))
    query = text.strip()
    if not query:
        return []
    with uow:
        actor = sessions.authorize(uow, actor, Role.CASHIER, "search patients")
        currency = uow.facility().currency
        ranked: list[int] = []
        for ids in _candidates(uow, query, limit):
            ranked.extend(i for i in ids if i not in ranked)
            if len(ranked) >= limit:
                break
        return _summaries(uow, currency, ranked[:limit])


def _prefix(column: object, text: str) -> object:
    # A byte-order range, so the B-tree index serves it on both databases.
    return and_(column >= text, column < text + "\U0010ffff")


def _candidates(uow: UnitOfWork, query: str, limit: int):
    """Id lists from most to least relevant; each query is an index range with a limit."""
    p = t.patients
    yield uow.execute(select(p.c.id).where(p.c.mrn == query)).scalars().all()
    yield uow.execute(select(p.c.id).where(_prefix(p.c.mrn, query.upper()))
                      .order_by(p.c.mrn).limit(limit)).scalars().all()
    digits = re.sub(r"\D", "", query)
    if len(digits) >= 3 and len(digits) >= len(query.replace(" ", "")) - 1:
        yield uow.execute(select(p.c.id).where(_prefix(p.c.phone, query.replace(" ", "")))
                          .order_by(p.c.phone).limit(limit)).scalars().all()
    words = sorted(search_terms(query), key=len, reverse=True)
    if words:
        # Walk the longest word's index range; probe the other words per candidate
        # through the (patient_id, term) index, stopping once `limit` patients match.
        s = t.patient_search_terms
        matches = select(s.c.patient_id).where(_prefix(s.c.term, words[0]))
        for word in words[1:]:
            other = s.alias()
            matches = matches.where(exists().where(other.c.patient_id == s.c.patient_id,
                                                   _prefix(other.c.term, word)))
        yield uow.execute(matches.distinct().limit(limit)).scalars().all()


def _summaries(uow: UnitOfWork, currency: Currency, ids: list[int]) -> list[PatientSummary]:
    if not ids:
        return []
    rows = uow.execute(
        select(t.patients, t.wallets.c.balance_minor)
        .join(t.wallets, t.wallets.c.patient_id == t.patients.c.id)
        .where(t.patients.c.id.in_(ids))
    ).all()
    by_id = {row.id: row for row in rows}
    return [_summary(currency, by_id[i]) for i in ids if i in by_id]


def _summary(currency: Currency, row: object) -> PatientSummary:
    return PatientSummary(row.mrn, row.name, row.phone, row.dob,
                          currency.from_minor(row.balance_minor))


def show_patient(uow: UnitOfWork, *, actor: Actor, mrn: str) -> PatientDetail:
    """The patient's card: wallet balance and every unpaid item, oldest bill first."""
    with uow:
        actor = sessions.authorize(uow, actor, Role.CASHIER, "see patients")
        currency = uow.facility().currency
        row = uow.execute(
            select(t.patients, t.wallets.c.balance_minor)
            .join(t.wallets, t.wallets.c.patient_id == t.patients.c.id)
            .where(t.patients.c.mrn == mrn)
        ).first()
        if row is None:
            raise NotFound(f"No patient has MRN {mrn}.", code="unknown_patient")
        items = uow.execute(
            select(t.bill_items.c.id, t.bills.c.bill_no, t.services.c.code, t.services.c.name,
                   t.services.c.kind, t.bill_items.c.quantity, t.bill_items.c.unit_price_minor,
                   t.bill_items.c.amount_minor)
            .join(t.bills, t.bills.c.id == t.bill_items.c.bill_id)
            .join(t.services, t.services.c.id == t.bill_items.c.service_id)
            .where(t.bill_items.c.patient_id == row.id,
                   t.bill_items.c.status == ItemStatus.UNPAID.value)
            .order_by(t.bills.c.id, t.bill_items.c.id)
        ).all()
    return PatientDetail(
        _summary(currency, row),
        [UnpaidItem(i.id, i.bill_no, i.code, i.name, i.kind, i.quantity,
                    currency.from_minor(i.unit_price_minor), currency.from_minor(i.amount_minor))
         for i in items],
    )

