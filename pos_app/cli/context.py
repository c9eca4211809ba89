"""One command-line invocation: the app, the command's typed arguments and who signed in.

Each command declares its options as a frozen dataclass; `Command` pairs it with the
handler, and `arguments` builds it from argparse's namespace, so a handler reads
`ctx.args.mrn` as a checked `str` rather than an attribute of a bare Namespace.
"""

from __future__ import annotations

import argparse
import getpass
import os
import sys
import uuid
from collections.abc import Callable
from contextlib import suppress
from dataclasses import dataclass, field, fields
from typing import TYPE_CHECKING, Generic, Protocol, TypeVar

from pos_app.bootstrap import App
from pos_app.domain.actors import Actor
from pos_app.domain.errors import BadInput, CareTillError
from pos_app.services import auth

if TYPE_CHECKING:
    from _typeshed import DataclassInstance

Output = tuple[dict, str]
A = TypeVar("A")
D = TypeVar("D", bound="DataclassInstance")

# Options every command takes (`--db`, `--json`...) and argparse's own bookkeeping: the
# invocation reads these; a command's arguments hold one only by declaring it.
SHARED = frozenset({"db", "workstation", "user", "json", "command", "action"})


@dataclass(frozen=True)
class NoArgs:
    """The arguments of a command that takes none of its own."""


@dataclass
class Context(Generic[A]):
    """One invocation: the app, the command's arguments, and the signed-in user once asked for."""

    app: App
    args: A
    user: str | None = None  # --user
    env: dict[str, str] = field(default_factory=lambda: dict(os.environ))
    key: str | None = None  # the money command's idempotency key, once chosen
    _actor: Actor | None = None

    def actor(self) -> Actor:
        """Sign in as --user / CARETILL_USER with CARETILL_PASSWORD or a prompt."""
        if self._actor is None:
            username = self.user or self.env.get("CARETILL_USER")
            if not username:
                raise BadInput("Say who you are: --user NAME or CARETILL_USER.", code="no_user")
            password = self.env.get("CARETILL_PASSWORD")
            if password is None:
                password = prompt(f"Password for {username}: ")
            self._actor = auth.sign_in(
                self.app.uow(), username, password, workstation=self.app.workstation
            )
        return self._actor

    def sign_out(self) -> None:
        """End this command's session, if it signed in: the CLI signs in per command."""
        if self._actor is not None:
            actor, self._actor = self._actor, None
            # The command's own outcome stands; a session left open by a lost
            # connection is harmless once this process, its only holder, exits.
            with suppress(CareTillError):
                auth.sign_out(
                    self.app.uow(), actor, workstation=self.app.workstation, reason="cli_exit"
                )


@dataclass(frozen=True)
class Command(Generic[A]):
    """A command's argument type and its handler; mypy checks that the two agree."""

    args: type[A]
    run: Callable[[Context[A]], Output]


def arguments(kind: type[D], namespace: argparse.Namespace) -> D:
    """`kind` filled from the parsed namespace; an option it does not declare is a bug."""
    names = {f.name for f in fields(kind)}
    given = {
        name: value
        for name, value in vars(namespace).items()
        if name in names or name not in SHARED
    }
    if stray := set(given) - names:
        raise TypeError(f"{kind.__name__} does not declare the options {sorted(stray)}")
    return kind(**given)


class Keyed(Protocol):
    """Arguments of a command that takes `--key` (an idempotency key)."""

    @property
    def key(self) -> str | None: ...


K = TypeVar("K", bound=Keyed)


def money_key(ctx: Context[K]) -> str:
    """--key or a new one, remembered so a failure can tell which key retries safely."""
    if ctx.key is None:
        ctx.key = ctx.args.key or f"cli-{uuid.uuid4().hex}"
    return ctx.key


def prompt(text: str) -> str:
    """A password typed at the terminal; refused when nobody is there to type it."""
    if not sys.stdin or not sys.stdin.isatty():
        raise BadInput(
            "No password: set CARETILL_PASSWORD or run in a terminal.", code="no_password"
        )
    return getpass.getpass(text)
