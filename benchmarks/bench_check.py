"""Benchmark of `caretill check`: seconds to verify N payments in full, then one new day.

Usage: python -m benchmarks.bench_check --db URL [--payments N] [--day D]
Writes N wallet payments (one patient, bill, item, receipt, tender, ledger line and a
signed, hash-chained audit event recording its effects each) straight into an empty
migrated database in bulk, as the payment kernel would have left them, then times
`check --full`; then writes D more payments (a new day) and times the incremental
`check`, which starts at the checkpoint the full one stored. Prints wall and CPU time
(this process and its workers, and the PostgreSQL server's backends when it runs on this
machine).
With `--reuse` (and that run's `--keys`) the database already holds an earlier run's
payments (seeding a million takes minutes): only the check --full and the new day are run.
"""

from __future__ import annotations

import argparse
import os
import resource
import tempfile
import time
from collections.abc import Callable
from contextlib import suppress
from datetime import datetime
from pathlib import Path

from sqlalchemy import insert, select, text, update

from benchmarks.common import PRICE_MINOR, facility_with_user, open_app
from pos_app.adapters import tables as t
from pos_app.adapters.ledger import ENROLLED, canonical, event_hash, receipt_number
from pos_app.adapters.signing import WorkstationKey
from pos_app.adapters.trust import LocalTrust
from pos_app.bootstrap import App
from pos_app.domain.actors import Actor, Role
from pos_app.domain.clock import system_clock as utcnow
from pos_app.services.check import run_check

BATCH = 10_000
PRICE = PRICE_MINOR
WS = "WS01"


def _effects(n: int, no: str, user_id: int, at: str) -> list[dict]:
    """What the payment kernel records for a wallet payment of one consultation."""
    return [
        {
            "effect": "receipt",
            "receipt_no": no,
            "workstation": WS,
            "seq": n,
            "kind": "payment",
            "patient_id": n,
            "cashier_id": user_id,
        },
        {
            "effect": "wallet_entry",
            "wallet_id": n,
            "kind": "payment",
            "amount_minor": -PRICE,
            "balance_after_minor": 0,
            "receipt_no": no,
        },
        {
            "effect": "payment",
            "receipt_no": no,
            "patient_id": n,
            "amount_minor": PRICE,
            "change_minor": 0,
            "wallet_balance_after_minor": 0,
            "cashier_id": user_id,
            "workstation": WS,
            "idempotency_key": f"k{n}",
            "shift_id": None,
            "items": [{"bill_item_id": n, "amount_minor": PRICE}],
            "tenders": [
                {
                    "method": "wallet",
                    "amount_minor": PRICE,
                    "reference": None,
                    "cash_tendered_minor": None,
                    "change_minor": 0,
                }
            ],
            "lab_results": [],
        },
        {"effect": "items_settled", "item_ids": [n], "bill_ids": [n]},
    ]


def setup(app: App) -> tuple[Actor, int, str]:
    """The facility, a user, the workstation and its key's enrolment: (actor, service, head)."""
    now = utcnow()
    key = app.trust.keys.key(WS)
    with app.uow() as uow:
        actor, service_id = facility_with_user(uow)
        uow.execute(insert(t.workstations).values(id=WS, created_at=now))
        details = canonical(
            {
                "workstation": WS,
                "key_id": key.key_id,
                "public_key": key.public_hex,
                "by": actor.username,
            }
        )
        digest = event_hash(
            prev_hash="",
            workstation=WS,
            seq=1,
            at=now,
            actor_id=actor.user_id,
            action=ENROLLED,
            receipt_no=None,
            details=details,
        )
        uow.execute(
            insert(t.audit_events).values(
                workstation=WS,
                seq=1,
                at=now,
                actor_id=actor.user_id,
                action=ENROLLED,
                details=details,
                prev_hash="",
                hash=digest,
                key_id=key.key_id,
                signature=key.sign(digest),
            )
        )
        uow.execute(
            insert(t.workstation_keys).values(
                key_id=key.key_id,
                workstation=WS,
                public_key=key.public_hex,
                enrolled_at=now,
                enrolled_by=actor.user_id,
            )
        )
        uow.execute(update(t.workstations).values(audit_seq=1, audit_head=digest))
        uow.commit()
    return actor, service_id, digest


def seed(
    app: App,
    key: WorkstationKey,
    actor: Actor,
    service_id: int,
    *,
    first: int,
    count: int,
    head: str,
    at: Callable[[int], datetime] | None = None,
) -> str:
    """Payments `first` .. `first + count - 1`, each with its signed event, payment n made
    at `at(n)` (default: all now; the dashboard's benchmark spreads them over a year);
    the new head."""
    now, user_id = utcnow(), actor.user_id
    at = at or (lambda n: now)
    for start in range(first, first + count, BATCH):
        numbers = range(start, min(start + BATCH, first + count))
        events, receipts = [], []
        for n in numbers:
            no = receipt_number(WS, n)
            details = canonical(
                {
                    "receipt_no": no,
                    "amount": str(PRICE),
                    "effects": _effects(n, no, user_id, at(n).isoformat()),
                }
            )
            digest = event_hash(
                prev_hash=head,
                workstation=WS,
                seq=n + 1,
                at=at(n),
                actor_id=user_id,
                action="payment",
                receipt_no=no,
                details=details,
            )
            events.append(
                {
                    "workstation": WS,
                    "seq": n + 1,
                    "at": at(n),
                    "actor_id": user_id,
                    "action": "payment",
                    "receipt_no": no,
                    "details": details,
                    "prev_hash": head,
                    "hash": digest,
                    "key_id": key.key_id,
                    "signature": key.sign(digest),
                }
            )
            receipts.append(
                {
                    "receipt_no": no,
                    "workstation": WS,
                    "seq": n,
                    "kind": "payment",
                    "patient_id": n,
                    "cashier_id": user_id,
                    "created_at": at(n),
                    "audit_hash": digest,
                }
            )
            head = digest
        with app.uow() as uow:
            run = uow.execute
            run(
                insert(t.patients),
                [
                    {"id": n, "mrn": f"B{n:08d}", "name": f"Bench {n}", "created_at": at(n)}
                    for n in numbers
                ],
            )
            run(
                insert(t.wallets), [{"id": n, "patient_id": n, "balance_minor": 0} for n in numbers]
            )
            run(insert(t.receipts), receipts)
            run(insert(t.audit_events), events)
            run(
                insert(t.wallet_entries),
                [
                    {
                        "wallet_id": n,
                        "kind": kind,
                        "amount_minor": amount,
                        "balance_after_minor": after,
                        "receipt_no": no,
                        "created_at": at(n),
                    }
                    for n in numbers
                    for kind, amount, after, no in (
                        ("deposit", PRICE, PRICE, None),
                        ("payment", -PRICE, 0, receipt_number(WS, n)),
                    )
                ],
            )
            run(
                insert(t.bills),
                [
                    {
                        "id": n,
                        "bill_no": f"BB{n:08d}",
                        "patient_id": n,
                        "status": "paid",
                        "created_at": at(n),
                    }
                    for n in numbers
                ],
            )
            run(
                insert(t.bill_items),
                [
                    {
                        "id": n,
                        "bill_id": n,
                        "patient_id": n,
                        "service_id": service_id,
                        "quantity": 1,
                        "unit_price_minor": PRICE,
                        "amount_minor": PRICE,
                        "status": "paid",
                        "created_at": at(n),
                    }
                    for n in numbers
                ],
            )
            run(
                insert(t.payments),
                [
                    {
                        "id": n,
                        "receipt_no": receipt_number(WS, n),
                        "patient_id": n,
                        "amount_minor": PRICE,
                        "wallet_balance_after_minor": 0,
                        "cashier_id": user_id,
                        "workstation": WS,
                        "idempotency_key": f"k{n}",
                        "created_at": at(n),
                    }
                    for n in numbers
                ],
            )
            run(
                insert(t.payment_items),
                [{"payment_id": n, "bill_item_id": n, "amount_minor": PRICE} for n in numbers],
            )
            run(
                insert(t.tenders),
                [{"payment_id": n, "method": "wallet", "amount_minor": PRICE} for n in numbers],
            )
            run(
                update(t.workstations).values(
                    receipt_seq=numbers[-1], audit_seq=numbers[-1] + 1, audit_head=head
                )
            )
            uow.commit()
    return head


def reused(app: App) -> tuple[Actor, int, str, int]:
    """An earlier run's user, service, chain head and payment count, to go on from."""
    with app.uow() as uow:
        user_id = uow.execute(
            select(t.users.c.id).where(t.users.c.username == "bench")
        ).scalar_one()
        service_id = uow.execute(
            select(t.services.c.id).where(t.services.c.code == "CONS")
        ).scalar_one()
        head, count = uow.execute(
            select(t.workstations.c.audit_head, t.workstations.c.receipt_seq).where(
                t.workstations.c.id == WS
            )
        ).one()
    return Actor(user_id, "bench", Role.SUPERVISOR), service_id, head, count


def _server_cpu(app: App) -> dict[int, float]:
    """CPU seconds each PostgreSQL backend of this database has used, read from /proc when
    the server runs on this machine (empty on SQLite, whose work is the check process's)."""
    if app.engine.dialect.name != "postgresql":
        return {}
    with app.engine.connect() as conn:
        pids = (
            conn.execute(
                text("SELECT pid FROM pg_stat_activity WHERE datname = current_database()")
            )
            .scalars()
            .all()
        )
    ticks = os.sysconf("SC_CLK_TCK")
    used: dict[int, float] = {}
    for pid in pids:
        with suppress(OSError):
            fields = Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()
            used[pid] = (int(fields[11]) + int(fields[12])) / ticks  # utime + stime
    return used


def _own_cpu() -> float:
    """CPU seconds of this process and of its finished children (the check's workers)."""
    mine, children = (
        resource.getrusage(who) for who in (resource.RUSAGE_SELF, resource.RUSAGE_CHILDREN)
    )
    return mine.ru_utime + mine.ru_stime + children.ru_utime + children.ru_stime


def _timed_check(app: App, actor: Actor, *, full: bool, label: str) -> None:
    """Wall time, and CPU time of this process and of the database server (the machine is
    shared: CPU time is the figure that compares across runs)."""
    server = _server_cpu(app)
    wall, cpu = time.perf_counter(), _own_cpu()
    findings = run_check(app.uow(), actor=actor, full=full)
    wall, cpu = time.perf_counter() - wall, _own_cpu() - cpu
    after = _server_cpu(app)
    server_cpu = sum(used - server.get(pid, 0.0) for pid, used in after.items())
    print(
        f"{app.engine.dialect.name}: {label}: {wall:.1f} s wall, {cpu:.1f} s CPU here "
        "(with its workers), "
        f"{server_cpu:.1f} s CPU in the server, {len(findings)} findings"
    )
    for finding in findings[:5]:
        print("  ", finding.rule, finding.detail)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--db", required=True)
    parser.add_argument("--payments", type=int, default=1_000_000)
    parser.add_argument("--day", type=int, default=3_000, help="payments of the new day")
    parser.add_argument(
        "--keys", type=Path, help="the workstation's key folder (default: a new temporary one)"
    )
    parser.add_argument(
        "--reuse",
        action="store_true",
        help="go on from an earlier run's database (give its --keys)",
    )
    args = parser.parse_args()
    app = open_app(args.db)
    folder = args.keys or Path(tempfile.mkdtemp(prefix="caretill-bench-"))
    app.trust = LocalTrust(folder)
    print(f"workstation key in {folder}")
    started = time.perf_counter()
    if args.reuse:
        actor, service_id, head, args.payments = reused(app)
    else:
        actor, service_id, head = setup(app)
    key = app.trust.keys.key(WS)
    if not args.reuse:
        head = seed(app, key, actor, service_id, first=1, count=args.payments, head=head)
        print(f"seeded {args.payments} payments in {time.perf_counter() - started:.0f} s")
    if app.engine.dialect.name == "postgresql":
        with app.engine.connect() as conn:
            conn.exec_driver_sql("COMMIT")
            conn.exec_driver_sql("VACUUM ANALYZE")
    _timed_check(app, actor, full=True, label=f"check --full over {args.payments} payments")
    seed(app, key, actor, service_id, first=args.payments + 1, count=args.day, head=head)
    _timed_check(
        app,
        actor,
        full=False,
        label=f"check of a new day of {args.day} after {args.payments} payments",
    )
    app.close()


if __name__ == "__main__":
    main()
