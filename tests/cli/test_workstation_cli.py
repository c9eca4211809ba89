"""`caretill workstation enroll|revoke|list`, and `check --full` naming a forged event."""

from __future__ import annotations

import json

import pytest

from pos_app.cli.main import main
from tests.helpers.books import PASSWORD
from tests.helpers.tamper import tamper


@pytest.fixture
def cli(books, monkeypatch, tmp_path, capsys):
    """Run `caretill ... --json` as a user at a workstation; (exit status, JSON answer)."""
    books.patient("P1")
    monkeypatch.setenv("CARETILL_CONFIG", str(tmp_path / "config.json"))
    monkeypatch.setenv("CARETILL_PASSWORD", PASSWORD)
    url = books.app.engine.url.render_as_string(hide_password=False)

    def run(user: str, *args: str, workstation: str = "WS01") -> tuple[int, dict]:
        capsys.readouterr()
        status = main(["--db", url, "--user", user, "--workstation", workstation, *args, "--json"])
        return status, json.loads(capsys.readouterr().out)

    return run


def test_an_admin_enrols_revokes_and_enrols_again_while_scripts_keep_working(cli):
    status, enrolled = cli("admin", "workstation", "enroll")
    assert status == 0 and enrolled["workstation"] == "WS01"
    assert cli("cashier", "wallet", "deposit", "P1", "10.00", "--method", "cash")[0] == 0
    status, listed = cli("supervisor", "workstation", "list")
    assert [k["key_id"] for k in listed["keys"]] == [enrolled["key_id"]]
    assert cli("admin", "workstation", "revoke", "WS01", workstation="WS02")[0] == 0
    status, refused = cli("cashier", "wallet", "deposit", "P1", "10.00", "--method", "cash")
    assert (status, refused["error"]["code"]) == (3, "workstation_revoked")
    status, again = cli("admin", "workstation", "enroll")
    assert status == 0 and again["key_id"] != enrolled["key_id"]
    assert cli("cashier", "wallet", "deposit", "P1", "10.00", "--method", "cash")[0] == 0
    assert cli("supervisor", "check", "--full") == (0, {"ok": True, "findings": []})


def test_a_cashier_may_not_revoke_a_workstation(cli):
    status, refused = cli("cashier", "workstation", "revoke", "WS01")
    assert (status, refused["error"]["code"]) == (3, "permission_denied")


def test_check_full_exits_3_naming_an_event_whose_content_was_forged(books, cli):
    assert cli("cashier", "wallet", "deposit", "P1", "10.00", "--method", "cash")[0] == 0
    tamper(
        books.app,
        "UPDATE audit_events SET details = REPLACE(details, '10.00', '99.00') "
        "WHERE action = 'deposit'",
    )
    status, answer = cli("supervisor", "check", "--full")
    assert (status, answer["error"]["code"]) == (3, "integrity_violation")
    assert any(
        f["rule"] == "audit_hashes_valid" and "of WS01 was altered" in f["detail"]
        for f in answer["findings"]
    )
