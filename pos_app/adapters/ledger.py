"""Receipt numbers and the audit chain, both kept on the workstation's own row.

One row per workstation holds its receipt counter and the head of its audit hash
chain, so workstations never wait on each other, and the counter moves inside
the money transaction (gapless: a rolled-back payment rolls its number back).
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import insert, update
from sqlalchemy.dialects import postgresql, sqlite

from pos_app.adapters import tables as t
from pos_app.adapters.types import utcnow
from pos_app.adapters.uow import UnitOfWork
from pos_app.domain.actors import Actor


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
    return json.dumps(data, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def event_hash(
    *, prev_hash: str, workstation: str, seq: int, at: datetime, actor_id: int | None,
    action: str, receipt_no: str | None, details: str,
) -> str:
    """SHA-256 over an event's content and its predecessor's hash: the link of the chain."""
    body = canonical([prev_hash, workstation, seq, at.isoformat(), actor_id, action,
                      receipt_no, details])
    return hashlib.sha256(body.encode("utf-8")).hexdigest()


def take_slot(uow: UnitOfWork, workstation: str, *, with_receipt: bool) -> Slot:
    """Lock the workstation row (last in the lock order) and move its counters on."""
    bump = {"audit_seq": t.workstations.c.audit_seq + 1}
    if with_receipt:
        bump["receipt_seq"] = t.workstations.c.receipt_seq + 1
    statement = (
        update(t.workstations)
        .where(t.workstations.c.id == workstation)
        .values(**bump)
        .returning(t.workstations.c.receipt_seq, t.workstations.c.audit_seq,
                   t.workstations.c.audit_head)
    )
    row = uow.execute(statement).first()
    if row is None:
        register_workstation(uow, workstation)
        row = uow.execute(statement).one()
    return Slot(workstation, row.receipt_seq, row.audit_seq, row.audit_head, utcnow())


def register_workstation(uow: UnitOfWork, workstation: str) -> None:
    """Create the workstation's counter row the first time it takes money."""
    dialect_insert = postgresql.insert if uow.dialect == "postgresql" else sqlite.insert
    uow.execute(
        dialect_insert(t.workstations)
        .values(id=workstation, created_at=utcnow())
        .on_conflict_do_nothing(index_elements=["id"])
    )


def append_event(
    uow: UnitOfWork, slot: Slot, *, actor: Actor | None, action: str,
    receipt_no: str | None, details: dict[str, Any],
) -> str:
    """Append one audit event at `slot` and make it the chain's head; returns its hash."""
    details_text = canonical(details)
    actor_id = actor.user_id if actor else None
    digest = event_hash(prev_hash=slot.prev_hash, workstation=slot.workstation,
                        seq=slot.audit_seq, at=slot.at, actor_id=actor_id, action=action,
                        receipt_no=receipt_no, details=details_text)
    uow.execute(
        insert(t.audit_events).values(
            workstation=slot.workstation, seq=slot.audit_seq, at=slot.at, actor_id=actor_id,
            action=action, receipt_no=receipt_no, details=details_text,
            prev_hash=slot.prev_hash, hash=digest,
        )
    )
    uow.execute(
        update(t.workstations).where(t.workstations.c.id == slot.workstation)
        .values(audit_head=digest)
    )
    return digest


def record(uow: UnitOfWork, workstation: str, *, actor: Actor | None, action: str,
           details: dict[str, Any], receipt_no: str | None = None) -> str:
    """Audit a privileged action that issues no receipt (user added, reprint, settings)."""
    slot = take_slot(uow, workstation, with_receipt=False)
    return append_event(uow, slot, actor=actor, action=action, receipt_no=receipt_no,
                        details=details)


def issue_receipt(
    uow: UnitOfWork, slot: Slot, *, kind: str, patient_id: int | None, actor: Actor,
    action: str, details: dict[str, Any],
) -> str:
    """Write the receipt row and its audit event; returns the event hash the QR carries."""
    digest = append_event(uow, slot, actor=actor, action=action, receipt_no=slot.receipt_no,
                          details=details)
    uow.execute(
        insert(t.receipts).values(
            receipt_no=slot.receipt_no, workstation=slot.workstation, seq=slot.receipt_seq,
            kind=kind, patient_id=patient_id, cashier_id=actor.user_id, created_at=slot.at,
            audit_hash=digest,
        )
    )
    return digest

