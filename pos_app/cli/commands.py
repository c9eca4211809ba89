"""What each command does: sign in if needed, call one service, return JSON and a text line."""

from __future__ import annotations

import sys
from dataclasses import dataclass
from datetime import date
from typing import Any

from pos_app.adapters import grants
from pos_app.cli.context import Command, Context, NoArgs, Output, money_key
from pos_app.domain.errors import BadInput, Refused
from pos_app.domain.numbers import id_list
from pos_app.services import check, demo, deposit, facility, patients, pay, statement
from pos_app.services.tenders import TenderRequest


def db_upgrade(ctx: Context[NoArgs]) -> Output:
    ctx.app.upgrade_schema()
    roles = grants.granted_roles(ctx.app.engine)
    reminder = "".join(
        f"\nNew tables need their privileges: run `caretill db grant {role}`." for role in roles
    )
    return {"upgraded": True, "grant_again": roles}, "Schema is up to date." + reminder


@dataclass(frozen=True)
class GrantArgs:
    role: str


def db_grant(ctx: Context[GrantArgs]) -> Output:
    """Run by the owner after each `db upgrade` (privileges name the tables that exist)."""
    sealed = grants.grant(ctx.app.engine, ctx.args.role)
    return {"role": ctx.args.role, "granted": True, "append_only": sealed}, (
        f"Role {ctx.args.role} may now run the till; it cannot change the "
        f"{len(sealed)} append-only tables, nor alter, drop or create anything."
    )


@dataclass(frozen=True)
class DemoArgs:
    patients: int
    seed: int
    facility_name: str | None


def demo_load(ctx: Context[DemoArgs]) -> Output:
    summary = demo.load_demo(
        ctx.app.uow,
        workstation=ctx.app.workstation,
        patients=ctx.args.patients,
        seed=ctx.args.seed,
        facility_name=ctx.args.facility_name,
    )
    return summary.to_json(), (
        f"Demo loaded: {summary.patients} patients, {summary.bills} bills with "
        f"{summary.items} items, {summary.deposits} wallet top-ups. Users: "
        + ", ".join(summary.users)
        + " (password = user name)."
    )


@dataclass(frozen=True)
class FacilityArgs:
    name: str
    currency: str
    minor_units: int
    require_shift: bool


def facility_set(ctx: Context[FacilityArgs]) -> Output:
    result = facility.set_facility(
        ctx.app.uow(),
        actor=ctx.actor(),
        workstation=ctx.app.workstation,
        name=ctx.args.name,
        currency_code=ctx.args.currency,
        minor_units=ctx.args.minor_units,
        require_shift=ctx.args.require_shift,
    )
    return result.to_settings(), f"Facility set: {result.name}, {result.currency.code}."


@dataclass(frozen=True)
class SearchArgs:
    text: str
    limit: int


def patient_search(ctx: Context[SearchArgs]) -> Output:
    found = patients.search_patients(
        ctx.app.uow(write=False), actor=ctx.actor(), text=ctx.args.text, limit=ctx.args.limit
    )
    lines = [f"{p.mrn:<12} {p.name:<30} {p.phone or '':<14} {p.wallet_balance:>12}" for p in found]
    return {"patients": [p.to_json() for p in found]}, "\n".join(lines) or "No patient found."


@dataclass(frozen=True)
class PatientArgs:
    mrn: str
    name: str
    phone: str | None
    dob: str | None


def patient_add(ctx: Context[PatientArgs]) -> Output:
    try:
        dob = date.fromisoformat(ctx.args.dob) if ctx.args.dob else None
    except ValueError as exc:
        raise BadInput(
            f"Date of birth {ctx.args.dob!r} is not YYYY-MM-DD.", code="invalid_date"
        ) from exc
    added = patients.add_patient(
        ctx.app.uow(),
        actor=ctx.actor(),
        mrn=ctx.args.mrn,
        name=ctx.args.name,
        phone=ctx.args.phone,
        dob=dob,
    )
    return added.to_json(), f"Patient {added.mrn} {added.name} registered."


@dataclass(frozen=True)
class MrnArgs:
    """A command about one patient: `patient show`, `wallet statement`."""

    mrn: str


def patient_show(ctx: Context[MrnArgs]) -> Output:
    detail = patients.show_patient(ctx.app.uow(write=False), actor=ctx.actor(), mrn=ctx.args.mrn)
    p = detail.patient
    lines = [f"{p.mrn}  {p.name}  {p.phone or ''}", f"Wallet balance: {p.wallet_balance}"]
    lines += [
        f"  [{i.id}] {i.bill_no} {i.service_name} x{i.quantity}  {i.amount}"
        for i in detail.unpaid_items
    ]
    return detail.to_json(), "\n".join(lines)


@dataclass(frozen=True)
class DepositArgs:
    mrn: str
    amount: str
    method: str
    reference: str | None
    key: str | None


def wallet_deposit(ctx: Context[DepositArgs]) -> Output:
    result = deposit.deposit(
        ctx.app.uow(),
        actor=ctx.actor(),
        workstation=ctx.app.workstation,
        mrn=ctx.args.mrn,
        amount=ctx.args.amount,
        method=ctx.args.method,
        reference=ctx.args.reference,
        key=money_key(ctx),
    )
    return result.to_json(), (
        f"{'Already done' if result.replayed else 'Deposited'} {result.amount} "
        f"({result.method}) for {result.mrn}, receipt {result.receipt_no}; wallet balance "
        f"{result.wallet_balance_after}. Key: {result.idempotency_key}"
    )


def wallet_statement(ctx: Context[MrnArgs]) -> Output:
    result = statement.wallet_statement(
        ctx.app.uow(write=False), actor=ctx.actor(), mrn=ctx.args.mrn
    )
    lines = [f"{result.mrn} {result.name}: balance {result.balance}"]
    lines += [
        f"  {e.at[:19]} {e.kind:<10} {e.amount:>12} -> {e.balance_after:>12} {e.receipt_no or ''}"
        for e in result.entries
    ]
    return result.to_json(), "\n".join(lines)


def parse_tender(text: str) -> TenderRequest:
    """METHOD:AMOUNT[:REFERENCE_OR_CASH_TENDERED], the third part is cash tendered for cash."""
    parts = text.split(":", 2)
    if len(parts) < 2 or not parts[0] or not parts[1]:
        raise BadInput(f"Tender {text!r} is not METHOD:AMOUNT[:REFERENCE].", code="invalid_tender")
    method, amount = parts[0].strip(), parts[1].strip()
    extra = parts[2].strip() if len(parts) == 3 else None
    if method == "cash":
        return TenderRequest(method, amount, cash_tendered=extra)
    return TenderRequest(method, amount, reference=extra)


def parse_item_ids(text: str) -> list[int]:
    """Comma-separated bill item ids in ASCII digits; anything else is `unknown_item`, exit 2."""
    return id_list(text, what="item id", code="unknown_item")


@dataclass(frozen=True)
class PayArgs:
    mrn: str
    items: str | None
    bill: str | None
    tender: list[str]
    key: str | None
    payer: str | None = None


def pay_command(ctx: Context[PayArgs]) -> Output:
    result = pay.pay(
        ctx.app.uow(),
        actor=ctx.actor(),
        workstation=ctx.app.workstation,
        mrn=ctx.args.mrn,
        tenders=[parse_tender(text) for text in ctx.args.tender],
        key=money_key(ctx),
        item_ids=parse_item_ids(ctx.args.items) if ctx.args.items is not None else None,
        bill_no=ctx.args.bill,
        payer=ctx.args.payer,
    )
    tenders = ", ".join(f"{line.method} {line.amount}" for line in result.tenders)
    return result.to_json(), (
        f"{'Already paid' if result.replayed else 'Paid'} {result.amount} for {result.mrn} "
        f"({tenders or 'nothing due'}), receipt {result.receipt_no}; change {result.change}; "
        f"wallet balance {result.wallet_balance_after}. Key: {result.idempotency_key}"
        + (
            f"\n{result.payer_name} ({result.member_no}) pays {result.payer_share}; the "
            f"patient paid {result.patient_share}."
            if result.payer
            else ""
        )
    )


class RefusedWithReport(Refused):
    """A refusal that still prints the command's report: `check` lists what it found."""

    def __init__(self, message: str, *, code: str, report: Output) -> None:
        super().__init__(message, code=code)
        self.report = report


def _progress(done: int, total: int) -> None:
    """`check --full` on a terminal: how many audit events are verified so far."""
    percent = 100 * done // total if total else 100
    print(
        f"\rverifying audit events: {done}/{total} ({percent}%)",
        end="",
        file=sys.stderr,
        flush=True,
    )
    if done >= total:
        print(file=sys.stderr)


@dataclass(frozen=True)
class CheckArgs:
    full: bool


def check_command(ctx: Context[CheckArgs]) -> Output:
    """Exit 0 only when every invariant holds; any finding is `integrity_violation`, exit 3."""
    full = ctx.args.full
    findings = check.run_check(
        ctx.app.uow(),
        actor=ctx.actor(),
        full=full,
        progress=_progress if full and sys.stderr.isatty() else None,
    )
    payload = {"ok": not findings, "findings": [f.to_json() for f in findings]}
    if not findings:
        return payload, "All invariants hold."
    raise RefusedWithReport(
        f"{len(findings)} finding(s): the books do not hold together; see each one listed.",
        code="integrity_violation",
        report=(payload, "\n".join(f"{f.rule}: {f.detail}" for f in findings)),
    )


COMMANDS: dict[tuple[str, str | None], Command[Any]] = {
    ("db", "upgrade"): Command(NoArgs, db_upgrade),
    ("db", "grant"): Command(GrantArgs, db_grant),
    ("demo", "load"): Command(DemoArgs, demo_load),
    ("facility", "set"): Command(FacilityArgs, facility_set),
    ("patient", "search"): Command(SearchArgs, patient_search),
    ("patient", "add"): Command(PatientArgs, patient_add),
    ("patient", "show"): Command(MrnArgs, patient_show),
    ("wallet", "deposit"): Command(DepositArgs, wallet_deposit),
    ("wallet", "statement"): Command(MrnArgs, wallet_statement),
    ("pay", None): Command(PayArgs, pay_command),
    ("check", None): Command(CheckArgs, check_command),
}
