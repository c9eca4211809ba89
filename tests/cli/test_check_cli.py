"""`caretill check` exits 0 only when every invariant holds, else 3 `integrity_violation`."""

import json

import pytest
from sqlalchemy import text

from pos_app.cli.main import main
from tests.helpers.books import PASSWORD
from tests.helpers.money import pay_items, tender
from tests.helpers.postgres import as_owner


@pytest.fixture
def check_args(books, monkeypatch, tmp_path):
    """Books with a payment, and the command line that checks them as the supervisor."""
    mrn = books.patient("P1", balance="3000.00")
    pay_items(books, mrn, books.bill(mrn, ("CONS", 1)), tender("wallet", "1000.00"))
    monkeypatch.setenv("CARETILL_CONFIG", str(tmp_path / "config.json"))
    monkeypatch.setenv("CARETILL_USER", "supervisor")
    monkeypatch.setenv("CARETILL_PASSWORD", PASSWORD)
    url = books.app.engine.url.render_as_string(hide_password=False)
    return ["--db", url, "--workstation", "WS01", "check"]


def _break_a_wallet(books) -> None:
    with as_owner(books.app) as insider, insider.begin() as conn:
        conn.execute(text("UPDATE wallets SET balance_minor = balance_minor + 100"))


def test_clean_books_exit_0(books, check_args, capsys):
    assert main([*check_args, "--json"]) == 0
    assert json.loads(capsys.readouterr().out) == {"ok": True, "findings": []}


def test_a_finding_exits_3_with_the_findings_and_the_error(books, check_args, capsys):
    _break_a_wallet(books)
    assert main([*check_args, "--json"]) == 3
    answer = json.loads(capsys.readouterr().out)
    assert answer["ok"] is False
    assert "wallet_balance_equals_ledger" in {f["rule"] for f in answer["findings"]}
    assert answer["error"]["code"] == "integrity_violation" and answer["error"]["message"]


def test_in_text_each_finding_is_listed_then_the_last_line(books, check_args, capsys):
    _break_a_wallet(books)
    assert main(check_args) == 3
    out, err = capsys.readouterr()
    assert out.startswith("wallet_balance_equals_ledger: ")
    assert err.startswith("caretill: ") and "finding" in err and err.count("\n") == 1
