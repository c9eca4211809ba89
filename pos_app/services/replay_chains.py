"""The audit chains replayed: every hash, link and signature, against the enrolled keys and
the witnesses kept outside the database.

A chain is verified from its checkpoint (the last seq and hash a clean check saw) or,
with `full`, from its first event. Every hash and link is recomputed, but only the
signature on the last event of each run of one key is verified: it covers every event
before it through the hash links (Ed25519 verification costs ~125 us, a million events
two minutes). When it fails, each signature of the run is verified to name the first
forged event.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from pos_app.adapters import check_queries as q
from pos_app.adapters.ledger import ENROLLED, chained_hash
from pos_app.adapters.signing import key_id_of, verify
from pos_app.adapters.uow import UnitOfWork
from pos_app.adapters.witness import Head

RuleFinding = tuple[str, str]
CHAIN = q.CHAIN
BATCH = 20_000


@dataclass(frozen=True)
class EnrolledKey:
    workstation: str
    public_hex: str
    revoked_at: datetime | None = None


@dataclass
class ChainResult:
    """What one chain's pass found, and where it ended (the next checkpoint if clean)."""

    workstation: str
    findings: list[RuleFinding] = field(default_factory=list)
    head: Head | None = None
    checked: int = 0


@dataclass
class Run:
    """Consecutive events signed by one key: its first seq and its last event so far."""

    key_id: str
    first: int
    last: q.ChainEvent


def enrolled_keys(uow: UnitOfWork) -> tuple[dict[str, EnrolledKey], list[RuleFinding]]:
    """Every key the chains enrolled (each enrolment signed by the key it names), with its
    revocation time; an enrolment that does not prove its key is a finding."""
    keys: dict[str, EnrolledKey] = {}
    findings: list[RuleFinding] = []
    for event in q.key_events(uow):
        details = json.loads(event.details)
        key_id = str(details.get("key_id", ""))
        if event.action == ENROLLED:
            public = str(details.get("public_key", ""))
            if (
                key_id_of(public) != key_id
                or event.key_id != key_id
                or details.get("workstation") != event.workstation
                or not verify(public, event.signature, event.hash)
            ):
                findings.append(
                    (
                        "workstation_keys_valid",
                        f"audit event {event.seq} of {event.workstation} enrols a "
                        "key it does not prove",
                    )
                )
                continue
            keys.setdefault(key_id, EnrolledKey(event.workstation, public))
        elif key_id in keys and keys[key_id].revoked_at is None:
            keys[key_id] = EnrolledKey(keys[key_id].workstation, keys[key_id].public_hex, event.at)
    findings.extend(_keys_table_matches(uow, keys))
    return keys, findings


def _keys_table_matches(uow: UnitOfWork, keys: dict[str, EnrolledKey]) -> Iterator[RuleFinding]:
    rows = q.workstation_keys(uow)
    for key_id in sorted(set(rows) | set(keys)):
        row, key = rows.get(key_id), keys.get(key_id)
        if (
            row is None
            or key is None
            or row.workstation != key.workstation
            or row.public_key != key.public_hex
            or (row.revoked_at is None) != (key.revoked_at is None)
        ):
            yield (
                "workstation_keys_valid",
                f"workstation key {key_id} differs from its enrolment in the audit trail",
            )


def verify_chain(
    uow: UnitOfWork,
    workstation: str,
    *,
    keys: dict[str, EnrolledKey],
    start: Head,
    unsigned_through: int,
    through: int | None = None,
    checkpoint: bool = True,
    on_event: Callable[[q.ChainEvent], None] | None = None,
    progress: Callable[[int], None] | None = None,
) -> ChainResult:
    """Walk one chain after `start` (up to event `through`, or its end): links, hashes,
    keys and signatures; each event is also handed to `on_event` (the replay of its
    effects).

    `start` is a checkpoint a clean check stored (its hash must still be the chain's) or,
    with `checkpoint=False`, the stored event before a range of the chain whose walk
    verifies that event itself (`check_ranges`): the first event here must link to it.
    """
    result = ChainResult(workstation)
    found = result.findings
    if checkpoint and start.seq and q.event_hash_at(uow, workstation, start.seq) != start.hash:
        found.append(
            (
                "audit_chain_linked",
                f"audit event {start.seq} of {workstation} "
                "changed since the last check verified it",
            )
        )
        return result
    prev_seq, prev_hash = start.seq, start.hash
    run: Run | None = None  # the current run of events signed by one key, not yet verified
    enrolled_seen = start.seq > unsigned_through or (
        not checkpoint and q.enrolled_through(uow, workstation, start.seq)
    )
    checked = 0
    for event in q.chain_events(uow, workstation, after=start.seq, through=through, batch=BATCH):
        seq = event.seq
        if seq != prev_seq + 1 or event.prev_hash != prev_hash:
            found.append(
                (
                    "audit_chain_linked",
                    f"audit event {seq} of {workstation} does not "
                    f"follow event {prev_seq}: events were deleted, inserted or "
                    "reordered",
                )
            )
        if (
            chained_hash(
                event.prev_hash,
                workstation,
                seq,
                event.at_iso,
                event.actor_id,
                event.action,
                event.receipt_no,
                event.details,
            )
            != event.hash
        ):
            found.append(("audit_hashes_valid", f"audit event {seq} of {workstation} was altered"))
        enrolled_seen = enrolled_seen or event.action == ENROLLED
        if event.signature is not None or seq > unsigned_through or enrolled_seen:
            key_id = event.key_id or ""
            key = keys.get(key_id)
            if key is None or key.workstation != workstation:
                found.append(
                    (
                        "audit_signatures_valid",
                        f"audit event {seq} of {workstation} "
                        f"is not signed by a key enrolled for {workstation}",
                    )
                )
            elif key.revoked_at is not None and event.at > key.revoked_at:
                found.append(
                    (
                        "audit_signatures_valid",
                        f"audit event {seq} of {workstation} "
                        f"is signed by key {event.key_id}, revoked at "
                        f"{key.revoked_at.isoformat()}",
                    )
                )
            elif run is not None and run.key_id == key_id:
                run.last = event
            else:
                found.extend(_verify_run(uow, run, keys, workstation))
                run = Run(key_id, event.seq, event)
        if on_event is not None:
            on_event(event)
        prev_seq, prev_hash = seq, event.hash
        checked += 1
        if progress is not None and checked % BATCH == 0:
            progress(BATCH)
    found.extend(_verify_run(uow, run, keys, workstation))
    if progress is not None:
        progress(checked % BATCH)
    result.checked = checked
    result.head = Head(workstation, prev_seq, prev_hash)
    return result


def signed_by_workstation(uow: UnitOfWork, event: Any) -> bool:
    """Whether one event carries a valid signature of a key its workstation enrolled and had
    not lost by then (or predates signed chains)."""
    if event.signature is None and event.seq <= q.unsigned_through(uow, event.workstation):
        return True
    key = enrolled_keys(uow)[0].get(event.key_id or "")
    return (
        key is not None
        and key.workstation == event.workstation
        and (key.revoked_at is None or event.at <= key.revoked_at)
        and verify(key.public_hex, event.signature, event.hash)
    )


def _verify_run(
    uow: UnitOfWork, run: Run | None, keys: dict[str, EnrolledKey], workstation: str
) -> list[RuleFinding]:
    """The run's last signature vouches for the run through the hash links; if it fails,
    the run is read again and each signature verified to name the first forged event."""
    if run is None:
        return []
    public = keys[run.key_id].public_hex
    if verify(public, run.last.signature, run.last.hash):
        return []
    for event in q.chain_events(
        uow, workstation, after=run.first - 1, through=run.last.seq, batch=BATCH
    ):
        if event.key_id == run.key_id and not verify(public, event.signature, event.hash):
            return [
                (
                    "audit_signatures_valid",
                    f"audit event {event.seq} of {workstation} has a forged signature "
                    "(and so may every event after it)",
                )
            ]
    return []


def witnessed_heads(uow: UnitOfWork, local: dict[str, Head]) -> Iterator[RuleFinding]:
    """The heads kept outside the chains (this workstation's file, each Z close) must still
    be in them: a chain behind one was rewound or cut short."""
    witnesses: list[tuple[str, Head]] = [
        ("this workstation's last head", head) for head in local.values()
    ]
    for day, heads in q.day_close_heads(uow):
        witnesses.extend(
            (f"the Z close of {day}", Head(h["workstation"], h["seq"], h["hash"])) for h in heads
        )
    for source, head in witnesses:
        if head.seq and q.event_hash_at(uow, head.workstation, head.seq) != head.hash:
            yield (
                "audit_chain_witnessed",
                f"chain {head.workstation} does not hold event {head.seq} as {source} "
                "recorded it: the chain was rewound, cut short or rewritten",
            )
