"""Patients: register (with a wallet), search as you type, and show what they owe."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from pos_app.adapters import patients_repo
from pos_app.adapters.uow import UnitOfWork
from pos_app.domain.actors import Actor, Role
from pos_app.domain.errors import BadInput, NotFound, Refused
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
        return {
            "mrn": self.mrn,
            "name": self.name,
            "phone": self.phone,
            "dob": self.dob.isoformat() if self.dob else None,
            "wallet_balance": str(self.wallet_balance),
        }


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
    amount_due: Decimal  # the amount less its adjustments: what paying it charges

    def to_json(self) -> dict:
        return {
            "id": self.id,
            "bill_no": self.bill_no,
            "service_code": self.service_code,
            "service_name": self.service_name,
            "kind": self.kind,
            "quantity": self.quantity,
            "unit_price": str(self.unit_price),
            "amount": str(self.amount),
            "amount_due": str(self.amount_due),
        }


@dataclass(frozen=True)
class PatientDetail:
    patient: PatientSummary
    unpaid_items: list[UnpaidItem]

    def to_json(self) -> dict:
        return {
            **self.patient.to_json(),
            "unpaid_items": [item.to_json() for item in self.unpaid_items],
        }


def search_terms(name: str) -> set[str]:
    """The words a name is found by: lower case, accents folded ("Wanjirũ" -> "wanjiru")."""
    folded = unicodedata.normalize("NFKD", name.casefold())
    plain = "".join(ch for ch in folded if not unicodedata.combining(ch))
    return {word[:64] for word in re.findall(r"\w+", plain)}


def add_patient(
    uow: UnitOfWork,
    *,
    actor: Actor,
    mrn: str,
    name: str,
    phone: str | None = None,
    dob: date | None = None,
) -> PatientSummary:
    """Register a patient and open their wallet at zero."""
    mrn, name = mrn.strip(), refuse_controls(" ".join(name.split()), what="patient's name")
    phone = refuse_controls(phone.strip(), what="phone number") or None if phone else None
    if not MRN_PATTERN.match(mrn):
        raise BadInput(f"{mrn!r} is not a medical record number.", code="invalid_mrn")
    if not name:
        raise BadInput("The patient needs a name.", code="invalid_name")
    with uow:
        actor = sessions.authorize(uow, actor, Role.CASHIER, "register patients")
        if patients_repo.id_of(uow, mrn) is not None:
            raise Refused(f"A patient with MRN {mrn} already exists.", code="patient_exists")
        insert_patients(uow, [{"mrn": mrn, "name": name, "phone": phone, "dob": dob}])
        uow.commit()
    return PatientSummary(mrn, name, phone, dob, Decimal(0))


def insert_patients(uow: UnitOfWork, patients: list[dict]) -> None:
    """Insert patients with their wallets and search terms, set-based (imports, demo)."""
    patients_repo.insert_many(
        uow, patients, now=uow.clock(), terms={p["mrn"]: search_terms(p["name"]) for p in patients}
    )


def search_patients(
    uow: UnitOfWork, *, actor: Actor, text: str, limit: int = 20
) -> list[PatientSummary]:
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


def _candidates(uow: UnitOfWork, query: str, limit: int) -> Iterator[list[int]]:
    """Id lists from most to least relevant; each query is an index range with a limit."""
    exact = patients_repo.id_of(uow, query)
    yield [] if exact is None else [exact]
    yield patients_repo.ids_by_mrn_prefix(uow, query.upper(), limit)
    digits = re.sub(r"\D", "", query)
    if len(digits) >= 3 and len(digits) >= len(query.replace(" ", "")) - 1:
        yield patients_repo.ids_by_phone_prefix(uow, query.replace(" ", ""), limit)
    words = sorted(search_terms(query), key=len, reverse=True)
    if words:  # the longest word first: its index range is the narrowest
        yield patients_repo.ids_by_name_words(uow, words, limit)


def _summaries(uow: UnitOfWork, currency: Currency, ids: list[int]) -> list[PatientSummary]:
    if not ids:
        return []
    by_id = patients_repo.with_balances(uow, ids)
    return [_summary(currency, by_id[i]) for i in ids if i in by_id]


def _summary(currency: Currency, row: patients_repo.PatientRow) -> PatientSummary:
    return PatientSummary(
        row.mrn, row.name, row.phone, row.dob, currency.from_minor(row.balance_minor)
    )


def show_patient(uow: UnitOfWork, *, actor: Actor, mrn: str) -> PatientDetail:
    """The patient's card: wallet balance and every unpaid item, oldest bill first."""
    with uow:
        actor = sessions.authorize(uow, actor, Role.CASHIER, "see patients")
        currency = uow.facility().currency
        row = patients_repo.by_mrn(uow, mrn)
        if row is None:
            raise NotFound(f"No patient has MRN {mrn}.", code="unknown_patient")
        items = patients_repo.unpaid_items(uow, row.id)
    return PatientDetail(
        _summary(currency, row),
        [
            UnpaidItem(
                i.id,
                i.bill_no,
                i.service_code,
                i.service_name,
                i.kind,
                i.quantity,
                currency.from_minor(i.unit_price_minor),
                currency.from_minor(i.amount_minor),
                currency.from_minor(i.amount_minor - i.adjusted_minor),
            )
            for i in items
        ],
    )
