"""Upgrading books filled by the previous release (issue 14 point 6), on SQLite and PostgreSQL.

The previous release's own code (`git archive` of its commit) migrates a database,
loads the demo and takes deposits, payments in every method and a refund through
ITS command line; then today's `caretill db upgrade` runs on the same database.
Every row of every old table must still be there, the tender references must be
carried into `tender_references`, and today's `caretill check` must be clean.
"""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
import tarfile
import uuid
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import create_engine, inspect, text

from pos_app.domain.text import reference_key
from tests.helpers.postgres import APP_ROLE, OWNER, as_role

PREVIOUS_RELEASE = "8f05091"  # the last commit before issue 14's work
REPO = Path(__file__).resolve().parents[2]
# Runs several commands of a release's command line in one process (each is its `main`).
DRIVER = """
import contextlib, io, json, os, sys
import pos_app
from pos_app.cli.main import main
assert os.path.commonpath([pos_app.__file__, sys.argv[1]]) == sys.argv[1], pos_app.__file__
for user, argv in json.load(sys.stdin):
    os.environ["CARETILL_PASSWORD"] = user or ""
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        status = main([*argv, *(["--user", user] if user else []), "--json"])
    print(json.dumps({"argv": argv, "status": status, "out": json.loads(out.getvalue())}))
"""


@pytest.fixture(scope="module")
def previous_release(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The previous release's source tree, from this repository's history."""
    found = subprocess.run(
        ["git", "-C", str(REPO), "cat-file", "-e", f"{PREVIOUS_RELEASE}^{{commit}}"],
        capture_output=True,
    )
    if found.returncode != 0:
        pytest.fail(
            f"The previous release {PREVIOUS_RELEASE} is not in the history of {REPO}: "
            "the upgrade test needs a full clone (git fetch --unshallow)."
        )
    archive = subprocess.run(
        ["git", "-C", str(REPO), "archive", PREVIOUS_RELEASE], capture_output=True, check=True
    ).stdout
    tree = tmp_path_factory.mktemp("previous_release")
    with tarfile.open(fileobj=io.BytesIO(archive)) as tar:
        tar.extractall(tree, filter="data")
    return tree


@pytest.fixture(params=["sqlite", "postgresql"])
def old_books(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[tuple[str, str]]:
    """(URL the old release and `db upgrade` use, URL a till uses today) of an empty
    database. On PostgreSQL the old release connects as the owner: it knows no app role."""
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'books.sqlite3'}"
        yield url, url
        return
    admin_url = request.getfixturevalue("pg_admin_url")
    request.getfixturevalue("pg_owner_url")  # the two roles exist
    name = f"release_{uuid.uuid4().hex[:12]}"
    admin = create_engine(admin_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f"CREATE DATABASE {name} OWNER {OWNER}"))
    yield as_role(admin_url, OWNER, database=name), as_role(admin_url, APP_ROLE, database=name)
    with admin.connect() as conn:
        conn.execute(text(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
    admin.dispose()


def run_cli(
    tree: Path, url: str, tmp_path: Path, commands: list[tuple[str | None, list[str]]]
) -> list[dict]:
    """Each (user, argv) through the command line of the code in `tree`; their JSON."""
    env = {
        **os.environ,
        "PYTHONPATH": str(tree),
        "CARETILL_DB": url,
        "CARETILL_WORKSTATION": "WS01",
        "CARETILL_CONFIG": str(tmp_path / f"{tree.name}.json"),
    }
    done = subprocess.run(
        [sys.executable, "-c", DRIVER, str(tree)],
        input=json.dumps(commands),
        capture_output=True,
        text=True,
        env=env,
        cwd=tree,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr
    answers = [json.loads(line) for line in done.stdout.splitlines()]
    failed = [a for a in answers if a["status"] != 0]
    assert not failed, failed
    return [a["out"] for a in answers]


def fill_with_previous_release(tree: Path, url: str, tmp_path: Path) -> dict[str, str]:
    """Demo books plus money in every method and a refund; returns receipt numbers."""
    mrns = [f"MRN{n:06d}" for n in range(1, 5)]
    shown = run_cli(
        tree,
        url,
        tmp_path,
        [
            (None, ["db", "upgrade"]),
            (None, ["demo", "load", "--patients", "6", "--seed", "3"]),
            *(("cashier", ["patient", "show", mrn]) for mrn in mrns),
        ],
    )[2:]
    items = {p["mrn"]: p["unpaid_items"] for p in shown}
    a, b, c, d = mrns

    def pay(mrn: str, count: int, *tenders: str, key: str) -> list[str]:
        chosen = ",".join(str(i["id"]) for i in items[mrn][:count])
        return ["pay", mrn, "--items", chosen, *(f"--tender={t}" for t in tenders), "--key", key]

    first = lambda mrn: items[mrn][0]["amount"]  # noqa: E731
    # The insurer covers the first of two items, the patient pays the second in cash.
    insured, cash = items[d][0]["amount"], items[d][1]["amount"]
    done = run_cli(
        tree,
        url,
        tmp_path,
        [
            (
                "cashier",
                [
                    "wallet",
                    "deposit",
                    a,
                    "5000",
                    "--method",
                    "mobile_money",
                    "--reference",
                    "QK71XR",
                    "--key",
                    "old-dep-1",
                ],
            ),
            (
                "cashier",
                [
                    "wallet",
                    "deposit",
                    b,
                    "700",
                    "--method",
                    "card",
                    "--reference",
                    "CARD-1",
                    "--key",
                    "old-dep-2",
                ],
            ),
            ("cashier", pay(a, 1, f"wallet:{first(a)}", key="old-pay-1")),
            ("cashier", pay(b, 1, f"card:{first(b)}:CARD-77", key="old-pay-2")),
            ("cashier", pay(c, 1, f"mobile_money:{first(c)}:MM-555", key="old-pay-3")),
            (
                "cashier",
                pay(d, 2, f"insurance:{insured}:AUTH-9", f"cash:{cash}:100000", key="old-pay-4"),
            ),
        ],
    )
    receipts = {out["idempotency_key"]: out["receipt_no"] for out in done}
    refund, withdrawal = run_cli(
        tree,
        url,
        tmp_path,
        [
            (
                "supervisor",
                ["payment", "reverse", receipts["old-pay-1"], "--reason", "Wrong patient"],
            ),
            ("supervisor", ["wallet", "withdraw", b, "100", "--reason", "Leaving town"]),
        ],
    )
    return {**receipts, "refund": refund["receipt_no"], "withdrawal": withdrawal["receipt_no"]}


def every_row(url: str, tables: dict[str, list[str]]) -> dict[str, list[tuple]]:
    """Every row of the given tables (their given columns), as comparable tuples."""
    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            return {
                name: [
                    tuple(row)
                    for row in conn.execute(
                        text("SELECT " + ", ".join(f'"{c}"' for c in columns) + f' FROM "{name}"')
                    )
                ]
                for name, columns in tables.items()
            }
    finally:
        engine.dispose()


def columns_of(url: str) -> dict[str, list[str]]:
    """Each table's column names (Alembic's own bookkeeping left out)."""
    engine = create_engine(url)
    try:
        inspector = inspect(engine)
        return {
            name: [c["name"] for c in inspector.get_columns(name)]
            for name in inspector.get_table_names()
            if name != "alembic_version"
        }
    finally:
        engine.dispose()


def test_todays_upgrade_keeps_every_row_the_previous_release_wrote(
    previous_release, old_books, tmp_path
):
    owner_url, till_url = old_books
    receipts = fill_with_previous_release(previous_release, owner_url, tmp_path)
    old_columns = columns_of(owner_url)
    before = every_row(owner_url, old_columns)
    assert len(before["payments"]) == 4 and len(before["reversals"]) == 1

    upgraded = run_cli(REPO, owner_url, tmp_path, [(None, ["db", "upgrade"])])
    if till_url != owner_url:
        run_cli(REPO, owner_url, tmp_path, [(None, ["db", "grant", APP_ROLE])])
    assert upgraded == [upgraded[0]] and upgraded[0]["upgraded"] is True

    carried = before.pop("mobile_money_refs")  # replaced by tender_references
    after = every_row(owner_url, {name: old_columns[name] for name in before})
    for name, rows in before.items():
        kept = Counter(after[name])
        assert Counter(rows) <= kept, f"rows of {name} were lost or changed"
        if name != "settings":  # the upgrade adds the database's id there
            assert len(after[name]) == len(rows), f"{name} gained rows in the upgrade"

    references = set(
        every_row(owner_url, {"tender_references": ["method", "reference_key", "receipt_no"]})[
            "tender_references"
        ]
    )
    taken = [
        ("mobile_money", "QK71XR", "old-dep-1"),
        ("card", "CARD-1", "old-dep-2"),
        ("card", "CARD-77", "old-pay-2"),
        ("mobile_money", "MM-555", "old-pay-3"),
        ("insurance", "AUTH-9", "old-pay-4"),
    ]
    assert {(m, reference_key(r), receipts[k]) for m, r, k in taken} <= references
    assert {("mobile_money", reference_key(ref), receipt) for ref, receipt in carried} <= references

    checked = run_cli(REPO, till_url, tmp_path, [("supervisor", ["check"])])
    assert checked == [{"ok": True, "findings": []}]
