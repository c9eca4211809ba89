"""The rules of the one approval workflow (SPEC rule 12), as pure functions.

Everything that needs a second person is a request of a kind, with an amount and a
reason. A user decides it when they hold the approving role, are not the one who
asked, and the amount is within their limit for that kind; a request is decided once.
"""

from __future__ import annotations

import enum
from decimal import Decimal

from pos_app.domain.actors import Role
from pos_app.domain.errors import BadInput, Refused
from pos_app.domain.money import Currency


class Kind(enum.StrEnum):
    REFUND = "refund"
    WITHDRAWAL = "withdrawal"
    ADJUSTMENT = "adjustment"
    SHIFT_VARIANCE = "shift_variance"
    CREDIT_LIMIT = "credit_limit"


class Status(enum.StrEnum):
    PENDING = "pending"
    APPROVED = "approved"
    REJECTED = "rejected"


REQUESTABLE = (
    Kind.REFUND,
    Kind.WITHDRAWAL,
    Kind.ADJUSTMENT,
    Kind.SHIFT_VARIANCE,
    Kind.CREDIT_LIMIT,
)

# What deciding a kind is called in a refusal: "cashier2 may not approve wallet withdrawals".
DECIDING = {
    Kind.REFUND: "approve refunds",
    Kind.WITHDRAWAL: "approve wallet withdrawals",
    Kind.ADJUSTMENT: "approve adjustments",
    Kind.SHIFT_VARIANCE: "sign off a shift variance",
    Kind.CREDIT_LIMIT: "approve credit limits",
}

# The lowest role that decides requests; the limits below say up to what amount.
APPROVING_ROLE = Role.SUPERVISOR

# Default limits in the currency's major units; a kind absent here has no limit for the
# role. A cashier decides nothing; an administrator decides any amount.
DEFAULT_LIMITS: dict[tuple[Role, Kind], Decimal] = {
    (Role.SUPERVISOR, Kind.ADJUSTMENT): Decimal("5000"),
    (Role.SUPERVISOR, Kind.CREDIT_LIMIT): Decimal("50000"),  # a higher limit: an admin
}
LIMIT_ROLES = (Role.CASHIER, Role.SUPERVISOR)


def kind_of(text: str) -> Kind:
    """The request kind named by `text`; `unknown_kind` for anything else or for a kind
    that cannot be requested yet."""
    try:
        kind = Kind(text)
    except ValueError:
        kind = None
    if kind not in REQUESTABLE:
        known = ", ".join(k.value for k in REQUESTABLE)
        raise BadInput(
            f"{text!r} is not a kind of approval request: use one of {known}.", code="unknown_kind"
        )
    return kind


def status_of(text: str) -> Status:
    try:
        return Status(text)
    except ValueError:
        raise BadInput(
            f"Status is one of {', '.join(s.value for s in Status)}.", code="invalid_status"
        ) from None


def limit_key(role: Role, kind: Kind) -> str:
    """The settings key holding `role`'s limit for `kind`, in minor units."""
    return f"approval_limit.{role.value}.{kind.value}"


def default_limit_minor(currency: Currency, role: Role, kind: Kind) -> int | None:
    """The limit when none is set: None means no limit."""
    if role is Role.ADMIN:
        return None
    if role is Role.CASHIER:
        return 0
    default = DEFAULT_LIMITS.get((role, kind))
    return None if default is None else currency.to_minor(default)


def require_pending(status: str, *, request_id: int, decided_by: str | None) -> None:
    """A request is decided once: a second decision is refused and changes nothing."""
    if status != Status.PENDING.value:
        raise Refused(
            f"Request {request_id} was already {status}"
            f"{f' by {decided_by}' if decided_by else ''}: nothing was done.",
            code="request_decided",
        )


def require_may_decide(
    currency: Currency,
    *,
    approver_id: int,
    approver_role: Role,
    requester_id: int,
    kind: Kind,
    amount_minor: int,
    limit_minor: int | None,
) -> None:
    """Four eyes, the approving role, and the approver's limit for the kind."""
    if approver_id == requester_id:
        raise Refused("Another person must decide a request you made.", code="same_person")
    if approver_role.rank < APPROVING_ROLE.rank:
        raise Refused(
            f"A {approver_role.value} may not decide approval requests.", code="permission_denied"
        )
    if limit_minor is not None and amount_minor > limit_minor:
        raise Refused(
            f"{currency.display(amount_minor)} is above the {approver_role.value}'s limit of "
            f"{currency.display(limit_minor)} for {kind.value.replace('_', ' ')}: an "
            "administrator must decide it.",
            code="over_limit",
        )
