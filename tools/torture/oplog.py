"""Each worker's append-only operation log: one JSON line before and one after every attempt.

Every line is fsynced before the worker goes on, so the log survives a SIGKILL and is
the tills' own witness of what they were told: the verifier holds the database to it,
and a restarted worker finds in it the attempt it was killed in, to retry with its key.
"""

from __future__ import annotations

import json
import os
import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

ACKNOWLEDGED = frozenset({"ok", "replayed"})
# Outcomes after which the money may or may not have moved, or nothing was decided:
# the till retries with the same key. Anything else ("error:...") is a bug, retried too.
TRANSIENT = frozenset({"busy", "database_unavailable", "outcome_unknown"})


def is_final(outcome: str) -> bool:
    """Whether an attempt's outcome settles its operation (no retry follows)."""
    return outcome not in TRANSIENT and not outcome.startswith("error:")


class OpLog:
    """Append-only, fsynced JSON lines."""

    def __init__(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self._fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)

    def write(self, record: dict) -> None:
        line = json.dumps({**record, "at": round(time.time(), 3)}, sort_keys=True) + "\n"
        os.write(self._fd, line.encode())
        os.fsync(self._fd)

    def close(self) -> None:
        os.close(self._fd)


def read_log(path: Path) -> list[dict]:
    """Every complete line of a log (a line torn by a kill is dropped)."""
    if not path.exists():
        return []
    records = []
    for line in path.read_text().splitlines():
        try:
            records.append(json.loads(line))
        except json.JSONDecodeError:
            continue
    return records


@dataclass
class Operation:
    """One intended money command as its attempts recorded it."""

    op: str
    kind: str
    mode: str
    key: str | None
    intent: dict
    workstation: str
    attempts: int = 0
    outcomes: list[str] = field(default_factory=list)
    results: list[dict] = field(default_factory=list)  # of acknowledged attempts
    expect: str | None = None
    open: bool = False  # the last record is a "begin": the worker died inside that attempt

    @property
    def last(self) -> str | None:
        """The last attempt's outcome; None if the worker died inside that attempt."""
        return None if self.open or not self.outcomes else self.outcomes[-1]

    @property
    def finished(self) -> bool:
        return self.last is not None and is_final(self.last)

    @property
    def acknowledged(self) -> bool:
        return any(o in ACKNOWLEDGED for o in self.outcomes)


def operations(records: Iterable[dict]) -> list[Operation]:
    """The operations of one log, in order, with all their attempts."""
    ops: dict[str, Operation] = {}
    for record in records:
        op = ops.get(record["op"])
        if op is None:
            op = ops[record["op"]] = Operation(
                record["op"],
                record["kind"],
                record["mode"],
                record.get("key"),
                record["intent"],
                record["workstation"],
                expect=record.get("expect"),
            )
        op.open = record["t"] == "begin"
        if op.open:
            op.attempts += 1
        else:
            op.outcomes.append(record["outcome"])
            if record["outcome"] in ACKNOWLEDGED:
                op.results.append(record["result"])
    return list(ops.values())
