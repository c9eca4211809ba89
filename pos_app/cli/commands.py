"""What each command does: sign in if needed, call one service, return JSON and a text line."""

from __future__ import annotations

import getpass
import os
import sys
import uuid
from collections.abc import Callable
from contextlib import suppress
from dataclasses import dataclass, field
from datetime import date

from pos_app.adapters import grants
from pos_app.bootstrap import App
from pos_app.domain.actors import Actor
from pos_app.domain.errors import BadInput, CareTillError, Refused
from pos_app.domain.numbers import id_list
from pos_app.services import auth, check, demo, deposit, facility, patients, pay, statement
from pos_app.services.tenders import TenderRequest

Output = tuple[dict, str]


@dataclass
class Context:
    """One invocation: the app, the parsed options, and the signed-in user once asked for."""

    app: App
    args: object
    env: dict = field(default_factory=lambda: dict(os.environ))
    key: str | None = None  # the money command's idempotency key, once chosen
    _actor: Actor | None = None

    def option(self, name: str) -> str | None:
        return getattr(self.args, name, None)

    def actor(self) -> Actor:
        """Sign in as --user / CARETILL_USER with CARETILL_PASSWORD or a prompt."""
        if self._actor is None:
            username = self.option("user") or self.env.get("CARETILL_USER")
            if not username:
                raise BadInput("Say who you are: --user NAME or CARETILL_USER.",
                               code="no_user")
            password = self.env.get("CARETILL_PASSWORD")
            if password is None:
                password = _prompt(f"Password for {username}: ")
            self._actor = auth.sign_in(self.app.uow(), username, password,
                                       workstation=self.app.workstation)
        return self._actor

    def sign_out(self) -> None:
        """End this command's session, if it signed in: the CLI signs in per command."""
        if self._actor is not None:
            actor, self._actor = self._actor, None
            # The command's own outcome stands; a session left open by a lost
            # connection is harmless once this process, its only holder, exits.
            with suppress(CareTillError):
                auth.sign_out(self.app.uow(), actor, workstation=self.app.workstation,
                              reason="cli_exit")


def _prompt(text: str) -> str:
    if not sys.stdin or not sys.stdin.isatty():
        raise BadInput("No password: set CARETILL_PASSWORD or run in a terminal.",
                       code="no_password")
    return getpass.getpass(text)


def _key(ctx: Context) -> str:
    """--key or a new one, remembered so a failure can tell which key retries safely."""
    if ctx.key is None:
        ctx.key = ctx.option("key") or f"cli-{uuid.uuid4().hex}"
    return ctx.key


def db_upgrade(ctx: Context) -> Output:
    ctx.app.upgrade_schema()
    roles = grants.granted_roles(ctx.app.engine)
    reminder = "".join(f"\nNew tables need their privileges: run `caretill db grant {role}`."
                       for role in roles)
    return {"upgraded": True, "grant_again": roles}, "Schema is up to date." + reminder


def db_grant(ctx: Context) -> Output:
    """Run by the owner after each `db upgrade` (privileges name the tables that exist)."""
    sealed = grants.grant(ctx.app.engine, ctx.args.role)
    return {"role": ctx.args.role, "granted": True, "append_only": sealed}, (
        f"Role {ctx.args.role} may now run the till; it cannot change the "
        f"{len(sealed)} append-only tables, nor alter, drop or create anything.")


def demo_load(ctx: Context) -> Output:
    summary = demo.load_demo(ctx.app.uow, workstation=ctx.app.workstation,
                             patients=ctx.args.patients, seed=ctx.args.seed,
                             facility_name=ctx.args.facility_name)
    return summary.to_json(), (
        f"Demo loaded: {summary.patients} patients, {summary.bills} bills with "
        f"{summary.items} items, {summary.deposits} wallet top-ups. Users: "
        + ", ".join(summary.users) + " (password = user name).")


def facility_set(ctx: Context) -> Output:
    result = facility.set_facility(
        ctx.app.uow(), actor=ctx.actor(), workstation=ctx.app.workstation, name=ctx.args.name,
        currency_code=ctx.args.currency, minor_units=ctx.args.minor_units,
        require_shift=ctx.args.require_shift)
    return result.to_settings(), f"Facility set: {result.name}, {result.currency.code}."


def patient_search(ctx: Context) -> Output:
    found = patients.search_patients(ctx.app.uow(write=False), actor=ctx.actor(),
                                     text=ctx.args.text, limit=ctx.args.limit)
    lines = [f"{p.mrn:<12} {p.name:<30} {p.phone or '':<14} {p.wallet_balance:>12}"
             for p in found]
    return {"patients": [p.to_json() for p in found]}, "\n".join(lines) or "No patient found."


def patient_add(ctx: Context) -> Output:
    try:
        dob = date.fromisoformat(ctx.args.dob) if ctx.args.dob else None
    except ValueError as exc:
        raise BadInput(f"Date of birth {ctx.args.dob!r} is not YYYY-MM-DD.",
                       code="invalid_date") from exc
    added = patients.add_patient(ctx.app.uow(), actor=ctx.actor(), mrn=ctx.args.mrn,
                                 name=ctx.args.name, phone=ctx.args.phone, dob=dob)
    return added.to_json(), f"Patient {added.mrn} {added.name} registered."


def patient_show(ctx: Context) -> Output:
    detail = patients.show_patient(ctx.app.uow(write=False), actor=ctx.actor(),
                                   mrn=ctx.args.mrn)
    p = detail.patient
    lines = [f"{p.mrn}  {p.name}  {p.phone or ''}", f"Wallet balance: {p.wallet_balance}"]
    lines += [f"  [{i.id}] {i.bill_no} {i.service_name} x{i.quantity}  {i.amount}"
              for i in detail.unpaid_items]
    return detail.to_json(), "\n".join(lines)


def wallet_deposit(ctx: Context) -> Output:
    result = deposit.deposit(ctx.app.uow(), actor=ctx.actor(), workstation=ctx.app.workstation,
                             mrn=ctx.args.mrn, amount=ctx.args.amount, method=ctx.args.method,
                             reference=ctx.args.reference, key=_key(ctx))
    return result.to_json(), (
        f"{'Already done' if result.replayed else 'Deposited'} {result.amount} "
        f"({result.method}) for {result.mrn}, receipt {result.receipt_no}; wallet balance "
        f"{result.wallet_balance_after}. Key: {result.idempotency_key}")


def wallet_statement(ctx: Context) -> Output:
    result = statement.wallet_statement(ctx.app.uow(write=False), actor=ctx.actor(),
                                        mrn=ctx.args.mrn)
    lines = [f"{result.mrn} {result.name}: balance {result.balance}"]
    lines += [f"  {e.at[:19]} {e.kind:<10} {e.amount:>12} -> {e.balance_after:>12} "
              f"{e.receipt_no or ''}" for e in result.entries]
    return result.to_json(), "\n".join(lines)


def parse_tender(text: str) -> TenderRequest:
    """METHOD:AMOUNT[:REFERENCE_OR_CASH_TENDERED], the third part is cash tendered for cash."""
    parts = text.split(":", 2)
    if len(parts) < 2 or not parts[0] or not parts[1]:
        raise BadInput(f"Tender {text!r} is not METHOD:AMOUNT[:REFERENCE].",
                       code="invalid_tender")
    method, amount = parts[0].strip(), parts[1].strip()
    extra = parts[2].strip() if len(parts) == 3 else None
    if method == "cash":
        return TenderRequest(method, amount, cash_tendered=extra)
    return TenderRequest(method, amount, reference=extra)


def parse_item_ids(text: str) -> list[int]:
    """Comma-separated bill item ids in ASCII digits; anything else is `unknown_item`, exit 2."""
    return id_list(text, what="item id", code="unknown_item")


def pay_command(ctx: Context) -> Output:
    result = pay.pay(
        ctx.app.uow(), actor=ctx.actor(), workstation=ctx.app.workstation, mrn=ctx.args.mrn,
        tenders=[parse_tender(text) for text in ctx.args.tender], key=_key(ctx),
        item_ids=parse_item_ids(ctx.args.items) if ctx.args.items is not None else None,
        bill_no=ctx.args.bill)
    tenders = ", ".join(f"{line.method} {line.amount}" for line in result.tenders)
    return result.to_json(), (
        f"{'Already paid' if result.replayed else 'Paid'} {result.amount} for {result.mrn} "
        f"({tenders}), receipt {result.receipt_no}; change {result.change}; wallet balance "
        f"{result.wallet_balance_after}. Key: {result.idempotency_key}")


class RefusedWithReport(Refused):
    """A refusal that still prints the command's report: `check` lists what it found."""

    def __init__(self, message: str, *, code: str, report: Output) -> None:
        super().__init__(message, code=code)
        self.report = report


def check_command(ctx: Context) -> Output:
    """Exit 0 only when every invariant holds; any finding is `integrity_violation`, exit 3."""
    findings = check.run_check(ctx.app.uow(write=False), actor=ctx.actor())
    payload = {"ok": not findings, "findings": [f.to_json() for f in findings]}
    if not findings:
        return payload, "All invariants hold."
    raise RefusedWithReport(
        f"{len(findings)} finding(s): the books do not hold together; see each one listed.",
        code="integrity_violation",
        report=(payload, "\n".join(f"{f.rule}: {f.detail}" for f in findings)))


COMMANDS: dict[tuple[str, str | None], Callable[[Context], Output]] = {
    ("db", "upgrade"): db_upgrade,
    ("db", "grant"): db_grant,
    ("demo", "load"): demo_load,
    ("facility", "set"): facility_set,
    ("patient", "search"): patient_search,
    ("patient", "add"): patient_add,
    ("patient", "show"): patient_show,
    ("wallet", "deposit"): wallet_deposit,
    ("wallet", "statement"): wallet_statement,
    ("pay", None): pay_command,
    ("check", None): check_command,
}
