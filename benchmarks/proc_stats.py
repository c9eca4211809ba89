"""What the harness reads from /proc and how it sums up a run: CPU seconds and percentiles.

CPU time, not wall time, is the figure that compares across runs on a shared machine.
A PostgreSQL backend that exits hands its CPU time to the postmaster, which reaps it
(its cutime/cstime), so the server's total is the postmaster's own and reaped time plus
the time of the children still alive.
"""

from __future__ import annotations

import os
import time
from contextlib import suppress
from pathlib import Path

TICKS = os.sysconf("SC_CLK_TCK")


def _fields(pid: int | str) -> list[str]:
    """/proc/<pid>/stat after the command name (which may hold spaces): field 3 is [0]."""
    return Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()


def process_cpu(pid: int | str = "self") -> float:
    """CPU seconds (user + system) one process has used."""
    fields = _fields(pid)
    return (int(fields[11]) + int(fields[12])) / TICKS


def _server(data_dir: Path) -> tuple[int, list[list[str]]]:
    """The postmaster's pid and the stat fields of its live children."""
    postmaster = int((data_dir / "postmaster.pid").read_text().split()[0])
    children = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            with suppress(OSError, IndexError):
                child = _fields(entry.name)
                if int(child[1]) == postmaster:
                    children.append(child)
    return postmaster, children


def server_cpu(data_dir: Path) -> float:
    """CPU seconds the whole PostgreSQL server has used: postmaster, reaped and live children.

    A child reaped between the two reads would be lost: call it when no backend is exiting
    (while the clients are connected, or after `settle`).
    """
    postmaster, children = _server(data_dir)
    fields = _fields(postmaster)
    total = sum(int(fields[i]) for i in (11, 12, 13, 14))
    return (total + sum(int(child[11]) + int(child[12]) for child in children)) / TICKS


def server_processes(data_dir: Path) -> int:
    return len(_server(data_dir)[1])


def settle(data_dir: Path, processes: int, timeout_s: float = 5.0) -> None:
    """Wait (bounded) until the server is down to `processes` children again: the backends
    of clients that left have exited and been reaped, their CPU time now the postmaster's."""
    deadline = time.monotonic() + timeout_s
    while server_processes(data_dir) > processes and time.monotonic() < deadline:
        time.sleep(0.02)


def percentile(values: list[float], share: float) -> float:
    """The nearest-rank percentile (`share` in 0..1) of `values`; 0 for none."""
    if not values:
        return 0.0
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(share * len(ordered) + 0.5) - 1))]


def load_average() -> str:
    """The 1, 5 and 15 minute load averages, as /proc shows them."""
    return " ".join(Path("/proc/loadavg").read_text().split()[:3])
