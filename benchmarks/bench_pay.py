"""Benchmark of the payment path: statements per payment, payments per second, and `check` time.

Usage: python -m benchmarks.bench_pay --db URL [--payments N] [--threads T]
The database must be empty and migrated (`caretill db upgrade`). Prints figures; asserts nothing.
"""

from __future__ import annotations

import argparse
import time
import uuid
from concurrent.futures import ThreadPoolExecutor

from sqlalchemy import event, insert, select

from benchmarks.common import facility_with_user, open_app
from pos_app.adapters import tables as t
from pos_app.domain.actors import Actor
from pos_app.domain.clock import system_clock as utcnow
from pos_app.services.check import run_check
from pos_app.services.patients import insert_patients
from pos_app.services.pay import pay
from pos_app.services.shifts import open_shift
from pos_app.services.tenders import TenderRequest


def seed(app, count: int) -> tuple[list[tuple[str, list[int]]], Actor]:
    """`count` patients, each with one bill of two items and a wallet that covers it."""
    now = utcnow()
    with app.uow() as uow:
        actor, service_id = facility_with_user(uow)
        people = [
            {"mrn": f"B{i:07d}", "name": f"Bench Patient {i}", "phone": None, "dob": None}
            for i in range(count)
        ]
        insert_patients(uow, people)
        ids = dict(uow.execute(select(t.patients.c.mrn, t.patients.c.id)).all())
        uow.execute(t.wallets.update().values(balance_minor=100000))
        wallets = dict(uow.execute(select(t.wallets.c.patient_id, t.wallets.c.id)).all())
        uow.execute(
            insert(t.wallet_entries),
            [
                {
                    "wallet_id": w,
                    "kind": "deposit",
                    "amount_minor": 100000,
                    "balance_after_minor": 100000,
                    "created_at": now,
                }
                for w in wallets.values()
            ],
        )
        bills = dict(
            uow.execute(
                insert(t.bills).returning(t.bills.c.patient_id, t.bills.c.id),
                [
                    {"bill_no": f"BB{i:07d}", "patient_id": pid, "created_at": now}
                    for i, pid in enumerate(ids.values())
                ],
            ).all()
        )
        rows = uow.execute(
            insert(t.bill_items).returning(t.bill_items.c.id, t.bill_items.c.patient_id),
            [
                {
                    "bill_id": bills[pid],
                    "patient_id": pid,
                    "service_id": service_id,
                    "quantity": 1,
                    "unit_price_minor": 50000,
                    "amount_minor": 50000,
                    "created_at": now,
                }
                for pid in ids.values()
                for _ in range(2)
            ],
        ).all()
        uow.commit()
    items: dict[int, list[int]] = {}
    for row in rows:
        items.setdefault(row.patient_id, []).append(row.id)
    return [(mrn, sorted(items[pid])) for mrn, pid in ids.items()], actor


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--db", required=True)
    parser.add_argument("--payments", type=int, default=2000)
    parser.add_argument("--threads", type=int, default=4)
    args = parser.parse_args()
    app = open_app(args.db)
    work, actor = seed(app, args.payments)
    # The facility requires an open shift to take cash: the till's, opened once.
    open_shift(app.uow(), actor=actor, workstation="WS01", opening_float="0")
    statements = []
    event.listen(app.engine, "before_cursor_execute", lambda *a: statements.append(1))

    def one(job: tuple[str, list[int]]) -> None:
        mrn, items = job
        pay(
            app.uow(),
            actor=actor,
            workstation="WS01",
            mrn=mrn,
            item_ids=items,
            tenders=[TenderRequest("wallet", "600.00"), TenderRequest("cash", "400.00")],
            key=f"bench-{uuid.uuid4().hex}",
        )

    one(work[0])  # the till's first payment also enrols its signing key
    statements.clear()
    one(work[1])
    print(
        f"cursor executions per payment: {len(statements)} (on PostgreSQL each is a round "
        "trip, BEGIN and COMMIT travel with them)"
    )
    started = time.perf_counter()
    for job in work[2 : len(work) // 2]:
        one(job)
    serial = time.perf_counter() - started
    count_serial = len(work) // 2 - 2
    print(
        f"{app.engine.dialect.name}: 1 thread: {count_serial / serial:.0f} payments/s "
        f"({1000 * serial / count_serial:.2f} ms each)"
    )
    started = time.perf_counter()
    with ThreadPoolExecutor(args.threads) as pool:
        list(pool.map(one, work[len(work) // 2 :]))
    parallel = time.perf_counter() - started
    count_parallel = len(work) - len(work) // 2
    print(
        f"{app.engine.dialect.name}: {args.threads} threads: "
        f"{count_parallel / parallel:.0f} payments/s"
    )
    started = time.perf_counter()
    findings = run_check(app.uow(), actor=actor)
    print(
        f"check over {len(work)} payments: {time.perf_counter() - started:.2f} s, "
        f"{len(findings)} findings"
    )
    app.close()


if __name__ == "__main__":
    main()
