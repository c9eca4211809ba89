"""`caretill import patients|services|stock|bills|memberships FILE.csv`: admin imports.

Each file is checked whole and written in one transaction, or refused with exit 2
(`invalid_import`) naming each bad line; nothing is written then. Admins only
(exit 3, `permission_denied`, for anyone else).
"""

from __future__ import annotations

import argparse
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pos_app.cli.context import Command, Context, Output
from pos_app.domain.actors import Role
from pos_app.domain.errors import BadInput
from pos_app.services import imports

COLUMNS = {
    "patients": "mrn,name[,phone][,dob YYYY-MM-DD]",
    "services": "code,name,kind,department,unit_price[,stock_code][,lab_test_code][,active]",
    "stock": "code,name,quantity[,unit]",
    "bills": "bill_no,mrn,service_code,quantity[,unit_price]",
    "memberships": "mrn,payer_code,member_no[,valid_until YYYY-MM-DD]",
}


def add_commands(commands: argparse._SubParsersAction, common: argparse.ArgumentParser) -> None:
    """Add `import KIND FILE` for each kind of import."""
    group = commands.add_parser("import", help="import CSV files (admin)", parents=[common])
    actions = group.add_subparsers(dest="action", required=True, parser_class=type(group))
    for kind, columns in COLUMNS.items():
        leaf = actions.add_parser(
            kind, parents=[common], help=f"import {kind} from a CSV file with the header {columns}"
        )
        leaf.add_argument("file", help="CSV file, UTF-8, header row first")
        if imports.KINDS[kind].ADDS_UP:
            leaf.add_argument(
                "--repeat",
                action="store_true",
                help="receive a file already imported once more "
                "(a second delivery with the same lines)",
            )


@dataclass(frozen=True)
class ImportArgs:
    action: str  # the kind of import: the sub-command's name
    file: str
    repeat: bool = False  # only kinds that add up take --repeat


def import_command(ctx: Context[ImportArgs]) -> Output:
    kind = ctx.args.action
    actor = ctx.actor()
    actor.require(Role.ADMIN, f"import {kind}")  # before reading a file it may not use
    path = Path(ctx.args.file)
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise BadInput(
            f"Cannot read {path}: {exc.strerror or exc}.", code="invalid_import"
        ) from exc
    result = imports.import_csv(
        ctx.app.uow(),
        actor=actor,
        workstation=ctx.app.workstation,
        kind=kind,
        data=data,
        source=path.name,
        repeat=ctx.args.repeat,
    )
    if result.already_imported:
        return result.to_json(), (
            f"{path.name} was already imported as {kind}; nothing "
            "changed (use --repeat for a second delivery)."
        )
    return result.to_json(), (
        f"Imported {kind} from {path.name}: {result.added} added, "
        f"{result.updated} updated, {result.skipped} skipped."
    )


HANDLERS: dict[tuple[str, str], Command[Any]] = {
    ("import", kind): Command(ImportArgs, import_command) for kind in COLUMNS
}
