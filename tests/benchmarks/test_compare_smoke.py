"""A seconds-long run of the side-by-side harness, so it never rots.

It starts its own durable PostgreSQL, so it needs the server binaries the suite uses.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
CONTENDERS = (
    "pgbench tpcb-like",
    "pgbench replay of pay() SQL",
    "CareTill pay()",
    "CareTill pay(), 4 shared wallets",
)


def _rows(output: str) -> dict[tuple[str, int], dict[str, float]]:
    lines = [line for line in output.splitlines() if line.startswith("| ")]
    header = [cell.strip() for cell in lines[0].strip("|").split("|")]
    rows = {}
    for line in lines[1:]:
        cells = [cell.strip() for cell in line.strip("|").split("|")]
        rows[cells[0], int(cells[1])] = {
            name: float(value) for name, value in zip(header[2:], cells[2:], strict=True)
        }
    return rows


def test_a_short_run_prints_the_table_with_sane_figures_for_every_contender() -> None:
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "benchmarks.compare",
            "--seconds",
            "1",
            "--rounds",
            "1",
            "--clients",
            "1,4",
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    rows = _rows(done.stdout)
    expected = {(name, n) for name in CONTENDERS[:3] for n in (1, 4)} | {(CONTENDERS[3], 4)}
    assert set(rows) == expected
    for key, row in rows.items():
        assert row["tx/s"] > 0, key
        assert 0 < row["round trips/tx"] <= row["statements/tx"] + 2, key
        assert 0 < row["p50 ms"] <= row["p95 ms"] <= row["p99 ms"], key
        assert row["server CPU ms/tx"] > 0 and row["errors"] == 0, key
    for n in (1, 4):
        assert rows["CareTill pay()", n]["client CPU ms/tx"] > 0
        assert (
            rows["CareTill pay()", n]["statements/tx"]
            == rows["pgbench replay of pay() SQL", n]["statements/tx"]
        )
    assert "CareTill/replay tx/s" in done.stdout
