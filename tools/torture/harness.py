"""The torture harness: seed, run the worker processes, inject faults, verify, summarise.

Faults are scheduled at random points of the run's progress (operations answered so
far), so each kind lands while the tills are busy, however fast the machine is.
Everything is bounded: counts of each fault, operations per worker and `--max-seconds`
(then the workers are asked to stop). The server is loopback only.
"""

from __future__ import annotations

import argparse
import json
import random
import signal
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from sqlalchemy import create_engine, text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.pool import NullPool

from pos_app.domain.errors import CareTillError
from pos_app.services.auth import sign_in
from pos_app.services.check import run_check
from tests.helpers.postgres import ThrowawayServer
from tools.torture import invariants
from tools.torture.faults import Faults, Workers
from tools.torture.oplog import Operation, operations, read_log
from tools.torture.plan import AUDITOR, HARNESS_WORKSTATION, PASSWORD, Plan, Station
from tools.torture.reconcile import EFFECT_TABLES, Effect, reconcile
from tools.torture.seed import create_database, harness_app, seed
from tools.torture.summary import Summary, by_kind, killed_and_retried, retried_outcomes

FAULT_WINDOW = (0.05, 0.85)  # faults land between 5% and 85% of the operations
MAX_BUGS = 20  # unexpected errors after which the run stops early: CareTill (or this) is broken


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m tools.torture", description=__doc__)
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--operations", type=int, default=2400, help="in all, split evenly")
    parser.add_argument("--patients", type=int, default=40)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument(
        "--db",
        help="a superuser URL of a server to use instead of starting "
        "a throwaway one (no restarts then)",
    )
    parser.add_argument("--server-log", help="with --db: the server's log, for deadlocks")
    parser.add_argument("--out", help="folder for the plan, logs and summary.json")
    parser.add_argument("--max-seconds", type=float, default=900.0)
    parser.add_argument("--lock-wait", type=float, default=1.0, help="the tills' lock timeout")
    parser.add_argument("--kills", type=int, default=6)
    parser.add_argument("--terminations", type=int, default=8)
    parser.add_argument("--lock-holds", type=int, default=6)
    parser.add_argument("--restarts", type=int, default=2, help="pg_ctl restart -m fast")
    parser.add_argument(
        "--crashes", type=int, default=1, help="pg_ctl restart -m immediate (only with fsync on)"
    )
    parser.add_argument(
        "--no-fsync", action="store_true", help="faster server, but then no immediate restarts"
    )
    parser.add_argument("--keep", action="store_true", help="leave the server's folder")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    # A SIGTERM (e.g. `timeout`) still stops the workers and removes the server.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    summary = torture(parse_args(argv))
    print(summary.text())
    return 1 if summary.violations else 0


def torture(args: argparse.Namespace) -> Summary:
    """One whole run: its own server unless `--db` names one, removed afterwards unless
    `--keep` (then it is only stopped)."""
    server = None if args.db else ThrowawayServer(settings=_durable(not args.no_fsync))
    try:
        if server is not None:
            server.start()
        return run(args, server)
    finally:
        if server is not None and args.keep:
            server.stop(check=False)
            print(f"server folder kept: {server.root}", file=sys.stderr)
        elif server is not None:
            server.remove()


def _durable(fsync: bool) -> dict[str, str]:
    """Acknowledged means on disk: synchronous commits (and fsync unless told otherwise)."""
    flag = "on" if fsync else "off"
    return {"fsync": flag, "synchronous_commit": "on", "full_page_writes": flag}


def run(args: argparse.Namespace, server: ThrowawayServer | None) -> Summary:
    out = Path(args.out or tempfile.mkdtemp(prefix="caretill-torture-"))
    out.mkdir(parents=True, exist_ok=True)
    app_url, admin_url = create_database(server.url if server else args.db)
    tills = [
        Station(f"WS{i:02d}", f"tcash{i:02d}", f"tsup{i:02d}") for i in range(1, args.workers + 1)
    ]
    plan = Plan(
        app_url=app_url,
        admin_url=admin_url,
        tills=tills,
        patients=[],
        services={},
        prices={},
        operations_per_worker=-(-args.operations // args.workers),
        seed=args.seed,
        lock_wait_s=args.lock_wait,
        out_dir=str(out),
    )
    plan.rendezvous.mkdir(parents=True, exist_ok=True)
    seed(plan, args.patients)
    plan.save()
    started = time.monotonic()
    faults = Faults(plan, server)
    counts = _drive(args, plan, server, faults)
    seconds = time.monotonic() - started
    faults.close()
    counts["locks held"] = faults.held
    summary = verify(plan, server, args, counts, seconds)
    (out / "summary.json").write_text(json.dumps(summary.to_json(), indent=1))
    return summary


def _schedule(
    args: argparse.Namespace, server: ThrowawayServer | None, rng: random.Random
) -> list[tuple[float, str]]:
    budget = {"kill": args.kills, "terminate": args.terminations, "lock": args.lock_holds}
    if server is not None:
        budget["restart fast"] = args.restarts
        budget["restart immediate"] = 0 if args.no_fsync else args.crashes
    return sorted(
        (rng.uniform(*FAULT_WINDOW), kind) for kind, n in budget.items() for _ in range(n)
    )


def _drive(
    args: argparse.Namespace, plan: Plan, server: ThrowawayServer | None, faults: Faults
) -> dict[str, int]:
    """Run the workers to the end while firing the scheduled faults; what was fired."""
    rng = random.Random(args.seed)
    schedule = _schedule(args, server, rng)
    workers = Workers(plan)
    for till in plan.tills:
        workers.start(till.workstation)
    fire: dict[str, Callable[[], object]] = {
        "kill": lambda: workers.kill_mid_operation(rng),
        "terminate": lambda: faults.terminate(rng),
        "lock": lambda: faults.hold_lock(rng),
        "restart fast": lambda: faults.restart("fast"),
        "restart immediate": lambda: faults.restart("immediate"),
    }
    counts = {kind: 0 for _, kind in schedule}
    target = plan.operations_per_worker * len(plan.tills)
    deadline = time.monotonic() + args.max_seconds
    try:
        while workers.poll():
            if time.monotonic() > deadline or workers.bugs() > MAX_BUGS:
                workers.stop_all(timeout_s=120)
                break
            while schedule and schedule[0][0] <= workers.ended() / target:
                kind = schedule.pop(0)[1]
                try:
                    done = fire[kind]()
                except DBAPIError:
                    counts[f"{kind} failed"] = counts.get(f"{kind} failed", 0) + 1
                    continue
                counts[kind] += done is not None
                if kind == "terminate":
                    counts["backends terminated"] = counts.get("backends terminated", 0) + done
            time.sleep(0.05)
    finally:
        workers.kill_all()
    counts["worker starts"] = sum(workers.starts.values())
    counts["worker failures"] = len(workers.failures)
    for failure in workers.failures:
        print(f"worker failure: {failure}", file=sys.stderr)
    return counts


def all_operations(plan: Plan) -> tuple[list[Operation], list[Operation]]:
    """(the workers' operations, the harness's seed operations), from the logs."""
    work = [
        op for till in plan.tills for op in operations(read_log(plan.log_path(till.workstation)))
    ]
    return work, operations(read_log(plan.log_path(HARNESS_WORKSTATION)))


def verify(
    plan: Plan,
    server: ThrowawayServer | None,
    args: argparse.Namespace,
    counts: dict[str, int],
    seconds: float,
) -> Summary:
    """Hold the books to the logs and to the invariants; `check`; deadlocks."""
    work, seeded = all_operations(plan)
    engine = create_engine(plan.admin_url, poolclass=NullPool)
    with engine.connect() as conn:
        rows = [
            Effect(kind, receipt_no, amount, key)
            for kind, table in EFFECT_TABLES.items()
            for key, receipt_no, amount in conn.execute(
                text(f"SELECT idempotency_key, receipt_no, amount_minor FROM {table}")
            )
        ]
        stored = {
            key: json.loads(result)
            for key, result in conn.execute(
                text("SELECT key, result FROM idempotency_keys WHERE result IS NOT NULL")
            )
        }
        broken = invariants.broken(conn, plan.stock)
        figures = invariants.figures(conn)
    engine.dispose()
    found = reconcile(work + seeded, rows, stored)
    violations = found.violations + broken
    errors = [op for op in work if any(o.startswith("error:") for o in op.outcomes)]
    violations += [
        f"{op.op}: unexpected error(s) {sorted(set(op.outcomes))} (a bug; see "
        f"{op.workstation}.stderr)"
        for op in errors[:20]
    ]
    if counts.get("worker failures"):
        violations.append(f"{counts['worker failures']} worker(s) exited on their own")
    findings = _check(plan)
    violations += [f"check: {f}" for f in findings[:20]]
    deadlocks = _deadlocks(server, args.server_log)
    if deadlocks:
        violations.append(f"{deadlocks} deadlock(s) in the server log")
    return Summary(
        workers=len(plan.tills),
        seconds=seconds,
        operations=len(work),
        attempts=sum(op.attempts for op in work),
        by_kind=by_kind(work),
        faults=counts,
        killed_and_retried=killed_and_retried(work),
        retried=retried_outcomes(work),
        in_doubt=dict(found.in_doubt),
        figures={"seed deposits": len(seeded), **figures},
        check_findings=len(findings),
        deadlocks=deadlocks,
        violations=violations,
        server="own PostgreSQL server, fsync " + ("off" if args.no_fsync else "on")
        if server
        else "given server",
    )


def _check(plan: Plan) -> list[str]:
    """`caretill check` as a supervisor would run it, after the run."""
    app = harness_app(plan)
    try:
        auditor = sign_in(app.uow(), AUDITOR, PASSWORD, workstation=HARNESS_WORKSTATION)
        return [f"{f.rule}: {f.detail}" for f in run_check(app.uow(), actor=auditor)]
    except CareTillError as error:
        return [f"check could not run: {error.code}: {error.message}"]
    finally:
        app.close()


def _deadlocks(server: ThrowawayServer | None, server_log: str | None) -> int | None:
    path = server.root / "log" if server else Path(server_log) if server_log else None
    if path is None:
        return None
    return path.read_text(errors="replace").count("deadlock detected")


if __name__ == "__main__":
    sys.exit(main())
