"""`caretill payer add|cover` and `caretill patient cover`: payers, schemes, memberships.

`payer add CODE --name NAME --kind insurer|employer|scheme` and `payer cover CODE
--service-kind KIND --percent P [--copay A] [--copay-per visit|item] [--cap A]` are for
administrators; `patient cover MRN --payer CODE --member-no NO [--valid-until D]`
(its grammar sits in the patient group of `cli/parser.py`) records a membership.
"""

from __future__ import annotations

import argparse
from dataclasses import dataclass
from datetime import date
from typing import Any

from pos_app.cli import account_commands
from pos_app.cli.context import Command, Context, Output
from pos_app.domain.errors import BadInput
from pos_app.domain.kinds import ServiceKind, values
from pos_app.services import payers


def add_commands(commands: argparse._SubParsersAction, common: argparse.ArgumentParser) -> None:
    """Add the `payer` group."""
    group = commands.add_parser("payer", help="insurers, employers and schemes", parents=[common])
    actions = group.add_subparsers(dest="action", required=True, parser_class=type(group))
    add = actions.add_parser("add", parents=[common], help="a new payer (admin)")
    add.add_argument("code")
    add.add_argument("--name", required=True)
    add.add_argument("--kind", required=True, choices=list(payers.PAYER_KINDS))
    cover = actions.add_parser(
        "cover", parents=[common], help="the payer's cover of one service kind (admin)"
    )
    cover.add_argument("code")
    cover.add_argument("--service-kind", required=True, choices=values(ServiceKind))
    cover.add_argument("--percent", required=True, help="share of the due, 0.01 to 100")
    cover.add_argument("--copay", help="moved to the patient (default 0)")
    cover.add_argument("--copay-per", choices=["visit", "item"], default="visit")
    cover.add_argument("--cap", help="most the payer takes per visit (default: no cap)")
    account_commands.add_claims(actions, common)


@dataclass(frozen=True)
class AddArgs:
    code: str
    name: str
    kind: str


def payer_add(ctx: Context[AddArgs]) -> Output:
    payer = payers.add_payer(
        ctx.app.uow(),
        actor=ctx.actor(),
        workstation=ctx.app.workstation,
        code=ctx.args.code,
        name=ctx.args.name,
        kind=ctx.args.kind,
    )
    data = {"code": payer.code, "name": payer.name, "kind": payer.kind}
    return data, f"Payer {payer.code} {payer.name} ({payer.kind}) added."


@dataclass(frozen=True)
class CoverArgs:
    code: str
    service_kind: str
    percent: str
    copay: str | None
    copay_per: str
    cap: str | None


def payer_cover(ctx: Context[CoverArgs]) -> Output:
    a = ctx.args
    cover = payers.set_cover(
        ctx.app.uow(),
        actor=ctx.actor(),
        workstation=ctx.app.workstation,
        code=a.code,
        service_kind=a.service_kind,
        percent=a.percent,
        copay=a.copay,
        copay_per=a.copay_per,
        cap=a.cap,
    )
    data = {
        "code": a.code.strip().upper(),
        "service_kind": a.service_kind,
        "percent_bp": cover.percent_bp,
        "copay_minor": cover.copay_minor,
        "copay_per": cover.copay_per,
        "cap_minor": cover.cap_minor,
    }
    return data, (
        f"{data['code']} covers {cover.percent_bp / 100:g} % of {a.service_kind} "
        f"items (co-pay {a.copay or 0} per {cover.copay_per}, "
        f"cap {a.cap or 'none'})."
    )


@dataclass(frozen=True)
class PatientCoverArgs:
    mrn: str
    payer: str
    member_no: str
    valid_until: str | None


def patient_cover(ctx: Context[PatientCoverArgs]) -> Output:
    a = ctx.args
    membership = payers.cover_patient(
        ctx.app.uow(),
        actor=ctx.actor(),
        workstation=ctx.app.workstation,
        mrn=a.mrn,
        payer_code=a.payer,
        member_no=a.member_no,
        valid_until=_date(a.valid_until) if a.valid_until else None,
    )
    until = membership.valid_until.isoformat() if membership.valid_until else "no end date"
    return {"mrn": a.mrn.strip(), **membership.to_json()}, (
        f"{a.mrn.strip()} is member {membership.member_no} of {membership.payer_name} ({until})."
    )


def _date(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError as exc:
        raise BadInput(f"Date {text!r} is not YYYY-MM-DD.", code="invalid_date") from exc


HANDLERS: dict[tuple[str, str], Command[Any]] = {
    ("payer", "add"): Command(AddArgs, payer_add),
    ("payer", "cover"): Command(CoverArgs, payer_cover),
    ("patient", "cover"): Command(PatientCoverArgs, patient_cover),
    **account_commands.CLAIM_HANDLERS,
}
