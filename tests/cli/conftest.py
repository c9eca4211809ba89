"""The command line run in-process, as scripts use it, on the test books."""

from __future__ import annotations

import json
from collections.abc import Callable

import pytest

from pos_app.cli.main import main
from pos_app.services.pay import PaymentResult, pay
from pos_app.services.tenders import TenderRequest
from tests.helpers.books import PASSWORD, Books, new_key

Run = Callable[..., tuple[int, dict]]


@pytest.fixture
def cli(books, tmp_path, monkeypatch, capsys) -> Run:
    """Run one `caretill` command as a user (default supervisor); returns (exit status, JSON)."""
    monkeypatch.setenv("CARETILL_DB", books.app.settings.db_url)
    monkeypatch.setenv("CARETILL_WORKSTATION", "WS01")
    monkeypatch.setenv("CARETILL_CONFIG", str(tmp_path / "config.json"))
    monkeypatch.setenv("CARETILL_PASSWORD", PASSWORD)
    monkeypatch.setenv("CARETILL_APPROVER_PASSWORD", PASSWORD)
    monkeypatch.delenv("CARETILL_NEW_PASSWORD", raising=False)

    def run(*args: str, user: str = "supervisor") -> tuple[int, dict]:
        capsys.readouterr()
        status = main([*args, "--user", user, "--json"])
        return status, json.loads(capsys.readouterr().out)

    return run


def paid_mixed(books: Books, mrn: str = "P1") -> PaymentResult:
    """A payment of 1,200.00 (wallet 300.00 + cash 900.00) for a consultation and a drug."""
    books.patient(mrn, balance="500.00")
    items = books.bill(mrn, ("CONS", 1), ("DRUG", 2))
    return pay(
        books.app.uow(),
        actor=books.cashier,
        workstation="WS01",
        mrn=mrn,
        item_ids=items,
        key=new_key(),
        tenders=[TenderRequest("wallet", "300.00"), TenderRequest("cash", "900.00")],
    )
