"""Receipt numbers and the audit chain, both kept on the workstation's own row.

One row per workstation holds its receipt counter and the head of its audit hash
chain, so workstations never wait on each other, and the counter moves inside
the money transaction (gapless: a rolled-back payment rolls its number back).
Each event is signed with the workstation's own key (`signing`), and the chain is
compared with the head the workstation last wrote (`witness`) before it moves on.
"""

from __future__ import annotations

import hashlib
import json
from contextlib import suppress
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any

from sqlalchemy import bindparam, insert, select, update
from sqlalchemy.dialects import postgresql, sqlite

from pos_app.adapters import tables as t
from pos_app.adapters.signing import WorkstationKey
from pos_app.adapters.uow import UnitOfWork
from pos_app.adapters.witness import Head
from pos_app.domain.actors import Actor, Role
from pos_app.domain.errors import Refused

ENROLLED = "workstation.enrolled"
REVOKED = "workstation.revoked"


@dataclass(frozen=True)
class Slot:
    """The next receipt number and audit position of a workstation, taken under its lock."""

    workstation: str
    receipt_seq: int
    audit_seq: int
    prev_hash: str
    at: datetime

    @property
    def receipt_no(self) -> str:
        return receipt_number(self.workstation, self.receipt_seq)


def receipt_number(workstation: str, seq: int) -> str:
    """`WS01-000123`: the workstation's id and its gapless counter."""
    return f"{workstation}-{seq:06d}"


def canonical(data: Any) -> str:
    """The one JSON spelling of `data` that hashes are taken over."""
    return _CANONICAL(data)


# one encoder for every hash (`json.dumps` with options builds a new one per call)
_CANONICAL = json.JSONEncoder(sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode
_quoted = json.encoder.encode_basestring  # how `_CANONICAL` spells a string


def event_hash(
    *,
    prev_hash: str,
    workstation: str,
    seq: int,
    at: datetime,
    actor_id: int | None,
    action: str,
    receipt_no: str | None,
    details: str,
) -> str:
    """SHA-256 over an event's content and its predecessor's hash: the link of the chain."""
    return chained_hash(
        prev_hash, workstation, seq, at.isoformat(), actor_id, action, receipt_no, details
    )


def chained_hash(
    prev_hash: str,
    workstation: str,
    seq: int,
    at: str,
    actor_id: int | None,
    action: str,
    receipt_no: str | None,
    details: str,
) -> str:
    """`event_hash` with `at` already spelled by `datetime.isoformat` (`check` derives it
    from the stored time). The body is `canonical` of the list of fields, spelled out here
    because `check` hashes every event and the encoder's own walk costs twice as much."""
    body = (
        f"[{_quoted(prev_hash)},{_quoted(workstation)},{seq},{_quoted(at)},"
        f"{'null' if actor_id is None else actor_id},{_quoted(action)},"
        f"{'null' if receipt_no is None else _quoted(receipt_no)},{_quoted(details)}]"
    )
    return hashlib.sha256(body.encode("utf-8")).hexdigest()


def _bump(*, with_receipt: bool) -> Any:
    """Move a workstation's audit counter (and receipt counter) on, returning them."""
    w = t.workstations
    bump = {"audit_seq": w.c.audit_seq + 1}
    if with_receipt:
        bump["receipt_seq"] = w.c.receipt_seq + 1
    return (
        update(w)
        .where(w.c.id == bindparam("ws"))
        .values(**bump)
        .returning(w.c.receipt_seq, w.c.audit_seq, w.c.audit_head)
    )


# built once: the statements every audited command sends
_BUMP = {True: _bump(with_receipt=True), False: _bump(with_receipt=False)}
_EVENT = insert(t.audit_events).inline()
_HEAD = (
    update(t.workstations)
    .where(t.workstations.c.id == bindparam("ws"))
    .values(audit_head=bindparam("head"))
)


def take_slot(uow: UnitOfWork, workstation: str, *, with_receipt: bool) -> Slot:
    """Lock the workstation row (last in the lock order) and move its counters on."""
    statement, params = _BUMP[with_receipt], {"ws": workstation}
    found = uow.rows(statement, params)
    if not found:
        register_workstation(uow, workstation)
        found = uow.rows(statement, params)
    receipt_seq, audit_seq, audit_head = found[0]
    compare_with_witness(uow, Head(workstation, audit_seq - 1, audit_head))
    return Slot(workstation, receipt_seq, audit_seq, audit_head, uow.clock())


def compare_with_witness(uow: UnitOfWork, head: Head) -> None:
    """Refuse to go on when the chain is behind (or differs from) the head this workstation
    last wrote: the books were rolled back or cut short behind its back."""
    trust = uow.trust
    database_id = trust.database_id(uow) if trust else None
    if trust is None or database_id is None:
        return
    known = trust.heads.head(database_id, head.workstation)
    if known is None or known == head:
        return
    if known.seq < head.seq:
        at_known = uow.execute(
            select(t.audit_events.c.hash).where(
                t.audit_events.c.workstation == head.workstation, t.audit_events.c.seq == known.seq
            )
        ).scalar()
        if at_known == known.hash:
            return
    raise Refused(
        f"The audit chain of {head.workstation} in the database ends at event {head.seq}, "
        f"but this workstation wrote event {known.seq} with another content: the books were "
        "rolled back or altered. Nothing was done; call the administrator.",
        code="integrity_violation",
    )


def register_workstation(uow: UnitOfWork, workstation: str) -> None:
    """Create the workstation's counter row the first time it takes money."""
    dialect_insert = postgresql.insert if uow.dialect == "postgresql" else sqlite.insert
    uow.execute(
        dialect_insert(t.workstations)
        .values(id=workstation, created_at=uow.clock())
        .on_conflict_do_nothing(index_elements=["id"])
    )


def append_event(
    uow: UnitOfWork,
    slot: Slot,
    *,
    actor: Actor | None,
    action: str,
    receipt_no: str | None,
    details: dict[str, Any],
) -> str:
    """Append one signed audit event at `slot` and make it the chain's head; returns its hash.

    A workstation whose key the database does not know yet enrols it first, in an event
    of its own just before this one ("new workstation", naming the user).
    """
    key = signing_key(uow, slot.workstation, actor=actor)
    if key is not None:
        slot = ensure_enrolled(uow, slot, actor=actor, key=key)
    return _write_event(
        uow, slot, key, actor=actor, action=action, receipt_no=receipt_no, details=details
    )


def signing_key(uow: UnitOfWork, workstation: str, *, actor: Actor | None) -> WorkstationKey | None:
    """The workstation's key; once revoked, only an administrator's action replaces it with
    a new one (enrolled with that action), anyone else's is refused."""
    if uow.trust is None:
        return None
    key = uow.trust.keys.key(workstation)
    if _state(uow, workstation, key) != "revoked":
        return key
    if actor is None or actor.role is not Role.ADMIN:
        raise Refused(
            f"The signing key of workstation {workstation} was revoked: an "
            "administrator enrols it again (`caretill workstation enroll`).",
            code="workstation_revoked",
        )
    return uow.trust.keys.replace(workstation)


def _write_event(
    uow: UnitOfWork,
    slot: Slot,
    key: WorkstationKey | None,
    *,
    actor: Actor | None,
    action: str,
    receipt_no: str | None,
    details: dict[str, Any],
) -> str:
    details_text = canonical(details)
    actor_id = actor.user_id if actor else None
    digest = event_hash(
        prev_hash=slot.prev_hash,
        workstation=slot.workstation,
        seq=slot.audit_seq,
        at=slot.at,
        actor_id=actor_id,
        action=action,
        receipt_no=receipt_no,
        details=details_text,
    )
    uow.write(
        _EVENT,
        {
            "workstation": slot.workstation,
            "seq": slot.audit_seq,
            "at": slot.at,
            "actor_id": actor_id,
            "action": action,
            "receipt_no": receipt_no,
            "details": details_text,
            "prev_hash": slot.prev_hash,
            "hash": digest,
            "key_id": key.key_id if key else None,
            "signature": key.sign(digest) if key else None,
        },
    )
    uow.write(_HEAD, {"ws": slot.workstation, "head": digest})
    _remember_head(uow, Head(slot.workstation, slot.audit_seq, digest))
    return digest


def _remember_head(uow: UnitOfWork, head: Head) -> None:
    """Once committed, the head becomes this workstation's witness."""
    trust = uow.trust
    database_id = trust.database_id(uow) if trust else None
    if trust is None or database_id is None:
        return

    def record() -> None:
        with suppress(OSError):  # the money is committed; a full disk must not hide that
            trust.heads.record(database_id, head)

    uow.after_commit.append(record)


def ensure_enrolled(
    uow: UnitOfWork, slot: Slot, *, actor: Actor | None, key: WorkstationKey
) -> Slot:
    """`slot` when the key is enrolled for the workstation; else the key's enrolment event
    is written at `slot` and the slot after it is returned."""
    if not needs_enrolment(uow, slot.workstation, key):
        return slot
    digest = enrol(uow, slot, actor=actor, key=key)
    uow.execute(
        update(t.workstations)
        .where(t.workstations.c.id == slot.workstation)
        .values(audit_seq=t.workstations.c.audit_seq + 1)
    )
    return replace(slot, audit_seq=slot.audit_seq + 1, prev_hash=digest)


def needs_enrolment(uow: UnitOfWork, workstation: str, key: WorkstationKey) -> bool:
    """Whether the database does not know the key yet."""
    return _state(uow, workstation, key) == "new"


def _state(uow: UnitOfWork, workstation: str, key: WorkstationKey) -> str:
    """ "enrolled", "new" or "revoked" (also a key some other workstation enrolled)."""
    trust = uow.trust
    known = ((trust.database_id(uow) if trust else None) or "", workstation, key.key_id)
    if trust is not None and known in trust.keys.enrolled:
        return "enrolled"
    row = uow.execute(
        select(t.workstation_keys).where(t.workstation_keys.c.key_id == key.key_id)
    ).first()
    if row is None:
        return "new"
    if row.revoked_at is not None or row.workstation != workstation:
        return "revoked"
    if trust is not None:
        trust.keys.enrolled.add(known)
    return "enrolled"


def enrol(uow: UnitOfWork, slot: Slot, *, actor: Actor | None, key: WorkstationKey) -> str:
    """The enrolment event at `slot`, signed by the key it names ("new workstation"), and
    the key's row; returns the event's hash."""
    digest = _write_event(
        uow,
        slot,
        key,
        actor=actor,
        action=ENROLLED,
        receipt_no=None,
        details={
            "workstation": slot.workstation,
            "key_id": key.key_id,
            "public_key": key.public_hex,
            "by": actor.username if actor else None,
        },
    )
    uow.execute(
        insert(t.workstation_keys).values(
            key_id=key.key_id,
            workstation=slot.workstation,
            public_key=key.public_hex,
            enrolled_at=slot.at,
            enrolled_by=actor.user_id if actor else None,
        )
    )
    trust = uow.trust
    if trust is not None:  # known enrolled from the commit on: no lookup per command
        known = (trust.database_id(uow) or "", slot.workstation, key.key_id)
        uow.after_commit.append(lambda: trust.keys.enrolled.add(known))
    return digest


def record(
    uow: UnitOfWork,
    workstation: str,
    *,
    actor: Actor | None,
    action: str,
    details: dict[str, Any],
    receipt_no: str | None = None,
) -> str:
    """Audit a privileged action that issues no receipt (user added, reprint, settings)."""
    slot = take_slot(uow, workstation, with_receipt=False)
    return append_event(
        uow, slot, actor=actor, action=action, receipt_no=receipt_no, details=details
    )


def issue_receipt(
    uow: UnitOfWork,
    slot: Slot,
    *,
    kind: str,
    patient_id: int | None,
    actor: Actor,
    action: str,
    details: dict[str, Any],
) -> str:
    """Write the receipt row and its audit event; returns the event hash the QR carries."""
    digest = append_event(
        uow, slot, actor=actor, action=action, receipt_no=slot.receipt_no, details=details
    )
    uow.execute(
        insert(t.receipts).values(
            receipt_no=slot.receipt_no,
            workstation=slot.workstation,
            seq=slot.receipt_seq,
            kind=kind,
            patient_id=patient_id,
            cashier_id=actor.user_id,
            created_at=slot.at,
            audit_hash=digest,
        )
    )
    return digest


def witness_heads(uow: UnitOfWork) -> list[Head]:
    """Every workstation's chain head now: the Z close stores and prints them, a witness
    that later rewinding of the database cannot undo."""
    return [
        Head(row.id, row.audit_seq, row.audit_head)
        for row in uow.execute(
            select(
                t.workstations.c.id, t.workstations.c.audit_seq, t.workstations.c.audit_head
            ).order_by(t.workstations.c.id)
        )
    ]
