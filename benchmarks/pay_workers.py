"""CareTill's `pay()` in worker processes, one per till, started together and timed together.

Each worker builds CareTill as a till does (its own engine, workstation id and data
folder, connecting as the application role), takes one untimed payment to warm up, waits
for the others, then pays its own jobs until the time is up. Listeners count what goes
over the wire: round trips and the statements in them (`_counter`), and the pool's
pre-ping if one is configured (a checkout of a connection that was not just opened).
The worker reads its own CPU time from /proc; the parent reads the server's while the
workers still hold their connections.
"""

from __future__ import annotations

import multiprocessing
import time
import uuid
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import event
from sqlalchemy.engine import Engine

from benchmarks.pay_seed import TENDERS, Job, till_app
from benchmarks.proc_stats import process_cpu, server_cpu
from pos_app.adapters import pg_transactions
from pos_app.bootstrap import App
from pos_app.domain.actors import Actor
from pos_app.domain.errors import CareTillError
from pos_app.services.pay import pay

START_TIMEOUT_S = 120.0


@dataclass
class PayRun:
    """What the workers of one run did together (CPU in seconds, latencies in ms)."""

    payments: int = 0
    errors: int = 0
    seconds: float = 0.0
    latencies_ms: list[float] = field(default_factory=list)
    client_cpu: float = 0.0
    server_cpu: float = 0.0
    statements: int = 0
    round_trips: int = 0
    exhausted: int = 0  # workers that ran out of seeded jobs before the time was up
    first_error: str | None = None


def _counter(engine: Engine) -> Counter[str]:
    """Counts of what goes over the wire. Each cursor execution is one round trip (BEGIN
    and the timeouts travel with a transaction's first statement, COMMIT with its last
    writes: pg_transactions); statements count the SQL inside, SET LOCALs as one and
    BEGIN/COMMIT as none, as the issue's first count did."""
    counts: Counter[str] = Counter()

    def executed(_conn, _cursor, statement, _params, context, _many) -> None:  # noqa: ANN001
        batch = context.execution_options.get(pg_transactions.BATCH) if context else None
        opened = statement.startswith("BEGIN; ")
        counts.update(
            round_trips=1,
            statements=(len(batch) if batch is not None else 1) + (1 if opened else 0),
        )

    event.listen(engine, "before_cursor_execute", executed)
    event.listen(engine.pool, "connect", lambda *_args: counts.update(("connect",)))
    event.listen(engine.pool, "checkout", lambda *_args: counts.update(("checkout",)))
    return counts


def _round_trips(counts: Counter[str], pre_ping: bool) -> int:
    pings = counts["checkout"] - counts["connect"] if pre_ping else 0
    return counts["round_trips"] + pings


def _pay(app: App, actor: Actor, job: Job) -> None:
    pay(
        app.uow(),
        actor=actor,
        workstation=app.workstation,
        mrn=job.mrn,
        item_ids=job.item_ids,
        tenders=list(TENDERS),
        key=f"bench-{uuid.uuid4().hex}",
    )


def _worker(
    url: str,
    folder: Path,
    workstation: str,
    actor: Actor,
    jobs: list[Job],
    seconds: float,
    start,
    finish,
    results,
) -> None:  # noqa: ANN001
    app = till_app(url, folder, workstation)
    counts = _counter(app.engine)
    run = PayRun()
    try:
        _pay(app, actor, jobs[0])
        counts.clear()
        start.wait(START_TIMEOUT_S)
        cpu, began = process_cpu(), time.perf_counter()
        for job in jobs[1:]:
            if time.perf_counter() - began >= seconds:
                break
            sent = time.perf_counter()
            try:
                _pay(app, actor, job)
            except CareTillError as exc:
                run.errors += 1
                run.first_error = run.first_error or f"{type(exc).__name__}: {exc}"
            else:
                run.latencies_ms.append(1000 * (time.perf_counter() - sent))
        else:
            run.exhausted = 1
        run.seconds = time.perf_counter() - began
        run.client_cpu = process_cpu() - cpu
        run.payments = len(run.latencies_ms)
        run.statements = counts["statements"]
        run.round_trips = _round_trips(counts, bool(getattr(app.engine.pool, "_pre_ping", 0)))
        results.put(run)
        finish.wait(START_TIMEOUT_S)
    finally:
        app.close()


def run_workers(
    *,
    url: str,
    root: Path,
    actor: Actor,
    tills: list[str],
    jobs: list[list[Job]],
    seconds: float,
    data_dir: Path,
) -> PayRun:
    """Run one worker process per till over its jobs for `seconds`; their sum."""
    context = multiprocessing.get_context("forkserver")
    context.set_forkserver_preload([__name__])
    start, finish = context.Barrier(len(tills) + 1), context.Barrier(len(tills) + 1)
    results = context.Queue()
    workers = [
        context.Process(
            target=_worker,
            args=(url, root / till, till, actor, mine, seconds, start, finish, results),
        )
        for till, mine in zip(tills, jobs, strict=True)
    ]
    for worker in workers:
        worker.start()
    try:
        start.wait(START_TIMEOUT_S)
        server = server_cpu(data_dir)
        parts = [results.get(timeout=seconds + START_TIMEOUT_S) for _ in workers]
        total = PayRun(server_cpu=server_cpu(data_dir) - server)
        finish.wait(START_TIMEOUT_S)
    finally:
        for worker in workers:
            worker.join(START_TIMEOUT_S)
            if worker.is_alive():
                worker.kill()
    for part in parts:
        total.payments += part.payments
        total.errors += part.errors
        total.seconds = max(total.seconds, part.seconds)
        total.latencies_ms += part.latencies_ms
        total.client_cpu += part.client_cpu
        total.statements += part.statements
        total.round_trips += part.round_trips
        total.exhausted += part.exhausted
        total.first_error = total.first_error or part.first_error
    return total
