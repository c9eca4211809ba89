"""pgbench as the yardstick: tpcb-like, and a replay of the SQL one real `pay()` sends.

`capture` records every statement of one payment with its parameters (a SQLAlchemy
before_cursor_execute listener); `replay_script` turns it into a pgbench script whose
literals are variables, so each client pays its own patient's next bill at its own
workstation: patient, wallet and bill ids, item ids, MRN, idempotency key and
workstation come from the client's number and its transaction counter (`pay_seed.Block`
arithmetic), and the values the server hands back (the workstation's counters, the
payment's id) are taken with `\\gset` as CareTill takes them from RETURNING.
"""

from __future__ import annotations

import math
import os
import re
import subprocess
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from psycopg2.extensions import AsIs
from sqlalchemy import event
from sqlalchemy.engine import Engine

from benchmarks.pay_seed import Job
from benchmarks.proc_stats import server_cpu, server_processes, settle
from pos_app.adapters import pg_transactions

PGBENCH = Path("/usr/lib/postgresql/15/bin/pgbench")


@dataclass(frozen=True)
class Captured:
    """One round trip as the driver received it; for a batch of writes, its statements
    one by one with their values (`pg_transactions.BATCH`) and whether COMMIT ends it."""

    sql: str
    params: object
    batch: list[tuple[str, dict]] | None = None
    commits: bool = False


@dataclass(frozen=True)
class Known:
    """The values of the captured payment that the replay makes variables of."""

    job: Job
    patient_id: int
    workstation: str
    key: str
    receipt_no: str
    receipt_seq: int
    audit_seq: int
    payment_id: int


@dataclass(frozen=True)
class PgbenchRun:
    """What one pgbench run measured (CPU in seconds, latencies in ms)."""

    transactions: int
    failed: int
    seconds: float
    latencies_ms: list[float]
    client_cpu: float
    server_cpu: float


def capture(engine: Engine, run: Callable[[], object]) -> list[Captured]:
    """The statements `run()` sends through `engine`, in order."""
    seen: list[Captured] = []

    def record(conn, cursor, statement, parameters, context, executemany) -> None:  # noqa: ANN001
        options = context.execution_options if context else {}
        seen.append(
            Captured(
                statement,
                parameters,
                options.get(pg_transactions.BATCH),
                bool(options.get(pg_transactions.COMMITS)),
            )
        )

    event.listen(engine, "before_cursor_execute", record)
    try:
        run()
    finally:
        event.remove(engine, "before_cursor_execute", record)
    return seen


def sent(statements: list[Captured]) -> tuple[int, int]:
    """Statements and round trips of a captured payment, counted as the workers count
    theirs (`pay_workers._counter`): the SET LOCALs as one, BEGIN and COMMIT as none."""
    inside = sum(
        (len(c.batch) if c.batch is not None else 1) + c.sql.startswith("BEGIN; ")
        for c in statements
    )
    return inside, len(statements)


def replay_script(statements: list[Captured], known: Known, mogrify: Callable) -> str:
    """A pgbench script of one payment per transaction, for variables `first`, `per`, `run`
    and the counter `n` (-D n=0): client c's n-th payment pays block patient c * per + n - 1.
    """
    ints = {
        known.patient_id: ":p",
        known.job.item_ids[0]: ":i",
        known.job.item_ids[1]: ":j",
        known.payment_id: ":pay_id",
        known.receipt_seq: ":ws_receipt_seq",
        known.audit_seq: ":ws_audit_seq",
    }
    if len(ints) != 6:
        raise RuntimeError(f"the captured payment's values are not distinct: {known}")
    texts = {
        known.job.mrn: "RP:p",
        known.key: "rk:run-:client_id-:n",
        known.workstation: "RW:client_id",
        known.receipt_no: "RW:client_id-:ws_receipt_seq",
    }

    def swap(value: object) -> object:
        if isinstance(value, int) and not isinstance(value, bool) and value in ints:
            return AsIs(ints[value])
        if isinstance(value, str) and value in texts:
            return texts[value]
        if isinstance(value, list):  # an array parameter (the chosen items' ids)
            return [swap(item) for item in value]
        return value

    lines = [
        "\\set n :n + 1",
        "\\set p :first + :client_id * :per + :n - 1",
        "\\set i 2 * :p",
        "\\set j 2 * :p + 1",
    ]
    for captured in statements:
        opening, first = _opening(captured.sql)
        if captured.batch is not None:
            parts = [
                mogrify(sql, {k: swap(v) for k, v in values.items()}).decode()
                for sql, values in captured.batch
            ]
        else:
            params = captured.params
            sets = (
                params
                if isinstance(params, list | tuple) and params and isinstance(params[0], dict)
                else [params]
            )
            parts = [
                mogrify(
                    first, {k: swap(v) for k, v in one.items()} if isinstance(one, dict) else one
                ).decode()
                for one in sets
            ]
        parts = opening + parts + (["COMMIT"] if captured.commits else [])
        # one round trip, as CareTill sends it: pgbench's compound statement
        lines.append(" \\;\n".join(parts) + _ending(parts[-1]))
    return "\n".join(lines) + "\n"


def _opening(sql: str) -> tuple[list[str], str]:
    """The BEGIN and SET LOCALs CareTill sends before a transaction's first statement
    (pg_transactions), and the statement after them."""
    opening = []
    while sql.startswith(("BEGIN; ", "SET LOCAL ")):
        head, sql = sql.split("; ", 1)
        opening.append(head)
    return opening, sql


def _ending(sql: str) -> str:
    """Keep the server's answers that later statements use, as CareTill does."""
    if re.search(r"UPDATE workstations .* RETURNING", sql, re.S):
        return " \\gset ws_"
    if re.search(r"INSERT INTO payments .* RETURNING", sql, re.S):
        return " \\gset pay_"
    return ";"


def per_client(seconds: float, clients: int) -> int:
    """Payments to seed per pgbench client or worker: more than either can take in time."""
    return math.ceil(seconds * max(1500 / clients, 150)) + 5


def run_pgbench(
    *,
    host: str,
    port: int,
    user: str,
    database: str,
    clients: int,
    seconds: float,
    data_dir: Path,
    password: str | None = None,
    script: str | None = None,
    variables: dict[str, int] | None = None,
) -> PgbenchRun:
    """One time-bounded pgbench run (tpcb-like unless a script is given), per-transaction
    latencies from its log, its own CPU and the server's over the run."""
    logs = Path(tempfile.mkdtemp(prefix="caretill-pgbench-"))
    threads = math.gcd(clients, os.cpu_count() or 1)
    argv = [
        str(PGBENCH),
        "-h",
        host,
        "-p",
        str(port),
        "-U",
        user,
        "-n",
        "-c",
        str(clients),
        "-j",
        str(threads),
        "-T",
        str(max(1, round(seconds))),
        "-l",
        f"--log-prefix={logs}/tx",
    ]
    if script is None:
        argv += ["-b", "tpcb-like"]
    else:
        (logs / "pay.sql").write_text(script)
        argv += ["-f", str(logs / "pay.sql")]
    for name, value in (variables or {}).items():
        argv += ["-D", f"{name}={value}"]
    env = {**os.environ, **({"PGPASSWORD": password} if password else {})}
    idle = server_processes(data_dir)
    server_before, client_before = server_cpu(data_dir), os.times()
    done = subprocess.run(
        [*argv, database], capture_output=True, text=True, env=env, timeout=seconds + 120
    )
    client_after = os.times()
    settle(data_dir, idle)
    server_after = server_cpu(data_dir)
    if done.returncode not in (0, 2):  # 2: some clients aborted (reported as failed)
        raise RuntimeError(f"pgbench failed: {done.stderr.strip()[-2000:]}")
    latencies = [
        int(line.split()[2]) / 1000
        for log in logs.glob("tx.*")
        for line in log.read_text().splitlines()
    ]
    failed = re.search(r"number of failed transactions: (\d+)", done.stdout)
    aborted = "aborted" in done.stderr or done.returncode == 2
    result = PgbenchRun(
        transactions=len(latencies),
        failed=(int(failed.group(1)) if failed else 0) + (clients if aborted else 0),
        seconds=_measured_seconds(done.stdout, seconds, len(latencies)),
        latencies_ms=latencies,
        client_cpu=(
            client_after.children_user
            + client_after.children_system
            - client_before.children_user
            - client_before.children_system
        ),
        server_cpu=server_after - server_before,
    )
    for log in logs.iterdir():
        log.unlink()
    logs.rmdir()
    return result


def _measured_seconds(stdout: str, asked: float, transactions: int) -> float:
    """The run's length as pgbench saw it (transactions / its tps without connecting)."""
    tps = re.search(r"tps = ([\d.]+) \(without initial connection time\)", stdout)
    if tps and float(tps.group(1)) > 0:
        return transactions / float(tps.group(1))
    return max(1, round(asked))
