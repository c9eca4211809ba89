"""The command line as scripts use it: real subprocesses, exit codes and --json shapes."""

import json
import os
import subprocess
import sys
import uuid
from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(params=["sqlite", "postgresql"])
def empty_db(request, tmp_path):
    """A database with no schema at all, as an administrator starts with."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'fresh.sqlite3'}"
        return
    admin_url = request.getfixturevalue("pg_admin_url")
    name = f"e_{uuid.uuid4().hex[:12]}"
    admin = create_engine(admin_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f"CREATE DATABASE {name}"))
    yield admin_url.rsplit("/", 1)[0] + f"/{name}"
    with admin.connect() as conn:
        conn.execute(text(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
    admin.dispose()


class Till:
    """Runs `python -m pos_app` like a script would, as one user."""

    def __init__(self, db: str, tmp_path: Path) -> None:
        self.env = {
            **os.environ,
            "CARETILL_DB": db,
            "CARETILL_WORKSTATION": "WS07",
            "CARETILL_CONFIG": str(tmp_path / "config.json"),
            "PYTHONPATH": str(ROOT),
        }

    def run(self, *args: str, user: str = "cashier") -> tuple[int, dict | str]:
        env = {**self.env, "CARETILL_USER": user, "CARETILL_PASSWORD": user}
        done = subprocess.run(
            [sys.executable, "-m", "pos_app", *args],
            env=env,
            cwd=ROOT,
            capture_output=True,
            text=True,
            timeout=120,
            stdin=subprocess.DEVNULL,
        )
        out = done.stdout.strip()
        return done.returncode, json.loads(out) if "--json" in args else out + done.stderr


def test_a_day_at_the_till_from_the_command_line(empty_db, tmp_path):
    till = Till(empty_db, tmp_path)
    assert till.run("db", "upgrade")[0] == 0
    assert till.run("db", "upgrade")[0] == 0, "upgrading twice is harmless"
    status, demo = till.run("demo", "load", "--patients", "6", "--seed", "3", "--json")
    assert status == 0 and demo["patients"] == 6

    status, found = till.run("patient", "search", "MRN00000", "--json")
    assert status == 0 and {"mrn", "name", "phone", "wallet_balance"} <= set(found["patients"][0])

    status, refused = till.run(
        "wallet",
        "deposit",
        "MRN000001",
        "20000",
        "--method",
        "cash",
        "--key",
        "dep-0000001",
        "--json",
    )
    assert status == 3 and refused["error"]["code"] == "no_open_shift", "the demo needs shifts"
    assert till.run("shift", "open", "--float", "0")[0] == 0
    status, deposit = till.run(
        "wallet",
        "deposit",
        "MRN000001",
        "20000",
        "--method",
        "cash",
        "--key",
        "dep-0000001",
        "--json",
    )
    assert status == 0
    assert {
        "receipt_no",
        "mrn",
        "amount",
        "method",
        "wallet_balance_after",
        "idempotency_key",
        "replayed",
    } <= set(deposit)
    assert deposit["receipt_no"].startswith("WS07-") and deposit["amount"] == "20000.00"

    status, patient = till.run("patient", "show", "MRN000001", "--json")
    items = patient["unpaid_items"]
    assert status == 0 and items, "the demo gives patient 1 open bills"
    assert {"id", "bill_no", "service_code", "service_name", "kind", "quantity", "amount"} <= set(
        items[0]
    )
    first, rest = items[0], items[1:]

    status, paid = till.run(
        "pay",
        "MRN000001",
        "--items",
        str(first["id"]),
        "--tender",
        f"wallet:{first['amount']}",
        "--key",
        "pay-0000001",
        "--json",
    )
    assert status == 0 and paid["items"] == [first["id"]] and paid["replayed"] is False
    assert {
        "receipt_no",
        "mrn",
        "amount",
        "items",
        "tenders",
        "change",
        "wallet_balance_after",
        "idempotency_key",
        "replayed",
    } <= set(paid)

    status, replay = till.run(
        "pay",
        "MRN000001",
        "--items",
        str(first["id"]),
        "--tender",
        f"wallet:{first['amount']}",
        "--key",
        "pay-0000001",
        "--json",
    )
    assert status == 0 and replay["replayed"] is True
    assert replay["receipt_no"] == paid["receipt_no"]

    status, conflict = till.run(
        "pay",
        "MRN000001",
        "--items",
        str(first["id"]),
        "--tender",
        "cash:1",
        "--key",
        "pay-0000001",
        "--json",
    )
    assert status == 4 and conflict["error"]["code"] == "idempotency_conflict"

    assert rest, "seed 3 gives patient 1 several items"
    # The rest split: 100.00 from the wallet, the remainder in cash with change.
    ids = ",".join(str(i["id"]) for i in rest)
    cash = sum(Decimal(i["amount"]) for i in rest) - Decimal("100.00")
    status, split = till.run(
        "pay",
        "MRN000001",
        "--items",
        ids,
        "--tender",
        "wallet:100",
        "--tender",
        f"cash:{cash}:{cash + 50}",
        "--json",
    )
    assert status == 0, split
    assert [(t["method"], t["amount"]) for t in split["tenders"]] == [
        ("wallet", "100.00"),
        ("cash", str(cash)),
    ]
    assert split["change"] == "50.00"

    status, statement = till.run("wallet", "statement", "MRN000001", "--json")
    assert status == 0 and statement["entries"][0]["kind"] == "payment"
    assert {"kind", "amount", "balance_after", "receipt_no", "at"} <= set(statement["entries"][0])

    status, checked = till.run("check", "--json", user="supervisor")
    assert (status, checked) == (0, {"ok": True, "findings": []})


@pytest.fixture(scope="module")
def demo_till(tmp_path_factory):
    """One demo database for the refusal cases: a refusal writes nothing, so they can share it."""
    tmp_path = tmp_path_factory.mktemp("demo")
    till = Till(f"sqlite:///{tmp_path / 'demo.sqlite3'}", tmp_path)
    till.run("db", "upgrade")
    till.run("demo", "load", "--patients", "3")
    till.run("shift", "open", "--float", "0")
    return till


@pytest.mark.parametrize(
    ("args", "user", "status", "code"),
    [
        (
            ["wallet", "deposit", "MRN000001", "-5", "--method", "cash"],
            "cashier",
            2,
            "invalid_amount",
        ),
        (
            ["wallet", "deposit", "MRN000001", "NaN", "--method", "cash"],
            "cashier",
            2,
            "invalid_amount",
        ),
        (
            ["wallet", "deposit", "MRN000001", "1.001", "--method", "cash"],
            "cashier",
            2,
            "invalid_amount",
        ),
        (["wallet", "deposit", "NOPE", "100", "--method", "cash"], "cashier", 2, "unknown_patient"),
        (["pay", "NOPE", "--items", "1", "--tender", "cash:1"], "cashier", 2, "unknown_patient"),
        (["pay", "MRN000001", "--items", "x", "--tender", "cash:1"], "cashier", 2, "unknown_item"),
        (["pay", "MRN000001", "--tender", "cash:1"], "cashier", 2, "usage"),
        (["check"], "cashier", 3, "permission_denied"),
        (["patient", "show", "MRN000001"], "intruder", 3, "permission_denied"),
        (["user", "add", "bob", "--role", "cashier"], "cashier", 3, "permission_denied"),
    ],
)
def test_failures_exit_with_the_spec_status_and_a_json_error(demo_till, args, user, status, code):
    got_status, output = demo_till.run(*args, "--json", user=user)
    assert got_status == status
    assert output["error"]["code"] == code and output["error"]["message"]


def test_an_unreachable_database_exits_5_with_one_line_and_no_traceback(tmp_path):
    till = Till("postgresql://caretill@127.0.0.1:9/none", tmp_path)
    status, output = till.run("patient", "show", "MRN1")
    assert status == 5
    assert "Traceback" not in output and len(output.strip().splitlines()) == 1
    status, output = till.run("patient", "show", "MRN1", "--json")
    assert (status, output["error"]["code"]) == (5, "database_unavailable")


def test_a_missing_key_is_generated_and_printed(demo_till):
    status, output = demo_till.run("wallet", "deposit", "MRN000002", "100", "--method", "cash")
    assert status == 0 and "Key: cli-" in output
