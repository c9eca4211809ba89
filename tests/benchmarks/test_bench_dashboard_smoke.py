"""A seconds-long run of the dashboard benchmark on a tiny SQLite database, so it never rots."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from benchmarks.bench_dashboard import CALLS

ROOT = Path(__file__).resolve().parents[2]


def test_a_tiny_run_prints_a_row_for_every_call_of_today_and_of_mid_year(tmp_path) -> None:
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "benchmarks.bench_dashboard",
            "--db",
            f"sqlite:///{tmp_path / 'year.db'}",
            "--days",
            "3",
            "--per-day",
            "20",
            "--runs",
            "2",
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    assert "sqlite: 3 days x 20 payments seeded" in done.stdout
    rows = {}
    for line in done.stdout.splitlines():
        day = line.split(" ", 1)[0]
        call = next((call for call in CALLS if call in line), None)
        if day in ("today", "mid-year") and call:
            median, p95 = (float(cell) for cell in line.split()[-2:])
            rows[day, call] = (median, p95)
    assert set(rows) == {(day, call) for day in ("today", "mid-year") for call in CALLS}
    assert all(0 < median <= p95 for median, p95 in rows.values())
