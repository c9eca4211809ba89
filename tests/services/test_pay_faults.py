"""SPEC rule 2: a crash at any step of the cascade leaves every table exactly as before."""

import pytest

from pos_app.adapters import idempotency, items, ledger, payments, receipts_repo, stock, wallets
from pos_app.services.check import run_check
from tests.helpers.money import pay_items, tender

# Every step a payment takes after its checks, in the order the kernel runs them.
STEPS = [
    (ledger, "take_slot"),
    (ledger, "append_event"),
    (receipts_repo, "issue"),
    (wallets, "debit"),
    (payments, "record"),  # with its items, tenders and lab results
    (items, "settle"),
    (stock, "take"),
    (idempotency, "store"),
]


class InjectedCrash(Exception):
    """Stands for a power cut or a bug right after a step wrote its rows."""


@pytest.mark.parametrize(("module", "name"), STEPS, ids=[name for _, name in STEPS])
def test_a_crash_after_any_step_leaves_the_database_exactly_as_before(
    books, monkeypatch, module, name
):
    mrn = books.patient("P1", balance="5000.00")
    items = books.bill(mrn, ("CONS", 1), ("LAB", 1), ("DRUG", 2))
    before = books.snapshot()
    real = getattr(module, name)
    calls = []

    def crash_after(*args, **kwargs):
        real(*args, **kwargs)
        calls.append(name)
        raise InjectedCrash(name)

    monkeypatch.setattr(module, name, crash_after)
    with pytest.raises(InjectedCrash):
        pay_items(books, mrn, items, tender("wallet", "1000.00"), tender("cash", "700.00"))
    assert calls == [name], "the injected step must have run before the crash"
    assert books.snapshot() == before
    monkeypatch.undo()
    result = pay_items(books, mrn, items, tender("wallet", "1000.00"), tender("cash", "700.00"))
    assert result.receipt_no == "WS01-000002", "the crashed payment's number is reused: gapless"
    assert run_check(books.app.uow(), actor=books.supervisor) == []
