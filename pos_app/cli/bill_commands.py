"""`caretill bill new|adjust|reason-codes`: bills at the till and their adjustments.

`bill new MRN --line CODE[:QTY] … [--key K]` prices each item from the active price
list; the same code twice is one item with the quantities added. `bill adjust ITEM_ID
--kind discount|waiver|price (--amount A | --percent P) --reason-code CODE [--approver
NAME]` changes what is due on an unpaid item: without an approver a request waits for
one (status pending), with one (password from CARETILL_APPROVER_PASSWORD or a prompt)
it is decided at once. `bill reason-codes [--set a,b,c]` lists or (admin) sets the
reason codes. Without `--key` a key is generated and printed, so a retry after a lost
connection can reuse it and get the same result back (`replayed`: true).
"""

from __future__ import annotations

import argparse
from dataclasses import dataclass
from typing import Any

from pos_app.cli.arg_types import number
from pos_app.cli.context import Command, Context, Output, money_key
from pos_app.cli.supervisor_commands import _approver
from pos_app.domain.adjustments import AdjustmentKind
from pos_app.domain.approvals import Status
from pos_app.domain.numbers import MAX_ID
from pos_app.services import adjustments, billing


def add_commands(commands: argparse._SubParsersAction, common: argparse.ArgumentParser) -> None:
    """Add the `bill` group."""
    group = commands.add_parser("bill", help="bills raised at the till", parents=[common])
    actions = group.add_subparsers(dest="action", required=True, parser_class=type(group))
    new = actions.add_parser(
        "new", parents=[common], help="a new open bill from the active price list (cashier)"
    )
    new.add_argument("mrn")
    new.add_argument(
        "--line",
        action="append",
        required=True,
        metavar="CODE[:QTY]",
        help="a service code and a quantity from 1 to "
        f"{billing.MAX_QUANTITY:,} (default 1); repeat for each line",
    )
    new.add_argument("--key", help="idempotency key (generated and printed when absent)")
    adjust = actions.add_parser(
        "adjust", parents=[common], help="discount, waive or correct the price of an unpaid item"
    )
    adjust.add_argument(
        "item_id", type=number("item id", minimum=1, maximum=MAX_ID, code="unknown_item")
    )
    adjust.add_argument("--kind", required=True, choices=[k.value for k in AdjustmentKind])
    how = adjust.add_mutually_exclusive_group()
    how.add_argument("--amount", help="discount: the amount off; price: the new unit price")
    how.add_argument("--percent", help="discount: percent of what is due (half-up rounding)")
    adjust.add_argument("--reason-code", required=True, help="see `bill reason-codes`")
    adjust.add_argument("--approver", help="who approves on the spot (supervisor or admin)")
    adjust.add_argument("--key", help="idempotency key (generated and printed when absent)")
    codes = actions.add_parser(
        "reason-codes", parents=[common], help="the adjustment reason codes (--set: admin)"
    )
    codes.add_argument("--set", dest="codes", metavar="A,B,C", help="replace the list")


@dataclass(frozen=True)
class NewBillArgs:
    mrn: str
    line: list[str]
    key: str | None


def bill_new(ctx: Context[NewBillArgs]) -> Output:
    result = billing.new_bill(
        ctx.app.uow(),
        actor=ctx.actor(),
        workstation=ctx.app.workstation,
        mrn=ctx.args.mrn,
        lines=[billing.parse_line(text) for text in ctx.args.line],
        key=money_key(ctx),
    )
    lines = [
        f"{'Already raised' if result.replayed else 'Raised'} bill {result.bill_no} for "
        f"{result.mrn} {result.patient_name}:"
    ]
    lines += [
        f"  [{i.id}] {i.service_code:<10} {i.service_name[:30]:<30} x{i.quantity:<5} "
        f"{i.amount:>14,}"
        for i in result.items
    ]
    lines.append(f"Total {result.currency} {result.total:,}. Key: {result.idempotency_key}")
    return result.to_json(), "\n".join(lines)


@dataclass(frozen=True)
class AdjustArgs:
    item_id: int
    kind: str
    amount: str | None
    percent: str | None
    reason_code: str
    approver: str | None
    key: str | None


def bill_adjust(ctx: Context[AdjustArgs]) -> Output:
    args = ctx.args
    result = adjustments.adjust(
        ctx.app.uow(),
        actor=ctx.actor(),
        workstation=ctx.app.workstation,
        item_id=args.item_id,
        kind=args.kind,
        amount=args.amount,
        percent=args.percent,
        reason_code=args.reason_code,
        key=money_key(ctx),
        approver=_approver(ctx),
    )
    said = "Already asked: " if result.replayed else ""
    if result.status == Status.PENDING:
        text = (
            f"{said}{result.kind} of {result.amount:,} on item {result.item_id} waits for "
            f"approval (request {result.request_id}); still due {result.amount_due:,}."
        )
    else:
        text = (
            f"{said}{result.kind} of {result.amount:,} applied to item {result.item_id} "
            f"({result.reason_code}); now due {result.currency} {result.amount_due:,}."
        )
    return result.to_json(), f"{text} Key: {result.idempotency_key}"


@dataclass(frozen=True)
class ReasonCodesArgs:
    codes: str | None


def bill_reason_codes(ctx: Context[ReasonCodesArgs]) -> Output:
    if ctx.args.codes is None:
        codes = adjustments.reason_codes(ctx.app.uow(write=False), actor=ctx.actor())
    else:
        codes = adjustments.set_reason_codes(
            ctx.app.uow(), actor=ctx.actor(), workstation=ctx.app.workstation, codes=ctx.args.codes
        )
    return {"reason_codes": list(codes)}, "Reason codes: " + ", ".join(codes)


HANDLERS: dict[tuple[str, str], Command[Any]] = {
    ("bill", "new"): Command(NewBillArgs, bill_new),
    ("bill", "adjust"): Command(AdjustArgs, bill_adjust),
    ("bill", "reason-codes"): Command(ReasonCodesArgs, bill_reason_codes),
}
