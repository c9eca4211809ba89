"""In-memory books and unit of work: the kernel's skeleton tested in milliseconds.

`FakeBooks` keeps keys, events and applied effects in lists that only become
`committed` when the fake unit of work commits, as a database transaction would.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from pos_app.adapters.books import Stamp
from pos_app.adapters.ledger import Slot
from pos_app.domain.actors import Actor
from pos_app.domain.effects import Effect

AT = datetime(2024, 5, 1, 9, 30, tzinfo=UTC)


@dataclass
class FakeUow:
    """Commits by copying the books' pending writes into their committed state."""

    books: FakeBooks
    commits: int = 0

    def commit(self) -> None:
        self.books.committed.extend(self.books.pending)
        self.books.keys.update(self.books.pending_keys)
        self.books.pending.clear()
        self.books.pending_keys.clear()
        self.commits += 1


@dataclass
class FakeBooks:
    """The kernel's `Books`, in memory; every write lands in `pending` until commit."""

    keys: dict[str, tuple[str, dict, dict | None]] = field(default_factory=dict)
    pending_keys: dict[str, tuple[str, dict, dict | None]] = field(default_factory=dict)
    pending: list[tuple[str, Any]] = field(default_factory=list)
    committed: list[tuple[str, Any]] = field(default_factory=list)
    seq: int = 0

    def claim(self, uow: FakeUow, key: str, command: str, request: dict) -> dict | None:
        if key in self.keys:
            return self.keys[key][2]
        self.pending_keys[key] = (command, request, None)
        return None

    def store(self, uow: FakeUow, key: str, result: dict) -> None:
        command, request, _ = self.pending_keys[key]
        self.pending_keys[key] = (command, request, result)
        self.pending.append(("store", key))

    def take_slot(self, uow: FakeUow, workstation: str, *, with_receipt: bool) -> Slot:
        self.seq += 1
        return Slot(workstation, self.seq, self.seq, "0" * 64, AT)

    def append_event(
        self,
        uow: FakeUow,
        slot: Slot,
        *,
        actor: Actor | None,
        action: str,
        receipt_no: str | None,
        details: dict,
    ) -> str:
        self.pending.append(
            ("event", {"action": action, "receipt_no": receipt_no, "details": details})
        )
        return f"hash-{slot.audit_seq}"

    def apply(self, uow: FakeUow, effect: Effect, stamp: Stamp) -> None:
        self.pending.append(("apply", (effect, stamp.audit_hash)))
