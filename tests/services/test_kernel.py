"""The money kernel's skeleton, on in-memory books: no database, milliseconds per test."""

from __future__ import annotations

from dataclasses import dataclass, field

import pytest

from pos_app.adapters.books import OPERATIONS
from pos_app.adapters.ledger import Slot
from pos_app.domain import effects as fx
from pos_app.domain.actors import Actor, Role
from pos_app.domain.errors import Refused
from pos_app.services import kernel
from pos_app.services.locks import Lock, Locks
from pos_app.services.results import JsonResult
from tests.helpers.fake_books import FakeBooks, FakeUow

ACTOR = Actor(1, "amina", Role.CASHIER)


@dataclass(frozen=True)
class Done(JsonResult):
    receipt_no: str
    audit_hash: str
    replayed: bool = False


@dataclass
class Credit:
    """A small money command: credits wallet 7 by `amount`; records what the kernel called."""

    amount: int
    key: str | None = "key-000001"
    fail_in: str | None = None
    calls: list[str] = field(default_factory=list)
    name: str = "credit"

    def request(self) -> dict:
        return {"amount": self.amount}

    def replay(self, stored: dict) -> Done:
        self.calls.append("replay")
        return Done.from_json(stored, replayed=True)

    def lock(self, locks: Locks) -> int:
        self.calls.append("lock")
        if self.fail_in == "lock":
            raise Refused("No.", code="refused")
        locks.counter("WS01", with_receipt=True)
        return 100

    def decide(self, balance: int, slot: Slot) -> kernel.Decision[Done]:
        self.calls.append("decide")
        if self.fail_in == "decide":
            raise RuntimeError("effects step failed")
        effects = (
            fx.ReceiptIssued(
                slot.receipt_no, slot.workstation, slot.receipt_seq, "deposit", 3, ACTOR.user_id
            ),
            fx.WalletEntry(7, "deposit", self.amount, balance + self.amount, slot.receipt_no),
        )
        return kernel.Decision(
            ACTOR,
            "deposit",
            slot.receipt_no,
            {"amount": self.amount},
            effects,
            lambda digest: Done(slot.receipt_no, digest),
        )


def run(books: FakeBooks, command: Credit) -> tuple[Done, FakeUow]:
    uow = FakeUow(books)
    return kernel.run(uow, command, books=books), uow  # type: ignore[arg-type]


def test_a_command_records_its_effects_in_the_event_then_applies_them_in_order():
    books = FakeBooks()
    result, uow = run(books, Credit(500))
    kinds = [kind for kind, _ in books.committed]
    assert kinds == ["event", "apply", "apply", "store"]
    event = books.committed[0][1]
    assert event["details"]["amount"] == 500
    assert event["details"]["effects"] == [
        {
            "effect": "receipt",
            "receipt_no": "WS01-000001",
            "workstation": "WS01",
            "seq": 1,
            "kind": "deposit",
            "patient_id": 3,
            "cashier_id": 1,
        },
        {
            "effect": "wallet_entry",
            "wallet_id": 7,
            "kind": "deposit",
            "amount_minor": 500,
            "balance_after_minor": 600,
            "receipt_no": "WS01-000001",
        },
    ]
    assert [type(applied[0]) for _, applied in books.committed[1:3]] == [
        fx.ReceiptIssued,
        fx.WalletEntry,
    ]
    assert {applied[1] for _, applied in books.committed[1:3]} == {"hash-1"}
    assert result == Done("WS01-000001", "hash-1")
    assert uow.commits == 1


@pytest.mark.parametrize("step", ["lock", "decide"])
def test_a_command_failing_before_its_event_leaves_nothing_applied_or_committed(step):
    books = FakeBooks()
    with pytest.raises((Refused, RuntimeError)):
        run(books, Credit(500, fail_in=step))
    assert books.committed == [] and books.pending == []


def test_a_replayed_key_returns_the_stored_result_without_locking_or_computing_effects():
    books = FakeBooks()
    first, _ = run(books, Credit(500))
    again = Credit(500)
    replayed, uow = run(books, again)
    assert again.calls == ["replay"]
    assert replayed == Done(first.receipt_no, first.audit_hash, replayed=True)
    assert uow.commits == 0
    assert [kind for kind, _ in books.committed].count("event") == 1


def test_a_command_without_a_key_claims_and_stores_nothing():
    books = FakeBooks()
    run(books, Credit(500, key=None))
    assert books.keys == {}
    assert [kind for kind, _ in books.committed] == ["event", "apply", "apply"]


def test_a_command_that_takes_no_workstation_counter_is_a_bug():
    class NoCounter(Credit):
        def lock(self, locks: Locks) -> int:
            return 0

    with pytest.raises(AssertionError, match="no workstation counter"):
        run(FakeBooks(), NoCounter(1))


def test_locks_taken_out_of_the_one_order_are_refused_before_any_lock():
    locks = Locks(FakeUow(FakeBooks()), FakeBooks())  # type: ignore[arg-type]
    locks.counter("WS01", with_receipt=False)
    with pytest.raises(AssertionError, match="WALLET taken after COUNTER"):
        locks.wallet("MRN1")
    with pytest.raises(AssertionError, match="COUNTER taken after COUNTER"):
        locks.counter("WS01", with_receipt=False)


def test_the_lock_order_is_wallet_items_stock_counter_shift():
    assert list(Lock) == sorted(Lock)
    assert Lock.WALLET < Lock.BILL_ITEMS < Lock.STOCK < Lock.COUNTER < Lock.SHIFT


def test_every_effect_has_its_named_ledger_operation():
    def leaves(cls: type) -> set[type]:
        found = set()
        for sub in cls.__subclasses__():
            found |= {sub} | leaves(sub)
        return found

    rows_inside_others = {
        fx.TenderRow,
        fx.PaymentItemRow,
        fx.LabOrder,
        fx.StockMovement,
        fx.PayoutRow,
        fx.ReversalItemRow,
        fx.ShiftTenderRow,
    }
    assert leaves(fx.Effect) - rows_inside_others == set(OPERATIONS)
