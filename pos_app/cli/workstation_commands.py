"""`caretill workstation enroll|revoke|list`: the workstation keys that sign the audit chains.

`enroll` (admin) runs at the workstation itself: it makes the workstation's key in its
data folder if it has none (a new one if the old was revoked) and enrols it, so its
first payment needs no enrolment. `revoke WS` (admin) makes every later event signed
by WS's key a finding; `list` (supervisor) shows every key, new workstations first.
"""

from __future__ import annotations

import argparse
from dataclasses import dataclass
from typing import Any

from pos_app.cli.context import Command, Context, NoArgs, Output
from pos_app.config import check_workstation
from pos_app.services import workstations


def add_commands(commands: argparse._SubParsersAction, common: argparse.ArgumentParser) -> None:
    """Add the `workstation` group."""
    group = commands.add_parser("workstation", help="workstation signing keys", parents=[common])
    actions = group.add_subparsers(dest="action", required=True, parser_class=type(group))
    actions.add_parser(
        "enroll", parents=[common], help="enrol this workstation's signing key (admin)"
    )
    revoke = actions.add_parser(
        "revoke", parents=[common], help="revoke a workstation's signing key (admin)"
    )
    revoke.add_argument("target", metavar="WORKSTATION")
    revoke.add_argument("--key-id", help="only this key (default: every active key)")
    actions.add_parser("list", parents=[common], help="every enrolled key (supervisor)")


def workstation_enroll(ctx: Context[NoArgs]) -> Output:
    key, new = workstations.enroll(
        ctx.app.uow(), actor=ctx.actor(), workstation=ctx.app.workstation
    )
    verb = "enrolled" if new else "was already enrolled"
    return (
        {**key.to_json(), "enrolled": new},
        f"Workstation {key.workstation} {verb} with key {key.key_id}.",
    )


@dataclass(frozen=True)
class RevokeArgs:
    target: str
    key_id: str | None


def workstation_revoke(ctx: Context[RevokeArgs]) -> Output:
    revoked = workstations.revoke(
        ctx.app.uow(),
        actor=ctx.actor(),
        workstation=ctx.app.workstation,
        target=check_workstation(ctx.args.target),
        key_id=ctx.args.key_id,
    )
    return (
        {"revoked": [key.to_json() for key in revoked]},
        "\n".join(f"Key {key.key_id} of {key.workstation} revoked." for key in revoked),
    )


def workstation_list(ctx: Context[NoArgs]) -> Output:
    keys = workstations.list_keys(ctx.app.uow(write=False), actor=ctx.actor())
    lines = [
        f"{k.workstation:<12} {k.key_id}  enrolled {k.enrolled_at[:19]} by "
        f"{k.enrolled_by or '-'}"
        + (f"  REVOKED {k.revoked_at[:19]} by {k.revoked_by}" if k.revoked_at else "")
        for k in keys
    ]
    return {"keys": [k.to_json() for k in keys]}, "\n".join(lines) or "No workstation enrolled."


HANDLERS: dict[tuple[str, str], Command[Any]] = {
    ("workstation", "enroll"): Command(NoArgs, workstation_enroll),
    ("workstation", "revoke"): Command(RevokeArgs, workstation_revoke),
    ("workstation", "list"): Command(NoArgs, workstation_list),
}
