"""A primary and a synchronous streaming standby on loopback, for failover tests.

Both are `ThrowawayServer`s from Debian's PostgreSQL binaries, with durable commits
(fsync on, `synchronous_commit=on`): the primary acknowledges a COMMIT only once the
standby has it on disk, so a payment the till was told about survives the primary's
crash. The standby is a `pg_basebackup -R` copy that streams under its
`application_name`, the name the primary's `synchronous_standby_names` waits for.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from tests.helpers.postgres import ThrowawayServer

STANDBY_NAME = "caretill_standby"
DURABLE = {
    "fsync": "on",
    "synchronous_commit": "on",
    "full_page_writes": "on",
    "wal_level": "replica",
    "hot_standby": "on",
}


@dataclass
class Pair:
    """The two servers; `primary` is the one that took writes when the pair was made."""

    primary: ThrowawayServer
    standby: ThrowawayServer

    def failover_url(self, url: str) -> str:
        """`url` (any of the two servers) with both hosts listed, asking for the writable one:
        the URL a till uses so it finds the promoted standby by itself."""
        parsed = make_url(url)._replace(host=None, port=None)
        return parsed.update_query_dict(
            {
                "host": [f"127.0.0.1:{self.primary.port}", f"127.0.0.1:{self.standby.port}"],
                "target_session_attrs": "read-write",
            }
        ).render_as_string(hide_password=False)

    def promote(self) -> None:
        """Make the standby the primary (`pg_ctl promote`, waits until it takes writes)."""
        self.standby.run_tool("pg_ctl", "-D", str(self.standby.data), "-w", "promote")

    def wait_replayed(self, timeout_s: float = 30.0) -> None:
        """Until the standby has applied everything the primary has written so far."""
        lsn = _scalar(self.primary.url, "SELECT pg_current_wal_lsn()::text")
        wait_until(
            lambda: _scalar(
                self.standby.url, f"SELECT pg_last_wal_replay_lsn() >= '{lsn}'::pg_lsn"
            ),
            timeout_s,
            "the standby to replay",
        )

    def pause_replay(self, paused: bool) -> None:
        """Hold (or release) the standby's replay: it keeps receiving WAL but shows old data."""
        _scalar(self.standby.url, f"SELECT pg_wal_replay_{'pause' if paused else 'resume'}()::text")


@contextmanager
def replication_pair() -> Iterator[Pair]:
    """Start a primary and its synchronous standby; yield them streaming; remove both."""
    primary = ThrowawayServer(settings={**DURABLE, "synchronous_standby_names": STANDBY_NAME})
    standby = ThrowawayServer(settings=DURABLE, initdb=False)
    try:
        primary.start()
        # -R writes primary_conninfo (with our application_name) and standby.signal.
        standby.run_tool(
            "pg_basebackup",
            "-D",
            str(standby.data),
            "-R",
            "-X",
            "stream",
            "-d",
            f"host=127.0.0.1 port={primary.port} user={primary.user} "
            f"application_name={STANDBY_NAME}",
        )
        standby.start()
        wait_until(
            lambda: (
                _scalar(
                    primary.url,
                    "SELECT sync_state FROM pg_stat_replication "
                    f"WHERE application_name = '{STANDBY_NAME}'",
                )
                == "sync"
            ),
            30.0,
            "the standby to stream synchronously",
        )
        yield Pair(primary, standby)
    finally:
        standby.remove()
        primary.remove()


def _scalar(url: str, sql: str) -> object:
    engine = create_engine(url, isolation_level="AUTOCOMMIT")
    try:
        with engine.connect() as conn:
            return conn.execute(text(sql)).scalar()
    finally:
        engine.dispose()


def wait_until(done: Callable[[], object], timeout_s: float, what: str) -> None:
    """Poll `done` until it is true; a clear TimeoutError naming `what` if it never is."""
    deadline = time.monotonic() + timeout_s
    while not done():
        if time.monotonic() > deadline:
            raise TimeoutError(f"gave up waiting for {what} after {timeout_s:g} s")
        time.sleep(0.05)
