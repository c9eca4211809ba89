"""Payers (insurers, employers, schemes), their cover per service kind, and memberships.

Administrators set up payers and schemes; a cashier records a patient's membership
(the card at the desk). Each change is audited. `valid_membership` is what a payment
with a payer asks: the patient's membership, refused `not_covered` when there is none
or it has lapsed.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from pos_app.adapters import ledger, patients_repo, payers_repo
from pos_app.adapters.payers_repo import MembershipRow, PayerRow
from pos_app.adapters.uow import UnitOfWork
from pos_app.domain.actors import Actor, Role
from pos_app.domain.adjustments import parse_percent
from pos_app.domain.cover import Cover, Due, require_covered, split
from pos_app.domain.errors import BadInput, NotFound, Refused
from pos_app.domain.kinds import ServiceKind, values
from pos_app.domain.text import refuse_controls
from pos_app.services import sessions

PAYER_KINDS = ("insurer", "employer", "scheme")
CODE_PATTERN = re.compile(r"^[A-Z0-9][A-Z0-9_-]{0,31}$")
MEMBER_NO_PATTERN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9/ ._-]{0,63}$")


@dataclass(frozen=True)
class Membership:
    payer_code: str
    payer_name: str
    member_no: str
    valid_until: date | None

    def to_json(self) -> dict:
        return {
            "payer": self.payer_code,
            "payer_name": self.payer_name,
            "member_no": self.member_no,
            "valid_until": self.valid_until.isoformat() if self.valid_until else None,
        }


@dataclass(frozen=True)
class CoverView:
    """One service kind of a payer's scheme, in money rather than minor units."""

    service_kind: str
    percent: Decimal
    copay: Decimal
    copay_per: str
    cap: Decimal | None


@dataclass(frozen=True)
class PayerView:
    code: str
    name: str
    kind: str
    covers: list[CoverView]


def list_payers(uow: UnitOfWork, *, actor: Actor) -> list[PayerView]:
    """Every payer by code with its scheme, for the admin's payers screen."""
    with uow:
        sessions.authorize(uow, actor, Role.ADMIN, "manage payers")
        money = uow.facility().currency.from_minor
        return [
            PayerView(
                payer.code,
                payer.name,
                payer.kind,
                [
                    CoverView(
                        kind,
                        Decimal(cover.percent_bp) / 100,
                        money(cover.copay_minor),
                        cover.copay_per,
                        None if cover.cap_minor is None else money(cover.cap_minor),
                    )
                    for kind, cover in covers.items()
                ],
            )
            for payer, covers in payers_repo.all_with_covers(uow)
        ]


def add_payer(
    uow: UnitOfWork, *, actor: Actor, workstation: str, code: str, name: str, kind: str
) -> PayerRow:
    """A new payer; `duplicate_payer` if the code is taken."""
    code = check_code(code)
    name = refuse_controls(" ".join(name.split()), what="payer's name")
    if not name or len(name) > 200:
        raise BadInput("A payer's name is 1 to 200 characters.", code="invalid_name")
    if kind not in PAYER_KINDS:
        raise BadInput(f"A payer is one of {', '.join(PAYER_KINDS)}.", code="invalid_kind")
    with uow:
        actor = sessions.authorize(uow, actor, Role.ADMIN, "manage payers")
        if payers_repo.by_code(uow, code) is not None:
            raise Refused(f"A payer has code {code} already.", code="duplicate_payer")
        payer = payers_repo.add(uow, code=code, name=name, kind=kind, at=uow.clock())
        ledger.record(
            uow,
            workstation,
            actor=actor,
            action="payer_added",
            details={"code": code, "name": name, "kind": kind},
        )
        uow.commit()
    return payer


def set_cover(
    uow: UnitOfWork,
    *,
    actor: Actor,
    workstation: str,
    code: str,
    service_kind: str,
    percent: str,
    copay: str | None = None,
    copay_per: str = "visit",
    cap: str | None = None,
) -> Cover:
    """The payer's scheme for one service kind (replacing what it had)."""
    if service_kind not in values(ServiceKind):
        raise BadInput(
            f"A service kind is one of {', '.join(values(ServiceKind))}.", code="invalid_kind"
        )
    if copay_per not in ("visit", "item"):
        raise BadInput("A co-pay is per visit or per item.", code="invalid_kind")
    with uow:
        actor = sessions.authorize(uow, actor, Role.ADMIN, "manage payers")
        currency = uow.facility().currency

        def minor(text: str | None, *, what: str) -> int | None:
            return (
                None
                if text in (None, "")
                else currency.to_minor(currency.parse(text, what=what, allow_zero=True))
            )

        cover = Cover(
            int(parse_percent(percent) * 100),
            minor(copay, what="co-pay") or 0,
            copay_per,
            minor(cap, what="cap"),
        )
        payer = _payer(uow, code)
        payers_repo.set_cover(uow, payer.id, service_kind, cover, uow.clock())
        ledger.record(
            uow,
            workstation,
            actor=actor,
            action="payer_cover_set",
            details={
                "code": payer.code,
                "service_kind": service_kind,
                "percent_bp": cover.percent_bp,
                "copay_minor": cover.copay_minor,
                "copay_per": cover.copay_per,
                "cap_minor": cover.cap_minor,
            },
        )
        uow.commit()
    return cover


def cover_patient(
    uow: UnitOfWork,
    *,
    actor: Actor,
    workstation: str,
    mrn: str,
    payer_code: str,
    member_no: str,
    valid_until: date | None = None,
) -> Membership:
    """Record (or renew) the patient's membership of a payer."""
    with uow:
        actor = sessions.authorize(uow, actor, Role.CASHIER, "record memberships")
        membership = _set_membership(
            uow, mrn=mrn, payer_code=payer_code, member_no=member_no, valid_until=valid_until
        )
        ledger.record(
            uow,
            workstation,
            actor=actor,
            action="membership_set",
            details={"mrn": mrn.strip(), **membership.to_json()},
        )
        uow.commit()
    return membership


def _set_membership(
    uow: UnitOfWork, *, mrn: str, payer_code: str, member_no: str, valid_until: date | None
) -> Membership:
    """One membership, written in the caller's transaction."""
    member_no = " ".join(member_no.split())
    if not MEMBER_NO_PATTERN.match(member_no):
        raise BadInput(f"{member_no[:40]!r} is not a member number.", code="invalid_member_no")
    patient_id = patients_repo.id_of(uow, mrn.strip())
    if patient_id is None:
        raise NotFound(f"No patient has MRN {mrn.strip()}.", code="unknown_patient")
    payer = _payer(uow, check_code(payer_code))
    payers_repo.set_membership(
        uow,
        patient_id=patient_id,
        payer_id=payer.id,
        member_no=member_no,
        valid_until=valid_until,
        at=uow.clock(),
    )
    return Membership(payer.code, payer.name, member_no, valid_until)


def memberships(uow: UnitOfWork, *, actor: Actor, mrn: str, today: date) -> list[Membership]:
    """The patient's memberships valid on `today` (the pay dialog's payer choice)."""
    with uow:
        sessions.authorize(uow, actor, Role.CASHIER, "see memberships")
        patient_id = patients_repo.id_of(uow, mrn)
        if patient_id is None:
            raise NotFound(f"No patient has MRN {mrn}.", code="unknown_patient")
        return [
            Membership(m.payer.code, m.payer.name, m.member_no, m.valid_until)
            for m in payers_repo.memberships(uow, patient_id)
            if _valid(m, today)
        ]


@dataclass(frozen=True)
class ItemSplit:
    item_id: int
    due: Decimal
    payer_share: Decimal
    patient_share: Decimal


@dataclass(frozen=True)
class SplitPreview:
    """What paying the items with the payer would split; the payment itself computes it
    again under its locks, so this is only what the cashier is shown before tendering."""

    payer: str
    payer_name: str
    member_no: str
    items: list[ItemSplit]
    payer_share: Decimal
    patient_share: Decimal


def preview_split(
    uow: UnitOfWork, *, actor: Actor, mrn: str, item_ids: list[int], payer: str
) -> SplitPreview:
    """Each item's payer and patient share as `pay(..., payer=...)` would split them
    (items in the payment's order, by id); read-only, refused as the payment would be."""
    code = check_code(payer)
    with uow:
        sessions.authorize(uow, actor, Role.CASHIER, "see memberships")
        currency = uow.facility().currency
        patient_id = patients_repo.id_of(uow, mrn)
        if patient_id is None:
            raise NotFound(f"No patient has MRN {mrn}.", code="unknown_patient")
        membership = valid_membership(
            uow, patient_id=patient_id, payer_code=code, today=uow.clock().date()
        )
        unpaid = {i.id: i for i in patients_repo.unpaid_items(uow, patient_id)}
        missing = sorted(set(item_ids) - set(unpaid))
        if missing:
            raise Refused(
                f"Item {missing[0]} is not an unpaid item of patient {mrn}.",
                code="item_not_payable",
            )
        items = [unpaid[i] for i in sorted(set(item_ids))]
        covers = payers_repo.covers(uow, membership.payer.id)
        require_covered((item.kind for item in items), covers, code)
        shares = split(
            [Due(i.id, i.kind, i.amount_minor - i.adjusted_minor) for i in items], covers
        )
    money = currency.from_minor
    return SplitPreview(
        code,
        membership.payer.name,
        membership.member_no,
        [
            ItemSplit(s.item_id, money(s.due_minor), money(s.payer_minor), money(s.patient_minor))
            for s in shares
        ],
        money(sum(s.payer_minor for s in shares)),
        money(sum(s.patient_minor for s in shares)),
    )


def valid_membership(
    uow: UnitOfWork, *, patient_id: int, payer_code: str, today: date
) -> MembershipRow:
    """The patient's membership of the payer, or `not_covered` (none, or it has lapsed)."""
    found = [m for m in payers_repo.memberships(uow, patient_id) if m.payer.code == payer_code]
    if not found:
        if payers_repo.by_code(uow, payer_code) is None:
            raise NotFound(f"No payer has code {payer_code}.", code="unknown_payer")
        raise Refused(f"The patient is not a member of {payer_code}.", code="not_covered")
    if not _valid(found[0], today):
        raise Refused(
            f"The patient's membership of {payer_code} ended on {found[0].valid_until}.",
            code="not_covered",
        )
    return found[0]


def _valid(membership: MembershipRow, today: date) -> bool:
    return membership.valid_until is None or membership.valid_until >= today


def check_code(code: str) -> str:
    code = code.strip().upper()
    if not CODE_PATTERN.match(code):
        raise BadInput(
            f"{code[:40]!r} is not a payer code (letters, digits, - and _).", code="invalid_code"
        )
    return code


def _payer(uow: UnitOfWork, code: str) -> PayerRow:
    payer = payers_repo.by_code(uow, code)
    if payer is None:
        raise NotFound(f"No payer has code {code}.", code="unknown_payer")
    return payer
