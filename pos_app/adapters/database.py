"""The database: one engine per URL, tuned per dialect, and its errors told apart.

Errors the environment causes (server gone, lock wait ran out) become the
product's `Unavailable` and `Busy`; a COMMIT that got no answer is `OutcomeUnknown`;
anything else is a bug and stays itself. An SQLite file is opened, never created:
only `db upgrade` creates one, so a mistyped `--db` cannot start empty books.
"""

from __future__ import annotations

import os
import re
import sqlite3
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from urllib.parse import quote

from sqlalchemy import create_engine, event
from sqlalchemy.engine import URL, Connection, Engine, make_url
from sqlalchemy.exc import ArgumentError, DBAPIError, InterfaceError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeout

from pos_app.adapters import pg_transactions
from pos_app.domain.errors import BadInput, Busy, CareTillError, Unavailable

# PostgreSQL SQLSTATEs that mean "someone else holds it, try again".
_BUSY_STATES = {"55P03", "40P01", "40001", "57014"}
_READ_ONLY = "25006"  # read_only_sql_transaction
_USERINFO = re.compile(r"(//[^/@:]*:)[^/@]*@")
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
        raise BadInput(f"{redact(url)!r} is not a database URL.", code="invalid_db_url") from exc
    if parsed.get_backend_name() == "sqlite":
        return _sqlite_engine(url, timeouts)
    if parsed.get_backend_name() != "postgresql":
        raise BadInput("CareTill runs on PostgreSQL or SQLite only.", code="invalid_db_url")
    # psycopg2 is the driver CareTill ships with, whatever SQLAlchemy's default is.
    engine = create_engine(
        parsed.set(drivername="postgresql+psycopg2"),
        # BEGIN and COMMIT travel with statements (pg_transactions); no pre-ping: a
        # connection found dead by a transaction's first statement is replaced and that
        # statement sent again (UnitOfWork.execute), nothing having been done on it
        isolation_level="AUTOCOMMIT",
        pool_pre_ping=False,
        pool_size=5,
        max_overflow=5,
        connect_args={
            "connect_timeout": timeouts.connect_s,
            "keepalives": 1,
            "keepalives_idle": 10,
            "keepalives_interval": 5,
            "keepalives_count": 3,
            "application_name": "caretill",
        },
    )
    pg_transactions.install(engine, transaction_settings(timeouts))
    return engine


def transaction_settings(timeouts: Timeouts) -> str:
    """The timeouts as SET LOCALs, sent with each transaction's BEGIN and first statement.

    Settings that end with the transaction leave nothing behind on a server connection
    that a pooler (pgbouncer, transaction pooling) hands to another till next, and they
    cost no round trip of their own; startup `options` are refused or dropped by poolers.
    """
    return (
        f"SET LOCAL lock_timeout = {int(timeouts.lock_wait_s * 1000)}; "
        "SET LOCAL idle_in_transaction_session_timeout = "
        f"{int(timeouts.idle_in_transaction_s * 1000)}"
    )


def redact(url: str) -> str:
    """`url` fit for a message or a log: the password, if any, becomes ***."""
    try:
        return make_url(url).render_as_string(hide_password=True)
    except ArgumentError:  # not a URL, but it may still hold user:password@
        return _USERINFO.sub(r"\1***@", url)


def _sqlite_engine(url: str, timeouts: Timeouts) -> Engine:
    path = sqlite_path(url)
    if path is None:  # in memory, or a URI the administrator spelled out: as written
        engine = create_engine(url, connect_args={"timeout": timeouts.lock_wait_s})
    else:
        engine = create_engine(url, creator=partial(_open_sqlite_file, path, timeouts.lock_wait_s))

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


def sqlite_path(url: str | URL) -> Path | None:
    """The file an SQLite URL names, or None for an in-memory or `uri=true` database."""
    parsed = make_url(url)
    if not parsed.database or parsed.database == ":memory:" or parsed.query.get("uri"):
        return None
    return Path(os.path.abspath(parsed.database))


def _open_sqlite_file(path: Path, timeout_s: float) -> sqlite3.Connection:
    """Open an existing database file read-write; say in one line why it cannot be."""
    if not path.exists():
        raise Unavailable(
            f"The database file {path} does not exist: run `caretill db upgrade "
            f"--db sqlite:///{path}` to create it."
        )
    if not os.access(path, os.R_OK | os.W_OK) or not os.access(path.parent, os.W_OK | os.X_OK):
        raise Unavailable(
            f"The database file {path} is read-only for this user: CareTill "
            "must write to it and to its folder."
        )
    try:
        connection = sqlite3.connect(
            f"file:{quote(str(path))}?mode=rw", uri=True, timeout=timeout_s, check_same_thread=False
        )
        connection.execute("PRAGMA schema_version")  # reads the header: a non-database fails
    except sqlite3.Error as exc:
        raise (_sqlite_file_error(exc, str(path)) or exc) from exc
    return connection


def create_missing_file(engine: Engine) -> None:
    """Create the engine's SQLite file if it is missing: only schema upgrades may do this."""
    path = sqlite_path(engine.url) if engine.dialect.name == "sqlite" else None
    if path is None or path.exists():
        return
    try:
        sqlite3.connect(path).close()
    except sqlite3.Error as exc:
        raise Unavailable(f"Cannot create the database file {path}: {exc}.") from exc


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
    if pgcode == _READ_ONLY:  # a standby (or a server being demoted): never a bug of ours
        return Unavailable(
            "The database server takes no writes (a standby); nothing was "
            "written. List the primary, or every host with "
            "target_session_attrs=read-write, in the database URL."
        )
    if isinstance(orig, sqlite3.Error):
        if isinstance(orig, sqlite3.OperationalError):
            text = str(orig).lower()
            if "locked" in text or "busy" in text:
                return Busy(_BUSY_MESSAGE, code="busy")
        return _sqlite_file_error(orig, "")
    if isinstance(exc, OperationalError) and pgcode is None:
        first_line = str(orig).strip().splitlines()[0] if str(orig).strip() else "no answer"
        return Unavailable(f"The database cannot be reached: {first_line}")
    return None


def _sqlite_file_error(orig: sqlite3.Error, path: str) -> Unavailable | None:
    """A missing, read-only or damaged SQLite file as one line, or None for anything else."""
    primary = (getattr(orig, "sqlite_errorcode", 0) or 0) & 0xFF
    name = f"The database file {path}" if path else "The database file"
    if primary in (sqlite3.SQLITE_NOTADB, sqlite3.SQLITE_CORRUPT):
        return Unavailable(
            f"{name} is damaged or not a database ({orig}): restore it from a backup."
        )
    if primary == sqlite3.SQLITE_READONLY:
        return Unavailable(f"{name} is read-only for this user: CareTill must write to it.")
    if primary == sqlite3.SQLITE_CANTOPEN or "unable to open" in str(orig).lower():
        return Unavailable(f"{name} cannot be opened: {orig}.")
    return None


def lost_during_commit(exc: BaseException) -> bool:
    """Whether a failed COMMIT got no answer, so it may or may not have taken effect.

    A server error with a SQLSTATE (e.g. a serialization failure) is a clear "no";
    a dropped connection or an SQLite I/O error while writing is not.
    """
    if not isinstance(exc, DBAPIError):
        return False
    orig = exc.orig
    if isinstance(orig, sqlite3.Error):
        return (getattr(orig, "sqlite_errorcode", 0) or 0) & 0xFF == sqlite3.SQLITE_IOERR
    if getattr(orig, "pgcode", None):
        return False
    return exc.connection_invalidated or isinstance(exc, (OperationalError, InterfaceError))
