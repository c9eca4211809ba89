"""The money kernel: the one skeleton every money command runs through (SPEC rules 2, 5, 8).

    validate             the service parses and checks the request, builds the command
    claim the key        a replayed key returns the stored result; nothing else runs
    lock                 command.lock(locks): rows in the one order of `locks.Lock`,
                         ending with the workstation counter (receipt number, audit slot)
    compute the effects  command.decide(state, slot): pure, every row as plain data
    append the event     the audit event records the effects (details["effects"])
    apply                each effect through its named ledger operation (adapters/books)
    store the result     under the key, for replays
    commit               once; a refusal or crash at any step rolls every step back

A new money command supplies its validation, its locks and its effects, nothing else.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Generic, Protocol, TypeVar

from pos_app.adapters.books import SQL_BOOKS, Stamp
from pos_app.adapters.ledger import Slot
from pos_app.adapters.uow import UnitOfWork
from pos_app.domain.actors import Actor
from pos_app.domain.effects import Effect, effects_json
from pos_app.services.locks import Locks

R = TypeVar("R")
S = TypeVar("S")


@dataclass(frozen=True)
class Decision(Generic[R]):
    """What a command decided: its audit event, its effects and its result.

    `details` are the event's readable keys (kept for receipts and the audit trail);
    the kernel adds the effects. `result` makes the command's result from the event's
    hash (a receipt's QR carries it).
    """

    actor: Actor
    action: str
    receipt_no: str | None
    details: dict[str, Any]
    effects: tuple[Effect, ...]
    result: Callable[[str], R]


class MoneyCommand(Protocol[S, R]):
    """A money command as the kernel runs it; `key` None means no idempotency key."""

    @property  # read-only, so frozen dataclasses and a `key: str` satisfy it
    def name(self) -> str: ...

    @property
    def key(self) -> str | None: ...

    def request(self) -> dict[str, Any]: ...

    def replay(self, stored: dict[str, Any]) -> R: ...

    def lock(self, locks: Locks) -> S: ...

    def decide(self, state: S, slot: Slot) -> Decision[R]: ...


class Books(Protocol):
    """The operations the kernel runs between a command's steps (adapters/books.py)."""

    def claim(
        self, uow: UnitOfWork, key: str, command: str, request: dict[str, Any]
    ) -> dict | None: ...

    def store(self, uow: UnitOfWork, key: str, result: dict[str, Any]) -> None: ...

    def take_slot(self, uow: UnitOfWork, workstation: str, *, with_receipt: bool) -> Slot: ...

    def append_event(
        self,
        uow: UnitOfWork,
        slot: Slot,
        *,
        actor: Actor | None,
        action: str,
        receipt_no: str | None,
        details: dict[str, Any],
    ) -> str: ...

    def apply(self, uow: UnitOfWork, effect: Effect, stamp: Stamp) -> None: ...


def run(uow: UnitOfWork, command: MoneyCommand[S, R], *, books: Books = SQL_BOOKS) -> R:
    """Run `command` inside the caller's open `with uow:` block and commit it."""
    claimed = _claim(uow, command, books)
    if claimed is not None:
        return claimed
    result = _write(uow, command, books)
    uow.commit()
    return result


def execute(uow: UnitOfWork, command: MoneyCommand[S, R], *, books: Books = SQL_BOOKS) -> R:
    """Every step of `run` but the commit: an approved request executes its action this way,
    and the approval's own event follows in the same transaction."""
    claimed = _claim(uow, command, books)
    return claimed if claimed is not None else _write(uow, command, books)


def _claim(uow: UnitOfWork, command: MoneyCommand[S, R], books: Books) -> R | None:
    """The stored result when the command's key was used already; None claims it now."""
    if command.key is not None:
        stored = books.claim(uow, command.key, command.name, command.request())
        if stored is not None:
            return command.replay(stored)
    return None


def _write(uow: UnitOfWork, command: MoneyCommand[S, R], books: Books) -> R:
    locks = Locks(uow, books)
    state = command.lock(locks)
    if locks.slot is None:
        raise AssertionError(f"{command.name} took no workstation counter")
    decision = command.decide(state, locks.slot)
    digest = books.append_event(
        uow,
        locks.slot,
        actor=decision.actor,
        action=decision.action,
        receipt_no=decision.receipt_no,
        details={**decision.details, "effects": effects_json(decision.effects)},
    )
    stamp = Stamp(locks.slot.at, digest)
    for effect in decision.effects:
        books.apply(uow, effect, stamp)
    result = decision.result(digest)
    if command.key is not None:
        books.store(uow, command.key, result.to_json())  # type: ignore[attr-defined]
    return result


def plain_details(result_json: dict[str, Any]) -> dict[str, Any]:
    """A result's JSON as the event keeps it: without the hash (not known yet) or `replayed`."""
    return {k: v for k, v in result_json.items() if k not in ("audit_hash", "replayed")}
