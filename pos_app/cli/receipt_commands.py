"""`caretill receipt show|verify`: reprint a receipt (counted, audited) or check a QR code.

`receipt show` renders an already issued receipt, so it is always a reprint: it
says COPY n, adds one to the receipt's reprint count and writes an audit event
(the reason defaults to the command line). The original is what `pay`,
`wallet deposit`, `payment reverse|approve` (a refund) and `wallet withdraw`
issue. `receipt verify` exits 0 for a genuine receipt code and 3
(`receipt_not_genuine`) otherwise.
"""

from __future__ import annotations

import argparse
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pos_app.cli.arg_types import number
from pos_app.cli.context import Command, Context, Output
from pos_app.domain.errors import BadInput, Refused
from pos_app.receipts.escpos import escpos_bytes, send_to_printer
from pos_app.receipts.pdf import render_pdf
from pos_app.receipts.printer_config import printer_config
from pos_app.receipts.text import WIDTHS, render_text
from pos_app.services import receipts

DEFAULT_REASON = "reprint requested at the command line"
FORMATS = ("text", "pdf", "escpos")


def add_commands(commands: argparse._SubParsersAction, common: argparse.ArgumentParser) -> None:
    """Add `receipt show` and `receipt verify` to the command line."""
    group = commands.add_parser("receipt", help="receipts", parents=[common])
    actions = group.add_subparsers(dest="action", required=True, parser_class=type(group))
    show = actions.add_parser(
        "show", parents=[common], help="reprint a receipt (says COPY n; counted and audited)"
    )
    show.add_argument("receipt_no")
    show.add_argument("--format", choices=FORMATS, default="text")
    show.add_argument("--out", help="file to write (required for pdf and escpos)")
    show.add_argument(
        "--width",
        type=number("paper width", maximum=max(WIDTHS)),
        choices=sorted(WIDTHS),
        help="paper width in mm (default: this workstation's printer, else 80)",
    )
    show.add_argument("--reprint-reason", help=f"why it is reprinted (default: {DEFAULT_REASON})")
    show.add_argument(
        "--print",
        action="store_true",
        dest="to_printer",
        help="also send it to this workstation's receipt printer",
    )
    verify = actions.add_parser(
        "verify", parents=[common], help="check a scanned or typed receipt QR code"
    )
    verify.add_argument("payload")


@dataclass(frozen=True)
class ShowArgs:
    receipt_no: str
    format: str
    out: str | None
    width: int | None
    reprint_reason: str | None
    to_printer: bool


def receipt_show(ctx: Context[ShowArgs]) -> Output:
    args = ctx.args
    if args.format != "text" and not args.out:
        raise BadInput(
            f"--format {args.format} writes a file: give --out FILE.", code="missing_out"
        )
    config = printer_config(ctx.app.settings.local, ctx.app.workstation)
    columns = WIDTHS[args.width] if args.width else config.columns
    receipt = receipts.get_receipt(
        ctx.app.uow(),
        actor=ctx.actor(),
        workstation=ctx.app.workstation,
        receipt_no=args.receipt_no,
        reprint_reason=args.reprint_reason or DEFAULT_REASON,
    )
    lines = render_text(receipt, columns=columns)
    if args.format == "pdf" and args.out:
        render_pdf(receipt, Path(args.out), columns=columns)
    elif args.format == "escpos" and args.out:
        Path(args.out).write_bytes(
            escpos_bytes(
                receipt,
                columns=columns,
                cut=config.cut,
                code_page=config.code_page,
                native_qr=config.qr == "native",
            )
        )
    elif args.out:
        Path(args.out).write_text("\n".join(lines) + "\n", encoding="utf-8")
    if args.to_printer:
        send_to_printer(receipt, config)
    payload = {
        "receipt_no": receipt.receipt_no,
        "kind": receipt.kind,
        "copy": receipt.copy_number,
        "format": args.format,
        "out": args.out,
        "printed": bool(args.to_printer),
        "lines": lines,
    }
    if args.format == "text" and not args.out:
        return payload, "\n".join(lines)
    return payload, (
        f"Receipt {receipt.receipt_no} (COPY {receipt.copy_number}) written to "
        f"{args.out or 'the printer'}."
    )


@dataclass(frozen=True)
class VerifyArgs:
    payload: str


def receipt_verify(ctx: Context[VerifyArgs]) -> Output:
    result = receipts.verify_receipt(
        ctx.app.uow(write=False), actor=ctx.actor(), payload=ctx.args.payload
    )
    if not result.genuine:
        raise Refused(f"NOT GENUINE: {result.reason}", code="receipt_not_genuine")
    return result.to_json(), f"GENUINE: {result.reason}"


HANDLERS: dict[tuple[str, str], Command[Any]] = {
    ("receipt", "show"): Command(ShowArgs, receipt_show),
    ("receipt", "verify"): Command(VerifyArgs, receipt_verify),
}
