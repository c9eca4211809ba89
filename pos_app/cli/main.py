"""Entry point of `caretill` and `python main.py`: exit codes and error output per SPEC.md."""

from __future__ import annotations

import json
import logging
import sys
from collections.abc import Sequence

from pos_app import config
from pos_app.bootstrap import build
from pos_app.cli.commands import COMMANDS
from pos_app.cli.context import Context, arguments
from pos_app.cli.extensions import EXTENSIONS
from pos_app.cli.parser import build_parser
from pos_app.domain.errors import CareTillError, OutcomeUnknown
from pos_app.domain.text import terminal_safe

log = logging.getLogger("caretill")
INTERNAL_ERROR = 1


def main(argv: Sequence[str] | None = None) -> int:
    """Run one command; returns the exit status (0 done, 2 input, 3 refused, 4 busy, 5 down)."""
    argv = list(sys.argv[1:] if argv is None else argv)
    as_json = "--json" in argv
    try:
        args = build_parser().parse_args(argv)
        as_json = bool(getattr(args, "json", False))
        settings = config.resolve(
            db=getattr(args, "db", None), workstation=getattr(args, "workstation", None)
        )
        if args.command is None:
            from pos_app.gui.app import run_window

            return run_window(settings)
        handlers = dict(COMMANDS)
        for extension in EXTENSIONS:
            handlers.update(extension.HANDLERS)
        command = handlers[(args.command, getattr(args, "action", None))]
        parsed = arguments(command.args, args)
        app = build(settings)
        ctx = Context(app, parsed, user=getattr(args, "user", None))
        try:
            payload, text = command.run(ctx)
        except OutcomeUnknown as error:  # the key is what makes a retry safe: say it
            raise (error.with_key(ctx.key) if ctx.key else error) from error
        finally:
            try:
                ctx.sign_out()
            finally:
                app.close()
    except CareTillError as error:
        _fail(error.code, error.message, as_json, error.details, getattr(error, "report", None))
        return error.exit_status
    except KeyboardInterrupt:
        _fail("interrupted", "Interrupted; nothing was charged.", as_json)
        return 130
    except Exception:  # a bug: keep the traceback, tell the cashier nothing was charged
        log.exception("internal error")
        _fail("internal_error", "Internal error: nothing was charged. See the log.", as_json)
        return INTERNAL_ERROR
    print(json.dumps(payload, ensure_ascii=False) if as_json else terminal_safe(text))
    return 0


def _fail(
    code: str,
    message: str,
    as_json: bool,
    details: dict | None = None,
    report: tuple[dict, str] | None = None,
) -> None:
    """The error, after what the command still had to say (`check` lists its findings)."""
    payload, text = report or ({}, "")
    if as_json:
        error = {"code": code, "message": message, **(details or {})}
        print(json.dumps({**payload, "error": error}, ensure_ascii=False))
    else:
        if text:
            print(terminal_safe(text))
        print(f"caretill: {terminal_safe(message)}", file=sys.stderr)


def run() -> None:
    """Console-script wrapper."""
    logging.basicConfig(level=logging.WARNING, format="%(asctime)s %(name)s %(message)s")
    sys.exit(main())
