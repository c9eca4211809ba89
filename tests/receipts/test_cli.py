import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from pypdf import PdfReader
from sqlalchemy import select

from pos_app.adapters import tables as t
from pos_app.cli.main import main
from pos_app.domain.actors import Actor, Role
from pos_app.services.pay import pay
from pos_app.services.reversal import reverse_payment
from pos_app.services.tenders import TenderRequest
from tests.conftest import make_app
from tests.helpers.books import PASSWORD, Books, new_key

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def paid(sqlite_url, tmp_path, monkeypatch):
    """A payment on a SQLite database, and an environment signed in as the cashier."""
    app = make_app(sqlite_url, tmp_path)
    books = Books.open(app)
    mrn = books.patient("P1", balance="500.00", name="Wanjirũ Kamau")
    items = books.bill(mrn, ("CONS", 1), ("DRUG", 2))
    result = pay(
        app.uow(),
        actor=books.cashier,
        workstation="WS01",
        mrn=mrn,
        item_ids=items,
        tenders=[TenderRequest("wallet", "200.00"), TenderRequest("cash", "1000.00")],
        key=new_key(),
    )
    app.close()
    env = {
        "CARETILL_DB": sqlite_url,
        "CARETILL_USER": "cashier",
        "CARETILL_PASSWORD": PASSWORD,
        "CARETILL_CONFIG": str(tmp_path / "config.json"),
    }
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    monkeypatch.delenv("CARETILL_WORKSTATION", raising=False)
    return result


def run(capsys, *argv):
    status = main(list(argv))
    out = capsys.readouterr().out
    return status, out


def config(tmp_path, printer):
    (tmp_path / "config.json").write_text(json.dumps({"printer": printer}), encoding="utf-8")


def test_receipt_show_prints_a_numbered_copy_each_time(paid, capsys):
    status, out = run(capsys, "receipt", "show", paid.receipt_no)
    assert status == 0
    assert "*** COPY 1 ***" in out and paid.receipt_no in out and "Wanjirũ Kamau" in out
    status, out = run(
        capsys, "receipt", "show", paid.receipt_no, "--json", "--reprint-reason", "insurer"
    )
    payload = json.loads(out)
    assert (status, payload["copy"], payload["kind"]) == (0, 2, "payment")
    assert "*** COPY 2 ***" in [line.strip() for line in payload["lines"]]


def test_receipt_show_writes_a_pdf(paid, capsys, tmp_path):
    target = tmp_path / "r.pdf"
    status, out = run(
        capsys, "receipt", "show", paid.receipt_no, "--format", "pdf", "--out", str(target)
    )
    assert status == 0 and str(target) in out
    text = PdfReader(target).pages[0].extract_text()
    assert "Wanjirũ Kamau" in text and "COPY 1" in text


def test_receipt_show_writes_escpos_for_the_workstations_58_mm_printer(paid, capsys, tmp_path):
    config(tmp_path, {"kind": "none", "width": 58})
    target = tmp_path / "r.bin"
    assert (
        run(capsys, "receipt", "show", paid.receipt_no, "--format", "escpos", "--out", str(target))[
            0
        ]
        == 0
    )
    data = target.read_bytes()
    assert data.startswith(b"\x1b@") and b"Wanjiru Kamau" in data
    assert b"=" * 32 + b"\n" in data and b"=" * 33 not in data


def test_receipt_show_print_sends_it_to_the_configured_printer(paid, capsys, tmp_path):
    device = tmp_path / "lp0"
    config(tmp_path, {"kind": "file", "address": str(device), "open_drawer_on_cash": True})
    assert run(capsys, "receipt", "show", paid.receipt_no, "--print", "--json")[0] == 0
    assert paid.receipt_no.encode() in device.read_bytes()
    assert b"\x1bp\x00" not in device.read_bytes()  # a copy never opens the drawer


def test_pdf_without_an_output_file_is_a_usage_error(paid, capsys):
    status, out = run(capsys, "receipt", "show", paid.receipt_no, "--format", "pdf", "--json")
    assert (status, json.loads(out)["error"]["code"]) == (2, "missing_out")


def test_an_unknown_receipt_is_reported_with_its_code(paid, capsys):
    status, out = run(capsys, "receipt", "show", "WS01-424242", "--json")
    assert (status, json.loads(out)["error"]["code"]) == (2, "unknown_receipt")


def test_receipt_verify_says_genuine_or_not(paid, capsys):
    code = f"CARETILL:1:{paid.receipt_no}:{paid.audit_hash}"
    status, out = run(capsys, "receipt", "verify", code)
    assert status == 0 and out.startswith("GENUINE")
    forged = code[:-4] + "beef"
    status, out = run(capsys, "receipt", "verify", forged, "--json")
    assert (status, json.loads(out)["error"]["code"]) == (3, "receipt_not_genuine")


def test_the_installed_command_line_shows_a_receipt(paid):
    completed = subprocess.run(
        [sys.executable, "-m", "pos_app", "receipt", "show", paid.receipt_no, "--json"],
        capture_output=True,
        text=True,
        cwd=ROOT,
        env=dict(os.environ),
        timeout=120,
        check=False,
    )
    assert completed.returncode == 0, completed.stderr
    assert json.loads(completed.stdout)["receipt_no"] == paid.receipt_no


@pytest.fixture
def refunded(paid, sqlite_url, tmp_path):
    """The payment reversed by the supervisor: its refund receipt and the payment's number."""
    app = make_app(sqlite_url, tmp_path)
    with app.uow(write=False) as uow:
        supervisor = uow.execute(
            select(t.users.c.id).where(t.users.c.username == "supervisor")
        ).scalar_one()
    result = reverse_payment(
        app.uow(),
        actor=Actor(supervisor, "supervisor", Role.SUPERVISOR),
        workstation="WS01",
        receipt_no=paid.receipt_no,
        reason="Charged twice",
        key=new_key(),
    )
    app.close()
    return paid.receipt_no, result


def test_receipt_show_prints_a_refund_receipt_as_a_copy(refunded, capsys):
    payment_no, refund = refunded
    status, out = run(capsys, "receipt", "show", refund.receipt_no.lower(), "--json")
    payload = json.loads(out)
    assert (status, payload["kind"], payload["copy"]) == (0, "refund", 1)
    lines = payload["lines"]
    assert {"REFUND", "*** COPY 1 ***"} <= {line.strip() for line in lines}
    assert f"Reverses  {payment_no}" in lines and "Approved  supervisor" in lines
    assert "Reason    Charged twice" in lines and "Wanjirũ Kamau" in "\n".join(lines)
    status, out = run(capsys, "receipt", "show", payment_no)
    assert status == 0 and f"REVERSED by {refund.receipt_no}" in out
