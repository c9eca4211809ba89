"""The database: one engine per URL, tuned per dialect, and its errors told apart.

Errors the environment causes (server gone, lock wait ran out) become the
product's `Unavailable` and `Busy`; anything else is a bug and stays itself.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import create_engine, event
from sqlalchemy.engine import Connection, Engine, make_url
from sqlalchemy.exc import ArgumentError, DBAPIError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeout

from pos_app.domain.errors import BadInput, Busy, CareTillError, Unavailable

# PostgreSQL SQLSTATEs that mean "someone else holds it, try again".
_BUSY_STATES = {"55P03", "40P01", "40001", "57014"}
_BUSY_MESSAGE = "The till is busy with the same patient or items elsewhere. Try again."


@dataclass(frozen=True)
class Timeouts:
    """How long a transaction may wait, so a frozen workstation never holds locks for long."""

    lock_wait_s: float = 5.0
    idle_in_transaction_s: float = 30.0
    connect_s: int = 5


def create_database_engine(url: str, timeouts: Timeouts | None = None) -> Engine:
    """An engine for `url` with bounded lock waits and dead-peer detection."""
    timeouts = timeouts or Timeouts()
    try:
        parsed = make_url(url)
    except ArgumentError as exc:
        raise BadInput(f"{url!r} is not a database URL.", code="invalid_db_url") from exc
    if parsed.get_backend_name() == "sqlite":
        return _sqlite_engine(url, timeouts)
    if parsed.get_backend_name() != "postgresql":
        raise BadInput("CareTill runs on PostgreSQL or SQLite only.", code="invalid_db_url")
    # psycopg2 is the driver CareTill ships with, whatever SQLAlchemy's default is.
    url = parsed.set(drivername="postgresql+psycopg2")
    options = (
        f"-c lock_timeout={int(timeouts.lock_wait_s * 1000)} "
        f"-c idle_in_transaction_session_timeout={int(timeouts.idle_in_transaction_s * 1000)}"
    )
    return create_engine(
        url,
        pool_pre_ping=True,
        pool_size=5,
        max_overflow=5,
        connect_args={
            "options": options,
            "connect_timeout": timeouts.connect_s,
            "keepalives": 1,
            "keepalives_idle": 10,
            "keepalives_interval": 5,
            "keepalives_count": 3,
            "application_name": "caretill",
        },
    )


def _sqlite_engine(url: str, timeouts: Timeouts) -> Engine:
    engine = create_engine(url, connect_args={"timeout": timeouts.lock_wait_s})

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: sqlite3.Connection, _record: object) -> None:
        # Take transaction control from pysqlite so BEGIN IMMEDIATE is ours to issue.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys = ON")
        cursor.execute("PRAGMA journal_mode = WAL")
        cursor.execute("PRAGMA synchronous = FULL")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Connection) -> None:
        # A writer takes the write lock up front, so it never fails half way on upgrade.
        mode = "IMMEDIATE" if conn.get_execution_options().get("caretill_write", True) else ""
        conn.exec_driver_sql(f"BEGIN {mode}".strip())

    return engine


def sqlite_file_url(path: Path) -> str:
    """The URL of an SQLite file, creating its folder (the user's data folder) if needed."""
    path.parent.mkdir(parents=True, exist_ok=True)
    return f"sqlite:///{path}"


def translate(exc: BaseException) -> CareTillError | None:
    """The product error an environment failure stands for, or None if it is a bug."""
    if isinstance(exc, PoolTimeout):
        return Busy(_BUSY_MESSAGE, code="busy")
    if not isinstance(exc, DBAPIError):
        return None
    orig = exc.orig
    pgcode = getattr(orig, "pgcode", None)
    if pgcode in _BUSY_STATES:
        return Busy(_BUSY_MESSAGE, code="busy")
    if pgcode == "25P03" or (pgcode is None and exc.connection_invalidated):
        return Unavailable("The connection to the database was lost; nothing was written.")
    if isinstance(orig, sqlite3.OperationalError):
        text = str(orig).lower()
        if "locked" in text or "busy" in text:
            return Busy(_BUSY_MESSAGE, code="busy")
        if "unable to open" in text:
            return Unavailable(f"Cannot open the database file: {orig}.")
        return None
    if isinstance(exc, OperationalError) and pgcode is None:
        first_line = str(orig).strip().splitlines()[0] if str(orig).strip() else "no answer"
        return Unavailable(f"The database cannot be reached: {first_line}")
    return None
