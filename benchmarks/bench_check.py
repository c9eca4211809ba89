"""Benchmark of `caretill check` on large books: seconds to verify N consistent payments.

Usage: python -m benchmarks.bench_check --db URL [--payments N]
Writes N wallet payments (one patient, bill, item, receipt, tender, ledger line and
hash-chained audit event each) straight into an empty migrated database in bulk, as
the payment cascade would have left them, then times the check. Prints figures.
"""

from __future__ import annotations

import argparse
import time

from sqlalchemy import insert, update

from benchmarks.common import PRICE_MINOR, facility_with_user, open_app
from pos_app.adapters import tables as t
from pos_app.adapters.ledger import canonical, event_hash, receipt_number
from pos_app.adapters.types import utcnow
from pos_app.domain.actors import Actor
from pos_app.services.check import run_check

BATCH = 10_000
PRICE = PRICE_MINOR


def seed(app, count: int) -> Actor:
    now = utcnow()
    with app.uow() as uow:
        actor, service_id = facility_with_user(uow)
        user_id = actor.user_id
        uow.execute(insert(t.workstations).values(id="WS01", created_at=now))
        uow.commit()
    head = ""
    for start in range(1, count + 1, BATCH):
        numbers = range(start, min(start + BATCH, count + 1))
        events, receipts = [], []
        for n in numbers:
            no = receipt_number("WS01", n)
            details = canonical({"receipt_no": no, "amount": str(PRICE)})
            digest = event_hash(prev_hash=head, workstation="WS01", seq=n, at=now,
                                actor_id=user_id, action="payment", receipt_no=no,
                                details=details)
            events.append({"id": n, "workstation": "WS01", "seq": n, "at": now,
                           "actor_id": user_id, "action": "payment", "receipt_no": no,
                           "details": details, "prev_hash": head, "hash": digest})
            receipts.append({"receipt_no": no, "workstation": "WS01", "seq": n,
                             "kind": "payment", "patient_id": n, "cashier_id": user_id,
                             "created_at": now, "audit_hash": digest})
            head = digest
        with app.uow() as uow:
            run = uow.execute
            run(insert(t.patients), [{"id": n, "mrn": f"B{n:08d}", "name": f"Bench {n}",
                                      "created_at": now} for n in numbers])
            run(insert(t.wallets), [{"id": n, "patient_id": n, "balance_minor": 0}
                                    for n in numbers])
            run(insert(t.receipts), receipts)
            run(insert(t.audit_events), events)
            run(insert(t.wallet_entries), [
                {"wallet_id": n, "kind": kind, "amount_minor": amount,
                 "balance_after_minor": after, "receipt_no": no, "created_at": now}
                for n in numbers for kind, amount, after, no in
                (("deposit", PRICE, PRICE, None),
                 ("payment", -PRICE, 0, receipt_number("WS01", n)))])
            run(insert(t.bills), [{"id": n, "bill_no": f"BB{n:08d}", "patient_id": n,
                                   "status": "paid", "created_at": now} for n in numbers])
            run(insert(t.bill_items), [
                {"id": n, "bill_id": n, "patient_id": n, "service_id": service_id,
                 "quantity": 1, "unit_price_minor": PRICE, "amount_minor": PRICE,
                 "status": "paid", "created_at": now} for n in numbers])
            run(insert(t.payments), [
                {"id": n, "receipt_no": receipt_number("WS01", n), "patient_id": n,
                 "amount_minor": PRICE, "wallet_balance_after_minor": 0,
                 "cashier_id": user_id, "workstation": "WS01", "idempotency_key": f"k{n}",
                 "created_at": now} for n in numbers])
            run(insert(t.payment_items), [{"payment_id": n, "bill_item_id": n,
                                           "amount_minor": PRICE} for n in numbers])
            run(insert(t.tenders), [{"payment_id": n, "method": "wallet",
                                     "amount_minor": PRICE} for n in numbers])
            run(update(t.workstations).values(receipt_seq=numbers[-1], audit_seq=numbers[-1],
                                              audit_head=head))
            uow.commit()
    return actor


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--db", required=True)
    parser.add_argument("--payments", type=int, default=1_000_000)
    args = parser.parse_args()
    app = open_app(args.db)
    started = time.perf_counter()
    actor = seed(app, args.payments)
    print(f"seeded {args.payments} payments in {time.perf_counter() - started:.0f} s")
    if app.engine.dialect.name == "postgresql":
        with app.engine.connect() as conn:
            conn.exec_driver_sql("COMMIT")
            conn.exec_driver_sql("VACUUM ANALYZE")
    started = time.perf_counter()
    findings = run_check(app.uow(write=False), actor=actor)
    print(f"{app.engine.dialect.name}: check over {args.payments} payments took "
          f"{time.perf_counter() - started:.1f} s with {len(findings)} findings")
    for finding in findings[:5]:
        print("  ", finding.rule, finding.detail)
    app.close()


if __name__ == "__main__":
    main()
