"""`caretill account statement|settle`, `caretill credit limit` and `caretill payer claims`:
receivable accounts, patient credit and claims (SPEC rule 13).

`payer claims` belongs to the `payer` group (`payer_commands` adds its grammar with
`add_claims` and its handler from `CLAIM_HANDLERS`).
"""

from __future__ import annotations

import argparse
import json
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from pos_app.cli.context import Command, Context, Output, money_key
from pos_app.domain.errors import BadInput
from pos_app.services import accounts, claims, credit


def add_commands(commands: argparse._SubParsersAction, common: argparse.ArgumentParser) -> None:
    """Add the `account` and `credit` groups."""
    group = commands.add_parser(
        "account", help="receivable accounts of payers and patients", parents=[common]
    )
    actions = group.add_subparsers(dest="action", required=True, parser_class=type(group))
    shown = actions.add_parser("statement", parents=[common], help="entries and balance")
    _debtor(shown)
    settle = actions.add_parser(
        "settle", parents=[common], help="money received against the account, with a receipt"
    )
    _debtor(settle)
    settle.add_argument("amount")
    settle.add_argument("--method", required=True, choices=list(accounts.SETTLE_METHODS))
    settle.add_argument("--reference")
    settle.add_argument("--claim", help="the claim batch it pays first (a payer's)")
    settle.add_argument("--key", help="idempotency key (generated when absent)")
    group = commands.add_parser("credit", help="patient credit (pay later)", parents=[common])
    actions = group.add_subparsers(dest="action", required=True, parser_class=type(group))
    limit = actions.add_parser(
        "limit", parents=[common], help="ask for a patient's credit limit (a supervisor approves)"
    )
    limit.add_argument("mrn")
    limit.add_argument("amount")
    limit.add_argument("--reason", default="credit limit")
    limit.add_argument("--key", help="idempotency key (generated when absent)")


def add_claims(actions: argparse._SubParsersAction, common: argparse.ArgumentParser) -> None:
    """`payer claims CODE [--from D] [--to D] [--format json|csv|pdf] [--out FILE]`."""
    claim = actions.add_parser(
        "claims", parents=[common], help="claim the payer's unclaimed covered items (supervisor)"
    )
    claim.add_argument("code")
    claim.add_argument("--from", dest="start")
    claim.add_argument("--to", dest="end")
    claim.add_argument("--format", dest="fmt", choices=["json", "csv", "pdf"], default="json")
    claim.add_argument("--out")


def _debtor(parser: argparse.ArgumentParser) -> None:
    whose = parser.add_mutually_exclusive_group(required=True)
    whose.add_argument("--payer")
    whose.add_argument("--patient")


@dataclass(frozen=True)
class StatementArgs:
    payer: str | None
    patient: str | None


@dataclass(frozen=True)
class SettleArgs:
    payer: str | None
    patient: str | None
    amount: str
    method: str
    reference: str | None
    claim: str | None
    key: str | None


@dataclass(frozen=True)
class LimitArgs:
    mrn: str
    amount: str
    reason: str
    key: str | None


@dataclass(frozen=True)
class ClaimArgs:
    code: str
    start: str | None
    end: str | None
    fmt: str
    out: str | None


def account_statement(ctx: Context[StatementArgs]) -> Output:
    found = accounts.statement(
        ctx.app.uow(write=False),
        actor=ctx.actor(),
        debtor=accounts.Debtor(ctx.args.payer, ctx.args.patient),
    )
    lines = [
        f"{e.at[:19]} {e.kind:<12} {e.amount:>14,} {e.balance_after:>14,} {e.receipt_no or ''}"
        for e in found.entries
    ]
    return found.to_json(), "\n".join(
        [f"{found.account} {found.name}: balance {found.balance:,}", *lines]
    )


def account_settle(ctx: Context[SettleArgs]) -> Output:
    a = ctx.args
    done = accounts.settle(
        ctx.app.uow(),
        actor=ctx.actor(),
        workstation=ctx.app.workstation,
        debtor=accounts.Debtor(a.payer, a.patient),
        amount=a.amount,
        method=a.method,
        reference=a.reference,
        claim=a.claim,
        key=money_key(ctx),
    )
    return done.to_json(), (
        f"{'Already settled' if done.replayed else 'Settled'} "
        f"{done.amount:,} on {done.account}: receipt {done.receipt_no}, "
        f"balance {done.balance_after:,}. Key: {ctx.key}"
    )


def credit_limit(ctx: Context[LimitArgs]) -> Output:
    asked = credit.request_limit(
        ctx.app.uow(),
        actor=ctx.actor(),
        workstation=ctx.app.workstation,
        mrn=ctx.args.mrn,
        amount=ctx.args.amount,
        reason=ctx.args.reason,
        key=money_key(ctx),
    )
    return asked.to_json(), (
        f"Credit limit {asked.amount:,} for {asked.subject} is request "
        f"{asked.id}, {asked.status}: a supervisor approves it."
    )


def payer_claims(ctx: Context[ClaimArgs]) -> Output:
    a = ctx.args
    if a.fmt == "pdf" and not a.out:
        raise BadInput("A PDF claim needs --out FILE.", code="invalid_output")
    claim = claims.export_claim(
        ctx.app.uow(),
        actor=ctx.actor(),
        workstation=ctx.app.workstation,
        code=a.code,
        start=_day(a.start),
        end=_day(a.end),
    )
    text = (
        f"Claim {claim.batch_no or '(nothing to claim)'}: {len(claim.items)} items, "
        f"{claim.total:,}."
    )
    if a.fmt == "csv":
        body = claims.to_csv(claim)
        if a.out is None:
            return claim.to_json(), body.rstrip("\n")
        Path(a.out).write_text(body, encoding="utf-8")
    elif a.fmt == "pdf":
        claims.write_pdf(claim, Path(a.out or ""))
    elif a.out is not None:
        Path(a.out).write_text(json.dumps(claim.to_json(), indent=2), encoding="utf-8")
    return claim.to_json(), text + (f" Written to {a.out}." if a.out else "")


def _day(text: str | None) -> date | None:
    if text is None:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError as exc:
        raise BadInput(f"Date {text!r} is not YYYY-MM-DD.", code="invalid_date") from exc


HANDLERS: dict[tuple[str, str], Command[Any]] = {
    ("account", "statement"): Command(StatementArgs, account_statement),
    ("account", "settle"): Command(SettleArgs, account_settle),
    ("credit", "limit"): Command(LimitArgs, credit_limit),
}
CLAIM_HANDLERS: dict[tuple[str, str], Command[Any]] = {
    ("payer", "claims"): Command(ClaimArgs, payer_claims),
}
