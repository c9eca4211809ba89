"""One till's payment path under the microscope: the statements one `pay()` sends, and
where the client's CPU goes over many payments (cProfile), on a throwaway PostgreSQL.

    python -m benchmarks.profile_pay [--payments N] [--top K]

It prints each round trip of one steady-state payment (the start of its SQL), the
counts of statements and round trips and the wall and client CPU per payment over N
payments, then the K functions with the most own time over N more under cProfile.
The figures for issue 15's note come from here and from `benchmarks.compare`.
"""

from __future__ import annotations

import argparse
import cProfile
import pstats
import time
import uuid

from benchmarks import bench_server
from benchmarks.pay_seed import TENDERS, till_app
from benchmarks.pay_workers import _counter, _round_trips
from benchmarks.proc_stats import process_cpu
from pos_app.services.pay import pay

TILL = "PROF"


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--payments", type=int, default=2000)
    parser.add_argument("--top", type=int, default=25)
    args = parser.parse_args(argv)
    bench = bench_server.start(tills=[TILL], replay_tills=[])
    try:
        statements, _known = bench_server.capture_payment(bench)
        print(f"one payment: {len(statements)} statements")
        for number, captured in enumerate(statements, 1):
            first = " ".join(captured.sql.split())[:150]
            print(f"  {number:2d}. {first}")
        jobs = bench.block(2 * args.payments + 1).split(1)[0]
        app = till_app(bench.app_url, bench.root / TILL, TILL)
        try:

            def one(job) -> None:  # noqa: ANN001
                pay(
                    app.uow(),
                    actor=bench.actor,
                    workstation=TILL,
                    mrn=job.mrn,
                    item_ids=job.item_ids,
                    tenders=list(TENDERS),
                    key=f"prof-{uuid.uuid4().hex}",
                )

            one(jobs[0])
            timed, profiled = jobs[1 : args.payments + 1], jobs[args.payments + 1 :]
            counts = _counter(app.engine)
            cpu, began = process_cpu(), time.perf_counter()
            for job in timed:
                one(job)
            cpu, wall = process_cpu() - cpu, time.perf_counter() - began
            n = len(timed)
            pre_ping = bool(getattr(app.engine.pool, "_pre_ping", 0))
            print(
                f"{n} payments: {counts['statements'] / n:.1f} statements and "
                f"{_round_trips(counts, pre_ping) / n:.1f} round trips each; "
                f"{1000 * wall / n:.2f} ms wall, {1000 * cpu / n:.2f} ms client CPU each"
            )
            profile = cProfile.Profile()
            profile.enable()
            for job in profiled:
                one(job)
            profile.disable()
            print(f"then {len(profiled)} payments under cProfile:")
            pstats.Stats(profile).sort_stats("tottime").print_stats(args.top)
        finally:
            app.close()
    finally:
        bench.close()


if __name__ == "__main__":
    main()
