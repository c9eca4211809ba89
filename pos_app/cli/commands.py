"""What each command does: sign in if needed, call one service, return JSON and a text line."""

from __future__ import annotations

import getpass
import os
import sys
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date

from pos_app.bootstrap import App
from pos_app.domain.actors import Actor, Role
from pos_app.domain.errors import BadInput
from pos_app.services import auth, check, demo, deposit, facility, patients, pay, statement
from pos_app.services.tenders import TenderRequest

Output = tuple[dict, str]


@dataclass
class Context:
    """One invocation: the app, the parsed options, and the signed-in user once asked for."""

    app: App
    args: object
    env: dict = field(default_factory=lambda: dict(os.environ))
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
            self._actor = auth.sign_in(self.app.uow(), username, password)
        return self._actor


def _prompt(text: str) -> str:
    if not sys.stdin or not sys.stdin.isatty():
        raise BadInput("No password: set CARETILL_PASSWORD or run in a terminal.",
                       code="no_password")
    return getpass.getpass(text)


def _key(ctx: Context) -> str:
    return ctx.option("key") or f"cli-{uuid.uuid4().hex}"


def db_upgrade(ctx: Context) -> Output:
    ctx.app.upgrade_schema()
    return {"upgraded": True}, "Schema is up to date."


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


def user_add(ctx: Context) -> Output:
    has_user = bool(ctx.option("user") or ctx.env.get("CARETILL_USER"))
    actor = ctx.actor() if has_user else None
    if actor is not None:  # refuse before prompting for a password that cannot be used
        actor.require(Role.ADMIN, "add users")
    password = ctx.env.get("CARETILL_NEW_PASSWORD")
    if password is None:
        password = _prompt(f"New password for {ctx.args.name}: ")
    user = auth.add_user(ctx.app.uow(), actor=actor,
                         workstation=ctx.app.workstation, username=ctx.args.name,
                         role=ctx.args.role, password=password, full_name=ctx.args.full_name)
    return ({"user_id": user.user_id, "username": user.username, "role": user.role.value},
            f"User {user.username} added as {user.role}.")


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
    try:
        return [int(part) for part in text.split(",") if part.strip()]
    except ValueError as exc:
        raise BadInput(f"Item ids {text!r} must be whole numbers separated by commas.",
                       code="unknown_item") from exc


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


def check_command(ctx: Context) -> Output:
    findings = check.run_check(ctx.app.uow(write=False), actor=ctx.actor())
    text = ("All invariants hold." if not findings else
            "\n".join(f"{f.rule}: {f.detail}" for f in findings))
    return {"ok": not findings, "findings": [f.to_json() for f in findings]}, text


COMMANDS: dict[tuple[str, str | None], Callable[[Context], Output]] = {
    ("db", "upgrade"): db_upgrade,
    ("demo", "load"): demo_load,
    ("facility", "set"): facility_set,
    ("user", "add"): user_add,
    ("patient", "search"): patient_search,
    ("patient", "add"): patient_add,
    ("patient", "show"): patient_show,
    ("wallet", "deposit"): wallet_deposit,
    ("wallet", "statement"): wallet_statement,
    ("pay", None): pay_command,
    ("check", None): check_command,
}
