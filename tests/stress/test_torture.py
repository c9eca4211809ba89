"""The torture test (tools/torture): a CI-sized run under faults, and its verifier's teeth.

The run is real: worker processes against a PostgreSQL server of its own that the
harness kills backends of, locks rows in and restarts. The verifier is shown to
catch each kind of broken promise on books and logs made to break it.
"""

import pytest
from sqlalchemy import text

from pos_app.services.reversal import reverse_payment
from tests.helpers.books import STOCK, new_key
from tests.helpers.money import pay_items, tender, top_up
from tests.helpers.postgres import as_owner
from tools.torture import invariants
from tools.torture.harness import parse_args, torture
from tools.torture.oplog import OpLog, operations, read_log
from tools.torture.reconcile import Effect, reconcile

FAULTS = ("kill", "terminate", "lock", "restart fast", "restart immediate")


def test_two_thousand_operations_under_faults_leave_every_promise_kept(tmp_path):
    summary = torture(
        parse_args(
            [
                "--workers",
                "4",
                "--operations",
                "2000",
                "--out",
                str(tmp_path),
                "--max-seconds",
                "600",
            ]
        )
    )
    assert summary.violations == [], summary.text()
    assert summary.operations >= 2000
    assert all(summary.faults[fault] >= 1 for fault in FAULTS), summary.faults
    assert summary.check_findings == 0 and summary.deadlocks == 0
    kinds = summary.by_kind
    assert set(kinds["pay (replay)"]) == set(kinds["deposit (replay)"]) == {"replayed"}
    assert set(kinds["deposit (conflict)"]) == {"idempotency_conflict"}
    assert set(kinds["deposit (dup_ref)"]) == {"duplicate_reference"}
    assert "twin_join" in " ".join(kinds) and "reverse (partial)" in kinds
    assert summary.faults["locks held"] >= 1 and "busy" in summary.retried
    assert summary.killed_and_retried


def _op(name, *records, key="k-0001", kind="deposit", mode="new", amount="10.00"):
    """An operation as its log would show it: begin, then each outcome (None: killed)."""
    lines = []
    for attempt, outcome in enumerate(records, start=1):
        lines.append(
            {
                "t": "begin",
                "op": name,
                "attempt": attempt,
                "kind": kind,
                "mode": mode,
                "key": key,
                "intent": {"amount": amount},
                "workstation": "WS01",
                "expect": "replayed" if mode == "replay" else None,
            }
        )
        if outcome is not None:
            result = (
                {"receipt_no": outcome[1], "amount": "10.00"}
                if outcome[0] in ("ok", "replayed")
                else None
            )
            lines.append(
                {
                    "t": "end",
                    "op": name,
                    "attempt": attempt,
                    "outcome": outcome[0],
                    "result": result,
                }
            )
    return operations(lines)


def _effect(receipt_no="WS01-000001", amount=1000, kind="deposit", key="k-0001"):
    return Effect(kind, receipt_no, amount, key)


OK = ("ok", "WS01-000001")
CLAIMS_IT = {"k-0001": {"result": {"receipt_no": "WS01-000001"}}}


@pytest.mark.parametrize(
    ("ops", "rows", "stored", "violation"),
    [
        (_op("a", OK), [], {}, "acknowledged but has 0 effects"),
        (_op("a", OK), [_effect(), _effect("WS02-000001")], {}, "has 2 effects"),
        (_op("a", ("insufficient_wallet_balance", None)), [_effect()], {}, "was refused"),
        (
            _op("a", OK) + _op("b", ("replayed", "WS01-000002"), mode="replay"),
            [_effect()],
            {},
            "a till was given WS01-000002",
        ),
        (_op("a", OK), [_effect(amount=1001)], {}, "the books hold 1001"),
        (_op("a", OK), [_effect(kind="withdraw")], {}, "a withdraw made"),
        (_op("a", OK), [_effect(), _effect("WS01-000002", key="k-0002")], {}, "which no till sent"),
        (
            _op("a", OK) + _op("b", OK, key="k-0002"),
            [_effect()],
            {**CLAIMS_IT, "k-0002": {"receipt_no": "WS01-000001"}},
            "claimed by keys k-0001, k-0002",
        ),
        (
            _op("a", OK),
            [_effect(key="approval-1"), _effect("WS01-000002", key="approval-1")],
            CLAIMS_IT,
            "written on 2 effects",
        ),
        (
            _op("a", OK) + _op("b", ("ok", "WS01-000001"), mode="replay"),
            [_effect()],
            {},
            "the rules say replayed",
        ),
    ],
)
def test_the_verifier_finds_each_broken_promise_between_logs_and_books(
    ops, rows, stored, violation
):
    assert any(violation in v for v in reconcile(ops, rows, stored).violations)


def test_an_effect_made_under_an_approvals_own_key_belongs_to_the_till_key_naming_it():
    assert reconcile(_op("a", OK), [_effect(key="approval-1")], CLAIMS_IT).violations == []


def test_a_key_killed_before_its_answer_may_have_one_effect_or_none():
    killed = _op("a", None)
    assert reconcile(killed, [], {}).violations == []
    assert reconcile(killed, [_effect()], {}).in_doubt == {"committed": 1}
    retried = _op("a", None, ("replayed", "WS01-000001"))
    assert reconcile(retried, [_effect()], CLAIMS_IT).violations == []


def test_the_log_survives_a_torn_last_line_and_shows_the_attempt_a_kill_interrupted(tmp_path):
    path = tmp_path / "WS01.jsonl"
    log = OpLog(path)
    log.write(
        {
            "t": "begin",
            "op": "WS01-000000",
            "attempt": 1,
            "kind": "pay",
            "mode": "new",
            "key": "k-0001",
            "intent": {},
            "workstation": "WS01",
        }
    )
    log.close()
    with path.open("a") as handle:
        handle.write('{"t": "end", "op": "WS01-0')
    [op] = operations(read_log(path))
    assert op.attempts == 1 and op.last is None and not op.finished


def _service_books(books):
    """Books moved only by the services (no cash: the torture facility needs a shift)."""
    mrn = books.patient("P1")
    top_up(books, mrn, "5000.00", method="card", reference="TOPUP-1")
    items = books.bill(mrn, ("DRUG", 2), ("LAB", 1), ("CONS", 1))
    paid = pay_items(
        books, mrn, items, tender("wallet", "1200.00"), tender("card", "500.00", "CARD-1")
    )
    reverse_payment(
        books.app.uow(),
        actor=books.supervisor,
        workstation="WS01",
        receipt_no=paid.receipt_no,
        reason="partial",
        key=new_key(),
        item_ids=items[:1],
    )


def _broken(app):
    with as_owner(app) as owner, owner.connect() as conn:
        return invariants.broken(conn, STOCK)


@pytest.mark.parametrize(
    ("tamper", "rule"),
    [
        ("UPDATE wallets SET balance_minor = balance_minor + 1", "wallet_money_conserved"),
        (
            "UPDATE stock_items SET quantity_on_hand = quantity_on_hand + 1 WHERE code = 'AMOX'",
            "stock_follows_sales",
        ),
        ("UPDATE bill_items SET status = 'paid'", "item_status_follows_payments"),
        ("UPDATE workstations SET receipt_seq = receipt_seq + 1", "receipts_gapless"),
        ("UPDATE lab_results SET status = 'cancelled'", "lab_results_follow_paid_items"),
    ],
)
def test_the_money_invariants_hold_after_services_and_catch_a_tampered_row(pg_books, tamper, rule):
    _service_books(pg_books)
    assert _broken(pg_books.app) == []
    with as_owner(pg_books.app) as owner, owner.begin() as conn:
        conn.execute(text(tamper))
    assert any(v.startswith(rule) for v in _broken(pg_books.app))
