"""CareTill's payment path side by side with PostgreSQL's own ceiling, on one durable server.

Usage: python -m benchmarks.compare [--seconds S] [--rounds R] [--clients 1,4,16]

Starts a throwaway PostgreSQL 15 on loopback (fsync on), then, R times and interleaved:
pgbench tpcb-like; pgbench replaying the SQL of one captured CareTill payment; CareTill's
`pay()` in N worker processes (one till each, distinct patients); and the largest N on
4 shared wallets. Each run lasts S seconds on freshly seeded rows. Prints one markdown
table of medians over the rounds (tx/s, latency percentiles, statements and round trips
per payment, client and server CPU per payment) and the ratios to the replay. Removes
the server and its files at the end. Measures; asserts nothing.
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import subprocess
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

from benchmarks import bench_server
from benchmarks.bench_server import Bench
from benchmarks.pay_workers import PayRun, run_workers
from benchmarks.pgbench_replay import (
    PGBENCH,
    PgbenchRun,
    per_client,
    replay_script,
    run_pgbench,
    sent,
)
from benchmarks.proc_stats import load_average, percentile
from tests.helpers.postgres import APP_ROLE

SHARED_WALLETS = 4
TPCB_STATEMENTS = 5  # and BEGIN and END: 7 round trips
TPCB, REPLAY, CARETILL, SHARED = (
    "pgbench tpcb-like",
    "pgbench replay of pay() SQL",
    "CareTill pay()",
    "CareTill pay(), 4 shared wallets",
)


@dataclass(frozen=True)
class Figures:
    """One run of one contender, per transaction (a payment, for all but tpcb-like)."""

    rate: float
    p50: float
    p95: float
    p99: float
    statements: float
    round_trips: float
    client_cpu_ms: float
    server_cpu_ms: float
    errors: int


def _from_pgbench(run: PgbenchRun, statements: int, round_trips: int) -> Figures:
    done = max(run.transactions, 1)
    lat = run.latencies_ms
    return Figures(
        run.transactions / run.seconds,
        percentile(lat, 0.5),
        percentile(lat, 0.95),
        percentile(lat, 0.99),
        statements,
        round_trips,
        1000 * run.client_cpu / done,
        1000 * run.server_cpu / done,
        run.failed,
    )


def _from_workers(run: PayRun) -> Figures:
    done = max(run.payments, 1)
    lat = run.latencies_ms
    return Figures(
        run.payments / run.seconds,
        percentile(lat, 0.5),
        percentile(lat, 0.95),
        percentile(lat, 0.99),
        run.statements / done,
        run.round_trips / done,
        1000 * run.client_cpu / done,
        1000 * run.server_cpu / done,
        run.errors + run.exhausted,
    )


class Harness:
    """The runs of one invocation, on one server."""

    def __init__(self, bench: Bench, seconds: float, script: str, sent: tuple[int, int]) -> None:
        self.bench, self.seconds = bench, seconds
        self.script, self.sent = script, sent  # the replay's statements and round trips
        self.results: dict[tuple[str, int], list[Figures]] = defaultdict(list)
        self.loads: list[str] = []
        self.round_no = 0

    def _pgbench(self, clients: int, *, database: str, **options) -> PgbenchRun:  # noqa: ANN003
        server = self.bench.server
        return run_pgbench(
            host="127.0.0.1",
            port=server.port,
            database=database,
            clients=clients,
            seconds=self.seconds,
            data_dir=server.data,
            **options,
        )

    def tpcb(self, clients: int) -> None:
        run = self._pgbench(clients, database="pgbench", user=self.bench.server.user)
        self._keep(TPCB, clients, _from_pgbench(run, TPCB_STATEMENTS, TPCB_STATEMENTS + 2))

    def replay(self, clients: int) -> None:
        per = per_client(self.seconds, clients)
        block = self.bench.block(per * clients)
        run = self._pgbench(
            clients,
            database="caretill",
            user=APP_ROLE,
            password=self.bench.app_password,
            script=self.script,
            variables={"first": block.first, "per": per, "n": 0, "run": self.round_no},
        )
        if self.bench.paid_items(block) != 2 * run.transactions:
            raise RuntimeError(
                f"the replay's {run.transactions} transactions paid "
                f"{self.bench.paid_items(block)} items, not two each"
            )
        self._keep(REPLAY, clients, _from_pgbench(run, *self.sent))

    def caretill(self, clients: int, *, shared: bool = False) -> None:
        per = per_client(self.seconds, clients)
        block = (
            self.bench.block(SHARED_WALLETS, clients // SHARED_WALLETS * per)
            if shared
            else self.bench.block(per * clients)
        )
        run = run_workers(
            url=self.bench.app_url,
            root=self.bench.root,
            actor=self.bench.actor,
            tills=tills(clients),
            jobs=block.split(clients),
            seconds=self.seconds,
            data_dir=self.bench.server.data,
        )
        if run.first_error:
            print(f"  ({clients} tills: {run.errors} failed, first: {run.first_error})")
        self._keep(SHARED if shared else CARETILL, clients, _from_workers(run))

    def _keep(self, name: str, clients: int, figures: Figures) -> None:
        self.results[(name, clients)].append(figures)
        self.loads.append(load_average().split()[0])
        print(f"  {name}, {clients} clients: {figures.rate:.0f}/s", flush=True)


def tills(count: int) -> list[str]:
    return [f"T{i:02d}" for i in range(count)]


def replay_tills(count: int) -> list[str]:
    """The workstations of the replay's clients: pgbench's client_id names them."""
    return [f"RW{i}" for i in range(count)]


def table(results: dict[tuple[str, int], list[Figures]]) -> list[str]:
    """The medians over rounds, one markdown row per contender and client count."""
    lines = [
        "| contender | clients | tx/s | p50 ms | p95 ms | p99 ms | statements/tx "
        "| round trips/tx | client CPU ms/tx | server CPU ms/tx | errors |",
        "|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    order = (TPCB, REPLAY, CARETILL, SHARED)
    for (name, clients), runs in sorted(
        results.items(), key=lambda kv: (kv[0][1], order.index(kv[0][0]))
    ):
        med = {
            field: statistics.median(getattr(run, field) for run in runs)
            for field in Figures.__dataclass_fields__
        }
        lines.append(
            f"| {name} | {clients} | {med['rate']:.0f} | {med['p50']:.1f} "
            f"| {med['p95']:.1f} | {med['p99']:.1f} | {med['statements']:.1f} "
            f"| {med['round_trips']:.1f} | {med['client_cpu_ms']:.2f} "
            f"| {med['server_cpu_ms']:.2f} | {sum(r.errors for r in runs)} |"
        )
    return lines


def ratios(results: dict[tuple[str, int], list[Figures]], clients: list[int]) -> list[str]:
    """CareTill's rate and server CPU as shares of the replay's, and how each scales."""
    rate = {key: statistics.median(r.rate for r in runs) for key, runs in results.items()}
    cpu = {key: statistics.median(r.server_cpu_ms for r in runs) for key, runs in results.items()}
    lines = [
        f"- {n} clients: CareTill/replay tx/s {_share(rate[CARETILL, n], rate[REPLAY, n])}"
        f", server CPU per payment {_share(cpu[CARETILL, n], cpu[REPLAY, n])}x the replay's"
        for n in clients
    ]
    if len(clients) > 1:
        low, high = clients[-2:]
        caretill = rate[CARETILL, high] / rate[CARETILL, low] if rate[CARETILL, low] else 0.0
        replay = rate[REPLAY, high] / rate[REPLAY, low] if rate[REPLAY, low] else 0.0
        lines.append(
            f"- {high}-vs-{low} clients: CareTill {caretill:.2f}x, replay "
            f"{replay:.2f}x (CareTill's scaling is {_share(caretill, replay)} of the "
            "replay's)"
        )
    return lines


def _share(part: float, whole: float) -> str:
    return f"{part / whole:.2f}" if whole else "n/a"


def machine() -> list[str]:
    """What the figures were measured on."""
    model = next(
        (
            line.split(":", 1)[1].strip()
            for line in Path("/proc/cpuinfo").read_text().splitlines()
            if line.startswith("model name")
        ),
        platform.processor(),
    )
    version = subprocess.run(
        [str(PGBENCH.parent / "postgres"), "--version"], capture_output=True, text=True
    ).stdout.strip()
    return [f"- {os.cpu_count()} CPUs, {model}", f"- {version}, fsync on, loopback TCP"]


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--seconds", type=float, default=10.0, help="length of each run")
    parser.add_argument("--rounds", type=int, default=3, help="interleaved repetitions")
    parser.add_argument("--clients", default="1,4,16", help="client counts, comma-separated")
    args = parser.parse_args(argv)
    clients = sorted({int(n) for n in args.clients.split(",")})
    most = max(clients)
    load_before = load_average()
    bench = bench_server.start(tills=tills(most), replay_tills=replay_tills(most))
    try:
        statements, known = bench_server.capture_payment(bench)
        raw = bench.owner.raw_connection()
        try:
            script = replay_script(statements, known, raw.cursor().mogrify)
        finally:
            raw.close()
        harness = Harness(bench, args.seconds, script, sent(statements))
        for round_no in range(args.rounds):
            print(f"round {round_no + 1} of {args.rounds}", flush=True)
            harness.round_no = round_no  # keeps the replay's idempotency keys distinct
            for n in clients:
                for run in (harness.tpcb, harness.replay, harness.caretill):
                    bench.checkpoint()
                    run(n)
            if most >= SHARED_WALLETS:
                bench.checkpoint()
                harness.caretill(most, shared=True)
    finally:
        bench.close()
    print()
    print("\n".join(machine()))
    print(
        f"- load average before {load_before}; 1-minute load after each run "
        f"{min(harness.loads)}..{max(harness.loads)}"
    )
    print(f"- {args.rounds} interleaved rounds of {args.seconds:g} s; medians")
    print()
    print("\n".join(table(harness.results)))
    print()
    print("\n".join(ratios(harness.results, clients)))


if __name__ == "__main__":
    main()
