"""The faults the harness injects while the tills work, each bounded and on loopback only.

- kill: SIGKILL a worker while its log shows an operation under way, then start it
  again (it retries that operation with the same key);
- terminate: `pg_terminate_backend` of a few of the tills' server processes;
- lock: hold a wallet, stock or workstation row lock from a side connection for
  longer than the tills' lock timeout, so their commands end `busy` and are retried;
- restart / crash: `pg_ctl` stop `-m fast` / `-m immediate` and start again.
"""

from __future__ import annotations

import json
import os
import random
import signal
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import create_engine, text
from sqlalchemy.engine import Engine
from sqlalchemy.exc import DBAPIError
from sqlalchemy.pool import NullPool

from tests.helpers.postgres import APP_ROLE, ThrowawayServer
from tools.torture.plan import Plan

REPO = Path(__file__).resolve().parents[2]
MID_OPERATION_WAIT_S = 2.0
RESTARTS_ON_FAILURE = 3


class LogTail:
    """Follows a worker's log: how many attempts ended, and whether one is under way."""

    def __init__(self, path: Path) -> None:
        self.path, self.offset, self.ended, self.busy, self.bugs = path, 0, 0, False, 0
        self._partial = b""

    def poll(self) -> None:
        if not self.path.exists():
            return
        with self.path.open("rb") as handle:
            handle.seek(self.offset)
            data = handle.read()
        self.offset += len(data)
        lines = (self._partial + data).split(b"\n")
        self._partial = lines.pop()
        for line in lines:
            record = json.loads(line)
            self.busy = record["t"] == "begin"
            self.ended += record["t"] == "end"
            self.bugs += record.get("outcome", "").startswith("error:")


@dataclass
class Workers:
    """The worker processes: started, killed and started again by their workstation."""

    plan: Plan
    processes: dict[str, subprocess.Popen] = field(default_factory=dict)
    tails: dict[str, LogTail] = field(default_factory=dict)
    starts: dict[str, int] = field(default_factory=dict)
    failures: list[str] = field(default_factory=list)

    def start(self, workstation: str) -> None:
        self.starts[workstation] = self.starts.get(workstation, 0) + 1
        err = (Path(self.plan.out_dir) / f"{workstation}.stderr").open("ab")
        env = {**os.environ, "PYTHONPATH": str(REPO)}
        self.processes[workstation] = subprocess.Popen(
            [sys.executable, "-m", "tools.torture.worker", str(self.plan.path), workstation],
            cwd=REPO,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=err,
        )
        err.close()
        tail = self.tails.setdefault(workstation, LogTail(self.plan.log_path(workstation)))
        tail.busy = False  # a new process: busy again only once it logs a new attempt

    def poll(self) -> list[str]:
        """Workstations whose worker is still running. A worker that dies by itself is a
        failure; it is started again (a few times) so the run can still finish."""
        running = []
        for workstation, process in list(self.processes.items()):
            self.tails[workstation].poll()
            status = process.poll()
            if status is None:
                running.append(workstation)
            elif status != 0 and self.processes[workstation] is process:
                self.failures.append(f"{workstation} exited with status {status}")
                if self.failures.count(self.failures[-1]) <= RESTARTS_ON_FAILURE:
                    self.start(workstation)
                    running.append(workstation)
                else:
                    process.returncode = 0  # given up on: counted once
        return running

    def ended(self) -> int:
        return sum(tail.ended for tail in self.tails.values())

    def bugs(self) -> int:
        """Attempts that ended in an unexpected error (a bug in CareTill or the tool)."""
        return sum(tail.bugs for tail in self.tails.values())

    def kill_mid_operation(self, rng: random.Random) -> str | None:
        """SIGKILL a running worker while an attempt is under way; start it again."""
        running = [w for w, p in self.processes.items() if p.poll() is None]
        if not running:
            return None
        workstation = rng.choice(running)
        tail, deadline = self.tails[workstation], time.monotonic() + MID_OPERATION_WAIT_S
        while time.monotonic() < deadline:
            tail.poll()
            if tail.busy:
                break
            time.sleep(0.002)
        self.processes[workstation].send_signal(signal.SIGKILL)
        self.processes[workstation].wait()
        self.start(workstation)
        return workstation

    def kill_all(self) -> None:
        for process in self.processes.values():
            if process.poll() is None:
                process.kill()
                process.wait()

    def stop_all(self, timeout_s: float) -> None:
        """Ask every worker to stop after its operation; kill whoever does not in time."""
        self.plan.stop_file.touch()
        deadline = time.monotonic() + timeout_s
        for process in self.processes.values():
            try:
                process.wait(timeout=max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


class Faults:
    """Server-side faults: terminated backends, held locks and restarts."""

    def __init__(self, plan: Plan, server: ThrowawayServer | None) -> None:
        self.plan, self.server = plan, server
        self.admin: Engine = create_engine(
            plan.admin_url, poolclass=NullPool, isolation_level="AUTOCOMMIT"
        )
        self.locker: Engine = create_engine(plan.admin_url, poolclass=NullPool)
        self.holders: list[threading.Thread] = []
        self.held = 0  # locks actually taken and held

    def terminate(self, rng: random.Random) -> int:
        """Terminate one to three of the tills' backends, busy ones first."""
        with self.admin.connect() as conn:
            pids = (
                conn.execute(
                    text(
                        "SELECT pid FROM pg_stat_activity WHERE usename = :role "
                        "ORDER BY state = 'idle', random() LIMIT :n"
                    ),
                    {"role": APP_ROLE, "n": rng.randint(1, 3)},
                )
                .scalars()
                .all()
            )
            return sum(
                bool(conn.execute(text("SELECT pg_terminate_backend(:p)"), {"p": pid}).scalar())
                for pid in pids
            )

    def hold_lock(self, rng: random.Random) -> str:
        """Lock one row past the tills' lock timeout, from a side connection, in the
        background: a till's row first, then a stock row, then a wallet, in turn."""
        table, where, value = [
            ("workstations", "id = :v", rng.choice(self.plan.tills).workstation),
            ("stock_items", "code = :v", rng.choice(list(self.plan.stock))),
            (
                "wallets",
                "patient_id = (SELECT id FROM patients WHERE mrn = :v)",
                rng.choice(self.plan.patients),
            ),
        ][len(self.holders) % 3]
        hold_s = self.plan.lock_wait_s * 2 + 0.5
        thread = threading.Thread(
            target=self._hold, args=(table, where, value, hold_s), daemon=True
        )
        thread.start()
        self.holders.append(thread)
        return f"{table}:{value}"

    def _hold(self, table: str, where: str, value: str, hold_s: float) -> None:
        try:
            with self.locker.connect() as conn, conn.begin():
                if conn.execute(
                    text(f"SELECT 1 FROM {table} WHERE {where} FOR UPDATE"), {"v": value}
                ).all():
                    self.held += 1
                    time.sleep(hold_s)
        except DBAPIError:
            pass  # the server restarted under it: the lock went with it

    def restart(self, mode: str) -> float:
        """Stop the server (`fast` or `immediate`) and start it again; seconds it took."""
        assert self.server is not None
        started = time.monotonic()
        self.server.stop(mode=mode)
        self.server.start()
        return time.monotonic() - started

    def close(self) -> None:
        for thread in self.holders:
            thread.join()
        self.admin.dispose()
        self.locker.dispose()
