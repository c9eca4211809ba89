"""`caretill user add|list|disable|enable|set-role|reset-password`: the admin's user commands.

New passwords come from CARETILL_NEW_PASSWORD or a prompt; a non-admin is refused
(exit 3, `permission_denied`) before being asked for one.
"""

from __future__ import annotations

import argparse
from dataclasses import dataclass
from typing import Any

from pos_app.cli.context import Command, Context, NoArgs, Output, prompt
from pos_app.domain.actors import Actor, Role
from pos_app.services import auth, users

ROLES = [role.value for role in Role]


def add_commands(commands: argparse._SubParsersAction, common: argparse.ArgumentParser) -> None:
    """Add the `user` group."""
    group = commands.add_parser("user", help="users (admin)", parents=[common])
    actions = group.add_subparsers(dest="action", required=True, parser_class=type(group))

    def leaf(name: str, help_text: str) -> argparse.ArgumentParser:
        parser = actions.add_parser(name, help=help_text, parents=[common])
        if name != "list":
            parser.add_argument("name")
        return parser

    add = leaf("add", "add a user (password from $CARETILL_NEW_PASSWORD or a prompt)")
    add.add_argument("--role", required=True, choices=ROLES)
    add.add_argument("--full-name", default="")
    leaf("list", "every user: role, active, locked out, must change password")
    leaf("disable", "stop a user signing in and end their open sessions")
    leaf("enable", "let a disabled user sign in again")
    leaf("set-role", "change a user's role and end their open sessions").add_argument(
        "--role", required=True, choices=ROLES
    )
    leaf(
        "reset-password",
        "set a temporary password (from $CARETILL_NEW_PASSWORD or a "
        "prompt) to be changed at the next sign-in",
    )


@dataclass(frozen=True)
class UserArgs:
    """A command about one user: `disable`, `enable`, `reset-password`."""

    name: str


@dataclass(frozen=True)
class RoleArgs:
    name: str
    role: str


@dataclass(frozen=True)
class AddArgs:
    name: str
    role: str
    full_name: str


def _new_password(ctx: Context[Any], name: str, actor: Actor | None) -> str:
    if actor is not None:  # refuse before prompting for a password that cannot be used
        actor.require(Role.ADMIN, "manage users")
    password = ctx.env.get("CARETILL_NEW_PASSWORD")
    if password is None:
        password = prompt(f"New password for {name}: ")
    return password


def user_add(ctx: Context[AddArgs]) -> Output:
    has_user = bool(ctx.user or ctx.env.get("CARETILL_USER"))
    actor = ctx.actor() if has_user else None  # the very first user is added by nobody
    password = _new_password(ctx, ctx.args.name, actor)
    user = auth.add_user(
        ctx.app.uow(),
        actor=actor,
        workstation=ctx.app.workstation,
        username=ctx.args.name,
        role=ctx.args.role,
        password=password,
        full_name=ctx.args.full_name,
    )
    return (
        {"user_id": user.user_id, "username": user.username, "role": user.role.value},
        f"User {user.username} added as {user.role}.",
    )


def user_list(ctx: Context[NoArgs]) -> Output:
    found = users.list_users(ctx.app.uow(), actor=ctx.actor())
    lines = [
        f"{u.username:<20} {u.role:<11} {'active' if u.active else 'disabled':<9}"
        f"{' locked' if u.locked else ''}"
        f"{' must-change-password' if u.must_change_password else ''}"
        for u in found
    ]
    return {"users": [u.to_json() for u in found]}, "\n".join(lines) or "No users."


def user_disable(ctx: Context[UserArgs]) -> Output:
    user = users.disable_user(
        ctx.app.uow(), actor=ctx.actor(), workstation=ctx.app.workstation, username=ctx.args.name
    )
    return user.to_json(), f"User {user.username} is disabled; their sessions have ended."


def user_enable(ctx: Context[UserArgs]) -> Output:
    user = users.enable_user(
        ctx.app.uow(), actor=ctx.actor(), workstation=ctx.app.workstation, username=ctx.args.name
    )
    return user.to_json(), f"User {user.username} is enabled."


def user_set_role(ctx: Context[RoleArgs]) -> Output:
    user = users.set_role(
        ctx.app.uow(),
        actor=ctx.actor(),
        workstation=ctx.app.workstation,
        username=ctx.args.name,
        role=ctx.args.role,
    )
    return user.to_json(), f"User {user.username} is now a {user.role}."


def user_reset_password(ctx: Context[UserArgs]) -> Output:
    actor = ctx.actor()
    password = _new_password(ctx, ctx.args.name, actor)
    user = users.reset_password(
        ctx.app.uow(),
        actor=actor,
        workstation=ctx.app.workstation,
        username=ctx.args.name,
        new_password=password,
    )
    return user.to_json(), (
        f"Password of {user.username} reset; they must change it at their next sign-in."
    )


HANDLERS: dict[tuple[str, str], Command[Any]] = {
    ("user", "add"): Command(AddArgs, user_add),
    ("user", "list"): Command(NoArgs, user_list),
    ("user", "disable"): Command(UserArgs, user_disable),
    ("user", "enable"): Command(UserArgs, user_enable),
    ("user", "set-role"): Command(RoleArgs, user_set_role),
    ("user", "reset-password"): Command(UserArgs, user_reset_password),
}
