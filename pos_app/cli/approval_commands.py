"""`caretill approval list|approve|reject|limit`: the one approval workflow (SPEC rule 12).

Requests of every kind (refund, withdrawal, adjustment, shift variance) wait here for a
user who holds the approving role and is not the requester. `approve ID` executes the
request once (its `--key` replays the decision); `reject ID --reason TEXT` closes it
without executing; `limit --role R --kind K AMOUNT` (admin) sets up to what amount a
role decides a kind. `list --mine` shows a cashier their own requests. The refund-only
`payment requests|approve|reject` commands remain as aliases for one release.
"""

from __future__ import annotations

import argparse
from dataclasses import dataclass
from typing import Any

from pos_app.cli.arg_types import number
from pos_app.cli.context import Command, Context, Output, money_key
from pos_app.domain.actors import Role
from pos_app.domain.approvals import REQUESTABLE, Status
from pos_app.domain.numbers import MAX_ID
from pos_app.services import approvals
from pos_app.services.approvals import ApprovalRequest


def add_commands(commands: argparse._SubParsersAction, common: argparse.ArgumentParser) -> None:
    """Add the `approval` group."""
    group = commands.add_parser(
        "approval", help="approval requests of every kind", parents=[common]
    )
    actions = group.add_subparsers(dest="action", required=True, parser_class=type(group))
    listing = actions.add_parser(
        "list", parents=[common], help="requests of every kind (supervisor; --mine: your own)"
    )
    listing.add_argument("--status", choices=[s.value for s in Status])
    listing.add_argument("--mine", action="store_true", help="only the requests you made")
    for verb, text in (
        ("approve", "approve a request and execute it once"),
        ("reject", "reject a request, with a reason"),
    ):
        decide = actions.add_parser(
            verb, parents=[common], help=f"{text} (supervisor, not the requester)"
        )
        decide.add_argument(
            "request_id",
            type=number("request id", minimum=1, maximum=MAX_ID, code="unknown_request"),
        )
        if verb == "approve":
            decide.add_argument("--key", help="idempotency key (generated when absent)")
        else:
            decide.add_argument("--reason", required=True)
    limit = actions.add_parser(
        "limit", parents=[common], help="up to what amount a role decides a kind (admin)"
    )
    limit.add_argument("--role", required=True, choices=[Role.CASHIER.value, Role.SUPERVISOR.value])
    limit.add_argument("--kind", required=True, choices=[k.value for k in REQUESTABLE])
    limit.add_argument("amount")


def json_of(request: ApprovalRequest) -> dict:
    """A request as `approval list` prints it (SPEC shape, and more keys)."""
    return {
        "id": request.id,
        "kind": request.kind,
        "status": request.status,
        "amount": str(request.amount),
        "requested_by": request.requested_by,
        "reason": request.reason,
        "subject": request.subject,
        "workstation": request.workstation,
        "created_at": request.created_at,
        "decided_by": request.decided_by,
        "decided_at": request.decided_at,
        "decision_reason": request.decision_reason,
        "result": request.result,
    }


def _line(request: ApprovalRequest) -> str:
    decided = f" by {request.decided_by}" if request.decided_by else ""
    return (
        f"[{request.id}] {request.kind:<14} {request.subject:<14} {request.amount:>14,} "
        f"{request.status}{decided}; asked by {request.requested_by}: {request.reason}"
    )


@dataclass(frozen=True)
class ListArgs:
    status: str | None
    mine: bool


@dataclass(frozen=True)
class ApproveArgs:
    request_id: int
    key: str | None


@dataclass(frozen=True)
class RejectArgs:
    request_id: int
    reason: str


@dataclass(frozen=True)
class LimitArgs:
    role: str
    kind: str
    amount: str


def approval_list(ctx: Context[ListArgs]) -> Output:
    found = approvals.list_requests(
        ctx.app.uow(write=False), actor=ctx.actor(), status=ctx.args.status, mine=ctx.args.mine
    )
    return (
        {"requests": [json_of(r) for r in found]},
        "\n".join(_line(r) for r in found) or "No request.",
    )


def approval_approve(ctx: Context[ApproveArgs]) -> Output:
    decided = approvals.approve(
        ctx.app.uow(),
        actor=ctx.actor(),
        workstation=ctx.app.workstation,
        request_id=ctx.args.request_id,
        key=money_key(ctx),
    )
    receipt = (decided.result or {}).get("receipt_no")
    return (
        {**json_of(decided), "replayed": decided.replayed},
        f"{'Already approved' if decided.replayed else 'Approved'} request {decided.id} "
        f"({decided.kind} {decided.subject}, {decided.amount:,})"
        f"{f'; receipt {receipt}' if receipt else ''}. Key: {ctx.key}",
    )


def approval_reject(ctx: Context[RejectArgs]) -> Output:
    decided = approvals.reject(
        ctx.app.uow(),
        actor=ctx.actor(),
        workstation=ctx.app.workstation,
        request_id=ctx.args.request_id,
        reason=ctx.args.reason,
    )
    return json_of(decided), f"Rejected request {decided.id}: {decided.decision_reason}"


def approval_limit(ctx: Context[LimitArgs]) -> Output:
    amount = approvals.set_limit(
        ctx.app.uow(),
        actor=ctx.actor(),
        workstation=ctx.app.workstation,
        role=ctx.args.role,
        kind=ctx.args.kind,
        amount=ctx.args.amount,
    )
    return (
        {"role": ctx.args.role, "kind": ctx.args.kind, "limit": str(amount)},
        f"A {ctx.args.role} now decides {ctx.args.kind.replace('_', ' ')} requests up to "
        f"{amount:,}.",
    )


HANDLERS: dict[tuple[str, str], Command[Any]] = {
    ("approval", "list"): Command(ListArgs, approval_list),
    ("approval", "approve"): Command(ApproveArgs, approval_approve),
    ("approval", "reject"): Command(RejectArgs, approval_reject),
    ("approval", "limit"): Command(LimitArgs, approval_limit),
}
