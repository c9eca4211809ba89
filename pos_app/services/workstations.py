"""Workstation keys: enrolled ahead of time by an administrator, listed, and revoked.

A workstation also enrols its own key on its first audited command (see
`pos_app.adapters.ledger.ensure_enrolled`); enrolling here does the same at the
administrator's hand, and a revoked workstation gets a new key this way.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select, update

from pos_app.adapters import ledger
from pos_app.adapters import tables as t
from pos_app.adapters.uow import UnitOfWork
from pos_app.domain.actors import Actor, Role
from pos_app.domain.errors import NotFound, Refused
from pos_app.services import sessions


@dataclass(frozen=True)
class EnrolledKey:
    workstation: str
    key_id: str
    enrolled_at: str
    enrolled_by: str | None
    revoked_at: str | None
    revoked_by: str | None

    def to_json(self) -> dict:
        return dict(self.__dict__)


def enroll(uow: UnitOfWork, *, actor: Actor, workstation: str) -> tuple[EnrolledKey, bool]:
    """Enrol this workstation's key (made now if it has none, or anew if it was revoked);
    returns the key and whether it was newly enrolled. The administrator's sign-in at a new
    workstation is audited, so it may have enrolled the key already."""
    trust = uow.trust
    if trust is None:
        raise Refused(
            "This workstation has no data folder to keep a key in.", code="no_workstation_key"
        )
    with uow:
        actor = sessions.authorize(uow, actor, Role.ADMIN, "enrol workstations")
        key = ledger.signing_key(uow, workstation, actor=actor)  # anew if it was revoked
        assert key is not None
        new = ledger.needs_enrolment(uow, workstation, key)
        if new:
            ledger.enrol(
                uow, ledger.take_slot(uow, workstation, with_receipt=False), actor=actor, key=key
            )
            uow.commit()
        return _one(uow, key.key_id), new


def revoke(
    uow: UnitOfWork, *, actor: Actor, workstation: str, target: str, key_id: str | None = None
) -> list[EnrolledKey]:
    """Revoke `target`'s active keys (or the one named): from now on its events signed by
    them are findings of `check`, and the workstation refuses to work until re-enrolled."""
    with uow:
        actor = sessions.authorize(uow, actor, Role.ADMIN, "revoke workstations")
        k = t.workstation_keys
        query = select(k.c.key_id).where(k.c.workstation == target, k.c.revoked_at.is_(None))
        if key_id:
            query = query.where(k.c.key_id == key_id)
        ids = list(uow.execute(query).scalars())
        if not ids:
            raise NotFound(
                f"Workstation {target} has no enrolled key to revoke.", code="unknown_workstation"
            )
        for revoked in ids:
            slot = ledger.take_slot(uow, workstation, with_receipt=False)
            ledger.append_event(
                uow,
                slot,
                actor=actor,
                action=ledger.REVOKED,
                receipt_no=None,
                details={"workstation": target, "key_id": revoked},
            )
            uow.execute(
                update(k)
                .where(k.c.key_id == revoked)
                .values(revoked_at=slot.at, revoked_by=actor.user_id)
            )
        uow.commit()
        if uow.trust is not None:
            uow.trust.keys.enrolled.clear()  # this process may hold one of them
        return [_one(uow, revoked) for revoked in ids]


def list_keys(uow: UnitOfWork, *, actor: Actor) -> list[EnrolledKey]:
    """Every enrolled key, newest first: supervisors see new workstations here."""
    with uow:
        sessions.authorize(uow, actor, Role.SUPERVISOR, "see workstations")
        ids = (
            uow.execute(
                select(t.workstation_keys.c.key_id).order_by(
                    t.workstation_keys.c.enrolled_at.desc()
                )
            )
            .scalars()
            .all()
        )
        return [_one(uow, key_id) for key_id in ids]


def _one(uow: UnitOfWork, key_id: str) -> EnrolledKey:
    k = t.workstation_keys
    enrolled, revoked = t.users.alias("enrolled"), t.users.alias("revoked")
    row = uow.execute(
        select(k, enrolled.c.username.label("by"), revoked.c.username.label("revoker"))
        .outerjoin(enrolled, enrolled.c.id == k.c.enrolled_by)
        .outerjoin(revoked, revoked.c.id == k.c.revoked_by)
        .where(k.c.key_id == key_id)
    ).one()
    return EnrolledKey(
        row.workstation,
        row.key_id,
        row.enrolled_at.isoformat(),
        row.by,
        row.revoked_at.isoformat() if row.revoked_at else None,
        row.revoker,
    )
