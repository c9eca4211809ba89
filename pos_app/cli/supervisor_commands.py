"""`caretill payment|shift|report|wallet withdraw`: reversals, cash shifts, daily report, Z close.

Supervisors reverse payments, decide refund requests, approve withdrawals and run
reports; cashiers open and close their own shift and ask for refunds. A shift
variance beyond the tolerance is signed off by a supervisor named with
--approver, whose password comes from CARETILL_APPROVER_PASSWORD or a prompt.
"""

from __future__ import annotations

import argparse
import json
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any, Protocol, TypeVar

from pos_app.cli.arg_types import number
from pos_app.cli.commands import parse_item_ids
from pos_app.cli.context import Command, Context, NoArgs, Output, money_key, prompt
from pos_app.domain.actors import Actor
from pos_app.domain.approvals import Status
from pos_app.domain.cash_count import parse_counts
from pos_app.domain.errors import BadInput
from pos_app.domain.kinds import ShiftStatus
from pos_app.domain.numbers import MAX_COUNT, MAX_ID, whole_number
from pos_app.services import (
    auth,
    refund_requests,
    report_export,
    reports,
    reversal,
    shifts,
    withdrawal,
)


def _actions(
    commands: argparse._SubParsersAction, name: str, help_text: str, common: argparse.ArgumentParser
) -> argparse._SubParsersAction:
    """The sub-commands of group `name`, creating the group unless the core already has it."""
    parser = commands.choices.get(name)
    if parser is None:
        parser = commands.add_parser(name, help=help_text, parents=[common])
        return parser.add_subparsers(dest="action", required=True, parser_class=type(parser))
    return next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))


def add_commands(commands: argparse._SubParsersAction, common: argparse.ArgumentParser) -> None:
    """Add the payment, shift, report and wallet-withdraw commands."""

    def leaf(group, name, help_text):
        return group.add_parser(name, help=help_text, parents=[common])

    payment = _actions(commands, "payment", "reversals and refund requests", common)
    rev = leaf(payment, "reverse", "refund/void a payment or some of its items (supervisor)")
    rev.add_argument("receipt_no")
    rev.add_argument("--reason", required=True)
    rev.add_argument("--items", help="refund only these bill item ids, comma separated")
    rev.add_argument(
        "--payout",
        action="append",
        metavar="METHOD:AMOUNT",
        help="pay back this way (one per method; default: the way it came, wallet first)",
    )
    rev.add_argument("--key", help="idempotency key (generated when absent)")
    req = leaf(payment, "request-refund", "ask a supervisor to reverse a payment")
    req.add_argument("receipt_no")
    req.add_argument("--reason", required=True)
    req.add_argument("--items", help="only these bill item ids, comma separated")
    # Aliases of `approval list|approve|reject` for refunds, kept for one release.
    leaf(payment, "requests", "refund requests waiting (alias of `approval list`)")
    for verb in ("approve", "reject"):
        decide = leaf(payment, verb, f"{verb} a refund request (alias of `approval {verb}`)")
        decide.add_argument("request_id", type=number("request id", minimum=1, maximum=MAX_ID))
        decide.add_argument("--key", help="idempotency key (generated when absent)")
        if verb == "reject":
            decide.add_argument("--reason", default="Rejected by the supervisor.")

    shift = _actions(commands, "shift", "cash shifts", common)
    sopen = leaf(shift, "open", "open your shift at this workstation")
    sopen.add_argument("--float", dest="opening_float", required=True)
    sclose = leaf(shift, "close", "close your shift: count blind, see expected and variance")
    sclose.add_argument("--counted", help="counted cash")
    sclose.add_argument("--denominations", help="cash by note, e.g. 1000x3,500x2,50x4")
    for method in ("card", "mobile-money", "insurance"):
        sclose.add_argument(
            f"--{method}",
            metavar="AMOUNT[:COUNT]",
            help=f"confirmed {method.replace('-', ' ')} total and slip count",
        )
    sclose.add_argument("--reason-code", choices=shifts.REASON_CODES)
    sclose.add_argument("--approver", help="supervisor signing off a variance")
    leaf(shift, "status", "your open shift here, if any")
    xrep = leaf(shift, "x-report", "figures so far of open shifts, which stay open (supervisor)")
    xrep.add_argument("--cashier", help="only this cashier's open shift")
    tol = leaf(shift, "tolerance", "set the variance allowed without sign-off (supervisor)")
    tol.add_argument("amount")

    report = _actions(commands, "report", "daily report and Z close (supervisor)", common)
    daily = leaf(report, "daily", "totals of a business day")
    daily.add_argument("--date", help="YYYY-MM-DD (default: today)")
    daily.add_argument("--format", choices=["json", "csv", "pdf"], default=None)
    daily.add_argument("--out", help="file to write")
    zclose = leaf(report, "close-day", "Z report: close the day so its figures cannot change")
    zclose.add_argument("--date", help="YYYY-MM-DD (default: today)")

    wallet = _actions(commands, "wallet", "prepaid wallets", common)
    wd = leaf(
        wallet,
        "withdraw",
        "pay a wallet balance out in cash (supervisor, or a cashier with --approver)",
    )
    wd.add_argument("mrn")
    wd.add_argument("amount")
    wd.add_argument("--reason", required=True)
    wd.add_argument("--approver", help="supervisor signing off a cashier's cash-out")
    wd.add_argument("--key", help="idempotency key (generated when absent)")


def _day(text: str | None) -> date | None:
    if not text:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError as exc:
        raise BadInput(f"Date {text!r} is not YYYY-MM-DD.", code="invalid_date") from exc


def _reversal_text(result: reversal.ReversalResult) -> str:
    payouts = ", ".join(f"{p.method} {p.amount}" for p in result.payouts)
    done = (
        ("Already reversed" if result.replayed else "Reversed")
        if result.payment_reversed
        else f"{'Already refunded' if result.replayed else 'Refunded'} items "
        f"{', '.join(map(str, result.items))} of"
    )
    return (
        f"{done} {result.payment_receipt_no}"
        f" ({result.amount}: {payouts}); refund receipt {result.receipt_no}; cashier "
        f"{result.cashier}, approved by {result.approved_by}. Key: {result.idempotency_key}"
    )


def _parse_payout(text: str) -> tuple[str, str]:
    """METHOD:AMOUNT, e.g. wallet:300.00."""
    method, _, amount = text.partition(":")
    if not method.strip() or not amount.strip():
        raise BadInput(f"Payout {text!r} is not METHOD:AMOUNT.", code="invalid_payout")
    return method.strip(), amount.strip()


@dataclass(frozen=True)
class ReverseArgs:
    receipt_no: str
    reason: str
    items: str | None
    payout: list[str] | None
    key: str | None


def payment_reverse(ctx: Context[ReverseArgs]) -> Output:
    items, payouts = ctx.args.items, ctx.args.payout
    result = reversal.reverse_payment(
        ctx.app.uow(),
        actor=ctx.actor(),
        workstation=ctx.app.workstation,
        receipt_no=ctx.args.receipt_no,
        reason=ctx.args.reason,
        key=money_key(ctx),
        item_ids=None if items is None else parse_item_ids(items),
        payouts=None if payouts is None else [_parse_payout(p) for p in payouts],
    )
    return result.to_json(), _reversal_text(result)


@dataclass(frozen=True)
class RefundRequestArgs:
    receipt_no: str
    reason: str
    items: str | None


def payment_request_refund(ctx: Context[RefundRequestArgs]) -> Output:
    items = ctx.args.items
    asked = refund_requests.request_refund(
        ctx.app.uow(),
        actor=ctx.actor(),
        workstation=ctx.app.workstation,
        receipt_no=ctx.args.receipt_no,
        reason=ctx.args.reason,
        item_ids=None if items is None else parse_item_ids(items),
    )
    return asked.to_json(), (
        f"Refund of {asked.payment_receipt_no} requested "
        f"(request {asked.request_id}); a supervisor must approve it."
    )


def payment_requests(ctx: Context[NoArgs]) -> Output:
    waiting = refund_requests.pending_requests(ctx.app.uow(write=False), actor=ctx.actor())
    lines = [
        f"[{r.request_id}] {r.payment_receipt_no} {r.mrn} {r.amount} by {r.requested_by}: "
        f"{r.reason}"
        for r in waiting
    ]
    return (
        {"requests": [r.to_json() for r in waiting]},
        "\n".join(lines) or "No refund request is waiting.",
    )


@dataclass(frozen=True)
class ApproveArgs:
    request_id: int
    key: str | None


@dataclass(frozen=True)
class RejectArgs:
    request_id: int
    key: str | None
    reason: str


def payment_approve(ctx: Context[ApproveArgs]) -> Output:
    result = refund_requests.decide_request(
        ctx.app.uow(),
        actor=ctx.actor(),
        workstation=ctx.app.workstation,
        request_id=ctx.args.request_id,
        approve=True,
        key=money_key(ctx),
    )
    return _decided(ctx.args.request_id, result)


def payment_reject(ctx: Context[RejectArgs]) -> Output:
    result = refund_requests.decide_request(
        ctx.app.uow(),
        actor=ctx.actor(),
        workstation=ctx.app.workstation,
        request_id=ctx.args.request_id,
        approve=False,
        key=money_key(ctx),
        reason=ctx.args.reason,
    )
    return _decided(ctx.args.request_id, result)


def _decided(request_id: int, result: reversal.ReversalResult | None) -> Output:
    if result is None:
        return (
            {"request_id": request_id, "status": Status.REJECTED.value},
            f"Refund request {request_id} rejected.",
        )
    return {**result.to_json(), "request_id": request_id}, _reversal_text(result)


def _confirmation(text: str | None) -> shifts.Confirmation | None:
    if text is None:
        return None
    amount, _, count = text.partition(":")
    return shifts.Confirmation(
        amount.strip(),
        whole_number(count.strip(), what="slip count", maximum=MAX_COUNT, code="invalid_count")
        if count.strip()
        else None,
    )


def _denominations(text: str | None) -> dict[str, int] | None:
    return parse_counts(text) if text else None


class Approving(Protocol):
    """Arguments of a command that takes `--approver` (a supervisor signing off)."""

    @property
    def approver(self) -> str | None: ...


P = TypeVar("P", bound=Approving)


def _approver(ctx: Context[P]) -> Actor | None:
    name = ctx.args.approver
    if not name:
        return None
    password = ctx.env.get("CARETILL_APPROVER_PASSWORD")
    if password is None:
        password = prompt(f"Password for {name} (sign-off): ")
    return auth.check_credentials(ctx.app.uow(), name, password, workstation=ctx.app.workstation)


def _shift_text(summary: shifts.ShiftSummary) -> str:
    if summary.status == ShiftStatus.OPEN:
        return (
            f"Shift {summary.shift_id} open at {summary.workstation} since "
            f"{summary.opened_at[:19]}, float {summary.opening_float}."
        )
    lines = [
        f"Shift {summary.shift_id} closed. {'tender':<13}{'expected':>12}{'counted':>12}"
        f"{'variance':>12}"
    ]
    lines += [
        f"  {line.method:<24}{line.expected!s:>12}{line.counted or '-'!s:>12}"
        f"{line.variance or '-'!s:>12}"
        for line in summary.tenders
    ]
    return "\n".join(lines)


def _x_text(summary: shifts.ShiftSummary) -> str:
    lines = [
        f"X report: shift {summary.shift_id} of {summary.cashier} at "
        f"{summary.workstation}, open since {summary.opened_at[:16]}, float "
        f"{summary.opening_float:,}. Figures so far:"
    ]
    lines += [
        f"  {line.method:<14}{line.expected:>14,} expected  ({line.expected_count} documents)"
        for line in summary.tenders
    ]
    return "\n".join(lines)


@dataclass(frozen=True)
class XReportArgs:
    cashier: str | None


def shift_x_report(ctx: Context[XReportArgs]) -> Output:
    found = shifts.x_report(ctx.app.uow(write=False), actor=ctx.actor(), cashier=ctx.args.cashier)
    return (
        {"shifts": [summary.to_json() for summary in found]},
        "\n".join(_x_text(summary) for summary in found) or "No shift is open.",
    )


@dataclass(frozen=True)
class OpenArgs:
    opening_float: str


def shift_open(ctx: Context[OpenArgs]) -> Output:
    summary = shifts.open_shift(
        ctx.app.uow(),
        actor=ctx.actor(),
        workstation=ctx.app.workstation,
        opening_float=ctx.args.opening_float,
    )
    return summary.to_json(), _shift_text(summary)


@dataclass(frozen=True)
class CloseArgs:
    counted: str | None
    denominations: str | None
    card: str | None
    mobile_money: str | None
    insurance: str | None
    reason_code: str | None
    approver: str | None


def shift_close(ctx: Context[CloseArgs]) -> Output:
    args = ctx.args
    confirmations = {
        method: conf
        for method, conf in [
            ("card", _confirmation(args.card)),
            ("mobile_money", _confirmation(args.mobile_money)),
            ("insurance", _confirmation(args.insurance)),
        ]
        if conf is not None
    }
    summary = shifts.close_shift(
        ctx.app.uow(),
        actor=ctx.actor(),
        workstation=ctx.app.workstation,
        counted_cash=args.counted,
        denominations=_denominations(args.denominations),
        confirmations=confirmations,
        reason_code=args.reason_code,
        approver=_approver(ctx),
    )
    return summary.to_json(), _shift_text(summary)


def shift_status(ctx: Context[NoArgs]) -> Output:
    summary = shifts.current_shift(
        ctx.app.uow(write=False), actor=ctx.actor(), workstation=ctx.app.workstation
    )
    if summary is None:
        return {"shift": None}, f"No open shift at {ctx.app.workstation}."
    return {"shift": summary.to_json()}, _shift_text(summary)


@dataclass(frozen=True)
class AmountArgs:
    amount: str


def shift_tolerance(ctx: Context[AmountArgs]) -> Output:
    amount = shifts.set_tolerance(
        ctx.app.uow(), actor=ctx.actor(), workstation=ctx.app.workstation, amount=ctx.args.amount
    )
    return {"tolerance": str(amount)}, f"Shift variance tolerance set to {amount}."


@dataclass(frozen=True)
class DailyArgs:
    date: str | None
    format: str | None
    out: str | None


def report_daily(ctx: Context[DailyArgs]) -> Output:
    report = reports.daily_report(
        ctx.app.uow(write=False),
        actor=ctx.actor(),
        day=_day(ctx.args.date),
        replica=ctx.app.report_uow(),
    )
    fmt, out = ctx.args.format or "json", ctx.args.out
    payload = report.to_json()
    if fmt == "pdf" and not out:
        raise BadInput("--format pdf writes a file: give --out FILE.", code="missing_out")
    if out:
        path = Path(out)
        if fmt == "pdf":
            report_export.write_pdf(report, path)
        else:
            path.write_text(
                report_export.to_csv(report) if fmt == "csv" else json.dumps(payload, indent=2),
                encoding="utf-8",
            )
        return (
            {**payload, "out": str(path)},
            f"Daily report {report.business_date} written to {path}.",
        )
    if fmt == "csv":
        return payload, report_export.to_csv(report).rstrip("\n")
    return payload, json.dumps(payload, indent=2)


@dataclass(frozen=True)
class DayArgs:
    date: str | None


def report_close_day(ctx: Context[DayArgs]) -> Output:
    report = reports.close_day(
        ctx.app.uow(), actor=ctx.actor(), workstation=ctx.app.workstation, day=_day(ctx.args.date)
    )
    totals = report.totals
    return report.to_json(), (
        f"Day {report.business_date} closed (Z): gross {totals['gross']} less adjustments "
        f"{totals['adjustments']}: payments {totals['payments']}, refunds "
        f"{totals['refunds']}, deposits {totals['deposits']}, {report.counts['receipts']} "
        "receipts. Later money lands on the next day."
    )


@dataclass(frozen=True)
class WithdrawArgs:
    mrn: str
    amount: str
    reason: str
    approver: str | None
    key: str | None


def wallet_withdraw(ctx: Context[WithdrawArgs]) -> Output:
    approver = _approver(ctx)  # on the spot: the signed-in cashier asks, the approver decides
    result = withdrawal.withdraw(
        ctx.app.uow(),
        actor=approver or ctx.actor(),
        cashier=ctx.actor() if approver else None,
        workstation=ctx.app.workstation,
        mrn=ctx.args.mrn,
        amount=ctx.args.amount,
        reason=ctx.args.reason,
        key=money_key(ctx),
    )
    return result.to_json(), (
        f"{'Already paid out' if result.replayed else 'Paid out'} {result.amount} from "
        f"{result.mrn}'s wallet, receipt {result.receipt_no}; wallet balance "
        f"{result.wallet_balance_after}. Key: {result.idempotency_key}"
    )


HANDLERS: dict[tuple[str, str], Command[Any]] = {
    ("payment", "reverse"): Command(ReverseArgs, payment_reverse),
    ("payment", "request-refund"): Command(RefundRequestArgs, payment_request_refund),
    ("payment", "requests"): Command(NoArgs, payment_requests),
    ("payment", "approve"): Command(ApproveArgs, payment_approve),
    ("payment", "reject"): Command(RejectArgs, payment_reject),
    ("shift", "open"): Command(OpenArgs, shift_open),
    ("shift", "close"): Command(CloseArgs, shift_close),
    ("shift", "status"): Command(NoArgs, shift_status),
    ("shift", "x-report"): Command(XReportArgs, shift_x_report),
    ("shift", "tolerance"): Command(AmountArgs, shift_tolerance),
    ("report", "daily"): Command(DailyArgs, report_daily),
    ("report", "close-day"): Command(DayArgs, report_close_day),
    ("wallet", "withdraw"): Command(WithdrawArgs, wallet_withdraw),
}
