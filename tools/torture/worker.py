"""One worker process: a till at its own workstation doing random money commands.

`python -m tools.torture.worker PLAN WORKSTATION`. It signs its cashier and supervisor
in, retries first the operation its log shows it was killed in (same key, same
content), makes sure its shift is open, then draws operations until its share is
done or the harness asks it to stop. Every attempt is logged before and after; a
busy, unreachable or in-doubt attempt is retried with the same key, as a till would.
"""

from __future__ import annotations

import json
import os
import random
import sys
import time
import traceback
from contextlib import suppress
from itertools import count
from pathlib import Path

from sqlalchemy.exc import DBAPIError

from pos_app.adapters.database import Timeouts
from pos_app.bootstrap import App, build
from pos_app.config import Settings
from pos_app.domain.actors import Actor
from pos_app.domain.errors import Busy, CareTillError, Unavailable
from pos_app.services.auth import sign_in, sign_out
from tools.torture.execute import Till, send
from tools.torture.intents import Chooser, Intent, Memory
from tools.torture.oplog import ACKNOWLEDGED, Operation, OpLog, is_final, operations, read_log
from tools.torture.plan import PASSWORD, Plan

MAX_RETRY_S = 90.0  # a server restart takes a few seconds; a till keeps trying for longer
MAX_BUG_RETRIES = 2  # an unexpected error is a bug: retried (the key makes it safe), briefly
OFFER_WAIT_S = 0.5  # how long an offered key waits for a second worker to take it
SIGN_IN_WAIT_S = 120.0


def main(argv: list[str]) -> int:
    plan = Plan.load(Path(argv[0]))
    Worker(plan, argv[1]).run()
    return 0


def _sign_in(app: App, username: str, workstation: str) -> Actor:
    deadline = time.monotonic() + SIGN_IN_WAIT_S
    while True:
        try:
            return sign_in(app.uow(), username, PASSWORD, workstation=workstation)
        except (Unavailable, Busy):
            if time.monotonic() > deadline:
                raise
            time.sleep(0.5)


class Worker:
    def __init__(self, plan: Plan, workstation: str) -> None:
        self.plan, self.workstation = plan, workstation
        self.ops = operations(read_log(plan.log_path(workstation)))
        self.log = OpLog(plan.log_path(workstation))
        settings = Settings(
            db_url=plan.app_url,
            workstation=workstation,
            timeouts=Timeouts(lock_wait_s=plan.lock_wait_s),
            config_path=Path(plan.out_dir) / workstation / "config.json",
            local={},
        )
        app = build(settings)
        people = plan.station(workstation)
        self.till = Till(
            app,
            workstation,
            _sign_in(app, people.cashier, workstation),
            _sign_in(app, people.supervisor, workstation),
        )
        self.memory = Memory.of(self.ops)
        rng = random.Random(f"{plan.seed}-{workstation}-{len(self.ops)}")
        self.chooser = Chooser(plan, self.till, self.memory, rng)

    def run(self) -> None:
        last = self.ops[-1] if self.ops else None
        if last is not None and not last.finished:  # killed inside it: same key again
            self._attempts(
                last.op,
                Intent(last.kind, last.mode, last.key, last.intent, last.expect),
                first=last.attempts + 1,
            )
        self._perform(Intent("shift_open", "shift", None, {"float": "1000.00"}))
        while (
            self.memory.count < self.plan.operations_per_worker and not self.plan.stop_file.exists()
        ):
            joined = self._join_twin()
            for intent in [joined] if joined else self._draw():
                self._perform(intent)
        for actor in (self.till.cashier, self.till.supervisor):
            with suppress(CareTillError):
                sign_out(self.till.app.uow(), actor, workstation=self.workstation)
        self.till.app.close()

    def _draw(self) -> list[Intent]:
        """The next operation; planning reads (balance, a new bill) may fail while the
        server is away, and then the till simply tries again a moment later."""
        try:
            return self.chooser.next()
        except (CareTillError, DBAPIError):
            time.sleep(0.2)
            return []

    def _perform(self, intent: Intent) -> None:
        op = f"{self.workstation}-{self.memory.count:06d}"
        self.memory.count += 1
        self._attempts(op, intent, first=1)

    def _attempts(self, op: str, intent: Intent, *, first: int) -> None:
        started = time.monotonic()
        for attempt in count(first):
            self.log.write(
                {
                    "t": "begin",
                    "op": op,
                    "attempt": attempt,
                    "kind": intent.kind,
                    "mode": intent.mode,
                    "key": intent.key,
                    "intent": intent.intent,
                    "expect": intent.expect,
                    "workstation": self.workstation,
                }
            )
            if intent.mode == "twin_offer" and attempt == 1:
                self._offer(intent)
            outcome, result = self._send(intent)
            self.log.write(
                {"t": "end", "op": op, "attempt": attempt, "outcome": outcome, "result": result}
            )
            if outcome in ACKNOWLEDGED and result is not None:
                self.memory.remember(
                    Operation(
                        op, intent.kind, intent.mode, intent.key, intent.intent, self.workstation
                    ),
                    result,
                )
            if (
                is_final(outcome)
                or time.monotonic() - started > MAX_RETRY_S
                or outcome.startswith("error:")
                and attempt - first >= MAX_BUG_RETRIES
            ):
                return
            time.sleep(min(1.0, 0.05 * 1.5 ** (attempt - first)) * random.uniform(0.5, 1.5))

    def _send(self, intent: Intent) -> tuple[str, dict | None]:
        try:
            result = send(self.till, intent.kind, intent.key, intent.intent)
        except CareTillError as error:
            return error.code, None
        except Exception as error:  # a bug: the verifier counts it, the till retries
            traceback.print_exc(file=sys.stderr)
            return f"error:{type(error).__name__}", None
        return ("replayed" if result.get("replayed") else "ok"), result

    def _offer(self, intent: Intent) -> None:
        """Offer the key to the other workers and wait (briefly) until one takes it, so
        both send it at the same moment; alone, this worker sends it anyway."""
        rendezvous = self.plan.rendezvous
        name = f"{self.workstation}_{intent.key}.json"
        draft = rendezvous / f".{name}"
        draft.write_text(
            json.dumps({"kind": intent.kind, "key": intent.key, "intent": intent.intent})
        )
        os.rename(draft, rendezvous / f"offer_{name}")
        deadline = time.monotonic() + OFFER_WAIT_S
        while time.monotonic() < deadline:
            if (rendezvous / f"taken_{name}").exists():
                return
            time.sleep(0.005)
        with suppress(FileNotFoundError):  # else taken in the last moment
            os.rename(rendezvous / f"offer_{name}", rendezvous / f"expired_{name}")

    def _join_twin(self) -> Intent | None:
        """Take another worker's offered key, if there is one, to send it at once."""
        for path in sorted(self.plan.rendezvous.glob("offer_*.json")):
            name = path.name.removeprefix("offer_")
            if name.startswith(f"{self.workstation}_"):
                continue
            taken = self.plan.rendezvous / f"taken_{name}"
            try:
                os.rename(path, taken)
            except FileNotFoundError:
                continue
            offer = json.loads(taken.read_text())
            return Intent(offer["kind"], "twin_join", offer["key"], offer["intent"])
        return None


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
