"""The command line's grammar (SPEC.md "Command line"), kept apart from what commands do."""

from __future__ import annotations

import argparse

from pos_app.cli.arg_types import number
from pos_app.cli.extensions import EXTENSIONS
from pos_app.domain.errors import BadInput
from pos_app.domain.kinds import DEPOSIT_METHODS
from pos_app.domain.numbers import MAX_COUNT, MAX_ID


class Parser(argparse.ArgumentParser):
    """argparse that raises `BadInput` (exit 2, JSON-able) instead of printing and exiting."""

    def error(self, message: str) -> None:  # type: ignore[override]
        raise BadInput(f"{self.prog}: {message}", code="usage")


def _common() -> Parser:
    # SUPPRESS lets the options stand before or after the sub-command.
    common = Parser(add_help=False)
    common.add_argument(
        "--db",
        default=argparse.SUPPRESS,
        help="database URL (default: $CARETILL_DB, else a local SQLite file)",
    )
    common.add_argument(
        "--workstation",
        default=argparse.SUPPRESS,
        help="workstation id, the receipt prefix (default: $CARETILL_WORKSTATION)",
    )
    common.add_argument(
        "--user", default=argparse.SUPPRESS, help="act as this user (default: $CARETILL_USER)"
    )
    common.add_argument(
        "--json",
        action="store_true",
        default=argparse.SUPPRESS,
        help="print one JSON object on stdout",
    )
    return common


def build_parser() -> Parser:
    common = _common()
    parser = Parser(
        prog="caretill",
        parents=[common],
        description="CareTill, the hospital cashier's till. "
        "With no command it opens the cashier window.",
    )
    commands = parser.add_subparsers(dest="command", parser_class=Parser)

    def group(name: str, help_text: str) -> argparse._SubParsersAction:
        sub = commands.add_parser(name, help=help_text, parents=[common])
        return sub.add_subparsers(dest="action", required=True, parser_class=Parser)

    def leaf(parent: argparse._SubParsersAction, name: str, help_text: str) -> Parser:
        return parent.add_parser(name, help=help_text, parents=[common])

    db = group("db", "database schema")
    leaf(db, "upgrade", "create or migrate the schema")
    dbgrant = leaf(
        db,
        "grant",
        "give the application role the till's privileges (PostgreSQL, "
        "run as the owner after each upgrade)",
    )
    dbgrant.add_argument("role")

    demo = group("demo", "demonstration data")
    load = leaf(demo, "load", "fill an empty database with a realistic demo")
    load.add_argument(
        "--patients",
        type=number("number of patients", minimum=1, maximum=MAX_COUNT, code="invalid_count"),
        default=50,
    )
    load.add_argument("--seed", type=number("seed", maximum=MAX_ID), default=1)
    load.add_argument("--facility-name", help="the facility's name on receipts")

    facility = group("facility", "facility settings (admin)")
    fset = leaf(facility, "set", "set the facility name and currency")
    fset.add_argument("--name", required=True)
    fset.add_argument("--currency", required=True, help="ISO code, e.g. KES")
    fset.add_argument(
        "--minor-units", type=number("minor units", maximum=3), required=True, choices=[0, 2, 3]
    )
    fset.add_argument(
        "--require-shift",
        action=argparse.BooleanOptionalAction,
        default=True,
        help="cash only inside an open shift (default; --no-require-shift opts out)",
    )

    patient = group("patient", "patients")
    search = leaf(patient, "search", "find patients by MRN, name or phone")
    search.add_argument("text")
    search.add_argument("--limit", type=number("limit", minimum=1, maximum=MAX_COUNT), default=20)
    padd = leaf(patient, "add", "register a patient and open the wallet")
    padd.add_argument("--mrn", required=True)
    padd.add_argument("--name", required=True)
    padd.add_argument("--phone")
    padd.add_argument("--dob", help="YYYY-MM-DD")
    show = leaf(patient, "show", "patient, wallet balance and unpaid items")
    show.add_argument("mrn")
    pcover = leaf(patient, "cover", "record the patient's membership of a payer")
    pcover.add_argument("mrn")
    pcover.add_argument("--payer", required=True, help="payer code")
    pcover.add_argument("--member-no", required=True)
    pcover.add_argument("--valid-until", help="YYYY-MM-DD (default: no end)")

    wallet = group("wallet", "prepaid wallets")
    dep = leaf(wallet, "deposit", "top up a wallet")
    dep.add_argument("mrn")
    dep.add_argument("amount")
    dep.add_argument("--method", required=True, choices=[m.value for m in DEPOSIT_METHODS])
    dep.add_argument("--reference")
    dep.add_argument("--key", help="idempotency key (generated and printed when absent)")
    stmt = leaf(wallet, "statement", "the wallet's ledger")
    stmt.add_argument("mrn")

    pay = commands.add_parser("pay", help="take a payment", parents=[common])
    pay.add_argument("mrn")
    chosen = pay.add_mutually_exclusive_group(required=True)
    chosen.add_argument("--items", help="bill item ids, comma separated")
    chosen.add_argument("--bill", help="pay every unpaid item of this bill")
    pay.add_argument(
        "--tender",
        action="append",
        default=[],
        metavar="METHOD:AMOUNT[:REFERENCE_OR_CASH_TENDERED]",
        help="one per method: cash, card, mobile_money, wallet, insurance; "
        "none when nothing is due (fully waived items)",
    )
    pay.add_argument("--key", help="idempotency key (generated and printed when absent)")
    pay.add_argument(
        "--payer",
        help="the payer (code) whose scheme covers a share; the "
        "tenders then add up to the patient's share",
    )

    check = commands.add_parser(
        "check", help="verify every invariant (supervisor)", parents=[common]
    )
    check.add_argument(
        "--full",
        action="store_true",
        help="re-verify every audit event, not just those since the last check",
    )
    for extension in EXTENSIONS:
        extension.add_commands(commands, common)
    return parser
