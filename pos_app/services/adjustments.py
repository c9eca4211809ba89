"""Adjusting an unpaid bill item: a discount, a waiver or a price correction (SPEC rule 11).

A cashier asks; nobody applies an adjustment alone unless the approval workflow's
limits let them (`approvals`, SPEC rule 12). Without an approver the request waits
(`status` pending); with an approver signing on the spot it is decided at once. An
approved adjustment runs through the money kernel: the patient's wallet, then the
item are locked (the order a payment takes them, so a payment in flight either sees
the line or the adjustment sees the item paid), the line is an effect of its audit
event, and the item's due becomes its amount less its lines. What each kind takes
off is `domain/adjustments.py`.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from decimal import Decimal
from typing import Any

from pos_app.adapters import adjustments_repo, idempotency, ledger
from pos_app.adapters.items import LockedItem
from pos_app.adapters.ledger import Slot
from pos_app.adapters.uow import UnitOfWork
from pos_app.domain import adjustments as rules
from pos_app.domain import approvals as domain_approvals
from pos_app.domain.actors import Actor, Role
from pos_app.domain.adjustments import AdjustmentKind, ItemDue
from pos_app.domain.effects import AdjustmentRecorded
from pos_app.domain.errors import BadInput, Conflict
from pos_app.domain.money import Currency
from pos_app.domain.numbers import MAX_ID
from pos_app.services import approvals, kernel, sessions
from pos_app.services.locks import Locks
from pos_app.services.results import JsonResult

COMMAND = "bill.adjust"
_KIND = domain_approvals.Kind.ADJUSTMENT  # the approval request kind


@dataclass(frozen=True)
class AdjustmentResult(JsonResult):
    """What `bill adjust` did: the line applied, or the request that waits for approval."""

    item_id: int
    kind: str
    amount: Decimal  # taken off what is due (negative: a price raised)
    status: str  # applied | pending
    request_id: int | None
    amount_due: Decimal  # after the line when applied; as it stands while pending
    reason_code: str
    requested_by: str
    approved_by: str | None
    idempotency_key: str
    audit_hash: str
    at: str
    currency: str
    replayed: bool = False


@dataclass(frozen=True)
class Asked:
    """An adjustment as asked for, parsed: the amount or percent as the kind takes them."""

    item_id: int
    kind: AdjustmentKind
    reason_code: str
    amount: Decimal | None = None
    percent: Decimal | None = None

    def to_json(self) -> dict[str, Any]:
        return {
            "item_id": self.item_id,
            "kind": self.kind.value,
            "reason_code": self.reason_code,
            "amount": None if self.amount is None else str(self.amount),
            "percent": None if self.percent is None else str(self.percent),
        }


def ask(
    currency: Currency,
    *,
    item_id: int,
    kind: str,
    reason_code: str,
    amount: str | Decimal | None = None,
    percent: str | Decimal | None = None,
) -> Asked:
    """Parse what the cashier typed; refuses bad input before anything is locked."""
    if isinstance(item_id, bool) or not isinstance(item_id, int) or not 0 < item_id <= MAX_ID:
        raise BadInput("An item id is a positive whole number.", code="unknown_item")
    parsed = rules.kind_of(kind)
    blank = (None, "")
    money = (
        None
        if amount in blank
        else currency.parse(
            amount,
            what="new unit price" if parsed is AdjustmentKind.PRICE else "amount",
            allow_zero=parsed is AdjustmentKind.PRICE,
        )
    )
    return Asked(
        item_id,
        parsed,
        reason_code.strip(),
        money,
        None if percent in blank else rules.parse_percent(percent or ""),
    )


def adjust(
    uow: UnitOfWork,
    *,
    actor: Actor,
    workstation: str,
    item_id: int,
    kind: str,
    reason_code: str,
    key: str,
    amount: str | Decimal | None = None,
    percent: str | Decimal | None = None,
    approver: Actor | None = None,
) -> AdjustmentResult:
    """Adjust an unpaid item, exactly once per key, in one transaction.

    Applied at once when the asker's own limit covers it, or when `approver` signs on
    the spot (the approval workflow records the request and its decision around the
    line); otherwise an approval request waits (status pending) and the line is made
    when it is approved (`execute`).
    """
    idempotency.check_key(key)
    with uow:
        actor = sessions.authorize(uow, actor, Role.CASHIER, "adjust bills")
        currency = uow.facility().currency
        asked = ask(
            currency,
            item_id=item_id,
            kind=kind,
            reason_code=reason_code,
            amount=amount,
            percent=percent,
        )
        rules.require_reason_code(asked.reason_code, adjustments_repo.reason_codes(uow))
        if approver is not None:
            return _signed_off(uow, currency, asked, actor, approver, workstation, key)
        stored = idempotency.claim(uow, key, COMMAND, asked.to_json())
        if stored is not None:
            return AdjustmentResult.from_json(stored, replayed=True)
        due = adjustments_repo.item_due(uow, asked.item_id)
        minor = rules.adjustment_minor(
            currency, due, asked.kind, amount=asked.amount, percent=asked.percent
        )
        limit = approvals.limit_minor(uow, actor.role, _KIND)
        if actor.role.rank >= domain_approvals.APPROVING_ROLE.rank and (
            limit is None or abs(minor) <= limit
        ):
            result = kernel.execute(uow, Apply(asked, currency, actor, actor, workstation, key))
        else:
            waiting = approvals.add_request(
                uow,
                requester=actor,
                workstation=workstation,
                kind=_KIND,
                subject=str(asked.item_id),
                amount_minor=abs(minor),
                reason=asked.reason_code,
                payload={**asked.to_json(), "amount_minor": minor},
            )
            result = _pending(currency, asked, waiting, minor, due.due_minor, key)
        idempotency.store(uow, key, result.to_json())
        uow.commit()
    return result


def execute(
    uow: UnitOfWork, request: approvals.ApprovalRequest, approver: Actor
) -> AdjustmentResult:
    """The approval workflow's executor for adjustment requests: make the line the request
    named, checked again against the item as it is now, inside the approval's transaction
    (the approval commits), keyed by the request."""
    payload = request.payload
    currency = uow.facility().currency
    asked = ask(
        currency,
        item_id=payload["item_id"],
        kind=payload["kind"],
        reason_code=payload["reason_code"],
        amount=payload["amount"],
        percent=payload["percent"],
    )
    return kernel.execute(
        uow,
        Apply(
            asked,
            currency,
            request.requester,
            approver,
            request.workstation,
            request.execution_key,
            request_id=request.id,
            fixed_minor=int(payload["amount_minor"]),
            key=request.execution_key,
        ),
    )


def _signed_off(
    uow: UnitOfWork,
    currency: Currency,
    asked: Asked,
    actor: Actor,
    approver: Actor,
    workstation: str,
    key: str,
) -> AdjustmentResult:
    """On-the-spot sign-off: the request decided at once by the approval workflow, which
    runs `execute` and commits. A key already used returns its first line (the amount
    a percent came to then, not what it would come to now)."""
    earlier = adjustments_repo.signed_off(uow, key)
    if earlier is not None:
        if (earlier.get("item_id"), earlier.get("kind")) != (asked.item_id, asked.kind.value):
            raise Conflict(
                f"The idempotency key {key} was already used for a different "
                "request; nothing was done. Start a new request.",
                code="idempotency_conflict",
            )
        return AdjustmentResult.from_json(earlier, replayed=True, idempotency_key=key)
    due = adjustments_repo.item_due(uow, asked.item_id)
    minor = rules.adjustment_minor(
        currency, due, asked.kind, amount=asked.amount, percent=asked.percent
    )
    _, executed = approvals.decide_at_once(
        uow,
        requester=actor,
        approver=approver,
        workstation=workstation,
        kind=_KIND,
        subject=str(asked.item_id),
        amount_minor=abs(minor),
        reason=asked.reason_code,
        payload={**asked.to_json(), "amount_minor": minor},
        key=key,
    )
    assert isinstance(executed, AdjustmentResult)  # what `execute` returns
    return replace(executed, idempotency_key=key)


def _pending(
    currency: Currency,
    asked: Asked,
    waiting: approvals.ApprovalRequest,
    minor: int,
    due_minor: int,
    key: str,
) -> AdjustmentResult:
    money = currency.from_minor
    return AdjustmentResult(
        item_id=asked.item_id,
        kind=asked.kind.value,
        amount=money(minor),
        status=domain_approvals.Status.PENDING.value,
        request_id=waiting.id,
        amount_due=money(due_minor),
        reason_code=asked.reason_code,
        requested_by=waiting.requested_by,
        approved_by=None,
        idempotency_key=key,
        audit_hash="",
        at=waiting.created_at,
        currency=currency.code,
    )


def reason_codes(uow: UnitOfWork, *, actor: Actor) -> tuple[str, ...]:
    """The reason codes an adjustment may name (the Adjust dialog offers them)."""
    with uow:
        sessions.authorize(uow, actor, Role.CASHIER, "see adjustment reason codes")
        return adjustments_repo.reason_codes(uow)


def set_reason_codes(
    uow: UnitOfWork, *, actor: Actor, workstation: str, codes: str
) -> tuple[str, ...]:
    """Replace the facility's reason codes (admin); audited. Lines already made keep theirs."""
    parsed = rules.parse_reason_codes(codes)
    with uow:
        actor = sessions.authorize(uow, actor, Role.ADMIN, "set adjustment reason codes")
        before = adjustments_repo.reason_codes(uow)
        adjustments_repo.set_reason_codes(uow, parsed)
        ledger.record(
            uow,
            workstation,
            actor=actor,
            action="settings.reason_codes",
            receipt_no=None,
            details={"before": list(before), "after": list(parsed)},
        )
        uow.commit()
    return parsed


@dataclass(frozen=True)
class _Locked:
    mrn: str
    item: LockedItem
    minor: int


@dataclass(frozen=True)
class Apply:
    """The adjustment line as a money command, once it is approved (or needs no approval).

    `fixed_minor` is the amount an approved request named: the line is that amount,
    checked again against the item as it is now; otherwise it is computed from `asked`.
    """

    asked: Asked
    currency: Currency
    requester: Actor
    approver: Actor | None
    workstation: str
    idempotency_key: str  # the asking command's key, kept in the event and the result
    request_id: int | None = None
    fixed_minor: int | None = None
    key: str | None = None  # claimed by the kernel: an approved request's execution key
    name: str = COMMAND

    def request(self) -> dict[str, Any]:
        return self.asked.to_json()

    def replay(self, stored: dict[str, Any]) -> AdjustmentResult:
        return AdjustmentResult.from_json(stored, replayed=True)

    def lock(self, held: Locks) -> _Locked:
        mrn, item = lock_item(held, self.asked.item_id)
        due = _due(held.uow, item)
        if self.fixed_minor is None:
            minor = rules.adjustment_minor(
                self.currency,
                due,
                self.asked.kind,
                amount=self.asked.amount,
                percent=self.asked.percent,
            )
        else:
            minor = rules.require_fits(self.currency, due, self.fixed_minor)
        held.counter(self.workstation, with_receipt=False)
        return _Locked(mrn, item, minor)

    def decide(self, state: _Locked, slot: Slot) -> kernel.Decision[AdjustmentResult]:
        item, minor, money = state.item, state.minor, self.currency.from_minor
        line = AdjustmentRecorded(
            item.id,
            self.asked.kind.value,
            minor,
            self.asked.reason_code,
            self.requester.user_id,
            None if self.approver is None else self.approver.user_id,
            self.request_id,
            self.workstation,
        )
        result = AdjustmentResult(
            item_id=item.id,
            kind=line.kind,
            amount=money(minor),
            status="applied",
            request_id=self.request_id,
            amount_due=money(item.due_minor - minor),
            reason_code=line.reason_code,
            requested_by=self.requester.username,
            approved_by=None if self.approver is None else self.approver.username,
            idempotency_key=self.idempotency_key,
            audit_hash="",
            at=slot.at.isoformat(),
            currency=self.currency.code,
        )
        details = {
            **kernel.plain_details(result.to_json()),
            "mrn": state.mrn,
            "gross": str(money(item.amount_minor)),
            "due_before": str(money(item.due_minor)),
            "workstation": self.workstation,
        }
        return kernel.Decision(
            self.requester if self.approver is None else self.approver,
            COMMAND,
            None,
            details,
            (line,),
            lambda digest: replace(result, audit_hash=digest),
        )


def lock_item(held: Locks, item_id: int) -> tuple[str, LockedItem]:
    """The patient's wallet, then the item: the order a payment locks them in. Returns the
    patient's MRN and the item."""
    owner = adjustments_repo.owner_of(held.uow, item_id)
    wallet = held.wallet(owner.mrn)
    (item,) = held.items(wallet, [item_id])
    return owner.mrn, item


def _due(uow: UnitOfWork, item: LockedItem) -> ItemDue:
    return ItemDue(
        item.id,
        item.status,
        item.quantity,
        item.amount_minor,
        item.adjusted_minor,
        adjustments_repo.price_adjusted(uow, item.id),
    )
