"""Benchmark of the supervisor dashboard's refresh on a year of history.

Usage: python -m benchmarks.bench_dashboard (--db URL | --postgres) [--days 365]
       [--per-day 1000] [--runs 20]
Migrates the database, fills it with `--days` days of `--per-day` wallet payments each,
the last day today, spread over each day's opening hours (bench_check's bulk seed: patient,
bill, item, receipt, tender, ledger lines and signed audit event per payment), each day
before today closed with its Z report (`reports.close_day`), then times
what one refresh of the dashboard asks for (`SupervisorDashboard.start`): the day's report,
the pending approval requests and the audit trail's first page (the last 7 days, as the
audit view opens), each call and the three in a row; for today and for a day in the middle
of the year (the report of a chosen day is what the Today tab's refresh asks for).
Prints the median and p95 of `--runs` runs in milliseconds. `--postgres` starts a
throwaway PostgreSQL server for the run and removes it after; `--reuse` measures again a
database an earlier run filled (after a migration that adds an index, say).
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from benchmarks.bench_check import WS, reused, seed, setup
from benchmarks.common import open_app
from pos_app.adapters.migrate import upgrade
from pos_app.adapters.trust import LocalTrust
from pos_app.bootstrap import App
from pos_app.domain.actors import Actor
from pos_app.services import approvals, audit_trail, reports
from tests.helpers.postgres import ThrowawayServer

OPENS, HOURS = 8, 12  # payments are taken from 08:00 for 12 hours, local time
AUDIT_DAYS = 7  # the audit view's default window
CALLS = ("daily report", "pending approvals", "audit trail, first page", "whole refresh")


def today_of(app: App) -> tuple[date, ZoneInfo]:
    """Today in the facility's time zone, and that zone."""
    with app.uow() as uow:
        zone = reports.facility_zone(uow)
    return app.clock().astimezone(zone).date(), zone


def fill(app: App, *, days: int, per_day: int) -> Actor:
    """`days` days of `per_day` payments ending today in the facility's time zone, each day
    before today Z-closed as a facility does each evening; the supervisor who sees them."""
    actor, service_id, head = setup(app)
    today, zone = today_of(app)
    first = today - timedelta(days=days - 1)
    step = timedelta(hours=HOURS) / per_day

    def at(n: int) -> datetime:
        day, k = divmod(n - 1, per_day)
        opens = datetime.combine(first + timedelta(days=day), datetime.min.time(), zone)
        return (opens + timedelta(hours=OPENS) + k * step).astimezone(UTC)

    seed(
        app,
        app.trust.keys.key(WS),
        actor,
        service_id,
        first=1,
        count=days * per_day,
        head=head,
        at=at,
    )
    for day in range(days - 1):  # every day but today closed with its Z report
        reports.close_day(app.uow(), actor=actor, workstation=WS, day=first + timedelta(days=day))
    if app.engine.dialect.name == "postgresql":
        with app.engine.connect() as conn:
            conn.exec_driver_sql("COMMIT")
            conn.exec_driver_sql("VACUUM ANALYZE")
    return actor


def refresh_calls(
    app: App, actor: Actor, day: date | None, today: date
) -> dict[str, Callable[[], object]]:
    """The dashboard's service calls on refresh, each in its own unit of work as the GUI's
    background runner gives it, and the three in a row; `day` None is today's report."""
    last = day or today
    since = datetime.combine(last - timedelta(days=AUDIT_DAYS), datetime.min.time(), UTC)
    until = datetime.combine(last + timedelta(days=1), datetime.min.time(), UTC)
    calls: dict[str, Callable[[], object]] = {
        CALLS[0]: lambda: reports.daily_report(app.uow(), actor=actor, day=day),
        CALLS[1]: lambda: approvals.list_requests(app.uow(), actor=actor, status="pending"),
        CALLS[2]: lambda: audit_trail.audit_events(
            app.uow(), actor=actor, since=since, until=until
        ),
    }
    parts = list(calls.values())
    calls[CALLS[3]] = lambda: [call() for call in parts]
    return calls


def timed(call: Callable[[], object], runs: int) -> list[float]:
    """Milliseconds of each of `runs` calls, after one unmeasured warm-up call."""
    call()
    spent = []
    for _ in range(runs):
        started = time.perf_counter()
        call()
        spent.append((time.perf_counter() - started) * 1000)
    return spent


def p95(values: list[float]) -> float:
    return (
        statistics.quantiles(values, n=20, method="inclusive")[-1] if len(values) > 1 else values[0]
    )


def measure(app: App, actor: Actor, *, days: int, today: date, runs: int) -> None:
    """Print one row per scenario and call: median and p95 in milliseconds."""
    middle = today - timedelta(days=days // 2)
    print(f"{'day':<22} {'call':<26} {'median ms':>10} {'p95 ms':>8}")
    for label, day in ((f"today {today}", None), (f"mid-year {middle}", middle)):
        for name, call in refresh_calls(app, actor, day, today).items():
            spent = timed(call, runs)
            print(f"{label:<22} {name:<26} {statistics.median(spent):>10.1f} {p95(spent):>8.1f}")


def throwaway_postgres() -> tuple[ThrowawayServer, str]:
    """A private server with an empty database `caretill`; its superuser URL."""
    server = ThrowawayServer()
    server.start()
    admin = create_engine(server.url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text("CREATE DATABASE caretill"))
    admin.dispose()
    return server, make_url(server.url).set(database="caretill").render_as_string(False)


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    where = parser.add_mutually_exclusive_group(required=True)
    where.add_argument("--db", help="an empty database's URL (migrated here)")
    where.add_argument(
        "--postgres", action="store_true", help="start a throwaway PostgreSQL server for the run"
    )
    parser.add_argument("--days", type=int, default=365)
    parser.add_argument("--per-day", type=int, default=1_000)
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument(
        "--reuse",
        action="store_true",
        help="the database holds an earlier "
        "run's days (give the same --days): migrate it and measure only",
    )
    args = parser.parse_args()
    server, url = throwaway_postgres() if args.postgres else (None, args.db)
    try:
        app = open_app(url)
        app.trust = LocalTrust(Path(tempfile.mkdtemp(prefix="caretill-bench-")))
        upgrade(app.engine)
        started = time.perf_counter()
        actor = reused(app)[0] if args.reuse else fill(app, days=args.days, per_day=args.per_day)
        print(
            f"{app.engine.dialect.name}: {args.days} days x {args.per_day} payments "
            f"{'reused' if args.reuse else 'seeded'} in "
            f"{time.perf_counter() - started:.0f} s; {args.runs} runs each"
        )
        today, _ = today_of(app)
        measure(app, actor, days=args.days, today=today, runs=args.runs)
        app.close()
    finally:
        if server is not None:
            server.remove()


if __name__ == "__main__":
    main()
