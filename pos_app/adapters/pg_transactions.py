"""PostgreSQL transactions that cost no round trip of their own.

psycopg2 left to itself sends BEGIN in a round trip of its own before a transaction's
first statement, and COMMIT in another; the timeouts (SET LOCAL) took a third. Here
the driver runs in autocommit and CareTill says BEGIN itself, in the same message as
the transaction's first statement, with the timeouts:

    BEGIN; SET LOCAL lock_timeout = ...; SET LOCAL idle_...; <first statement>

and COMMIT goes with the transaction's last writes (`UnitOfWork.commit`), or alone for
a connection used outside a unit of work. The state lives on the pooled connection
(`PENDING` after SQLAlchemy's begin, `OPEN` once BEGIN went out), so a rollback, a
close or the pool's reset on return ends exactly the transactions that were opened.
"""

from __future__ import annotations

from contextlib import suppress
from typing import Any

from sqlalchemy import event
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.exc import DBAPIError

STATE = "caretill_transaction"
PENDING, OPEN = "pending", "open"
# execution options of a batch of writes (`UnitOfWork._flush`): its statements as
# (SQL, values), and whether COMMIT ends it
BATCH, COMMITS = "caretill_batch", "caretill_commits"


def opening(settings: str) -> str:
    """What goes before a transaction's first statement, in the same message."""
    return f"BEGIN; {settings}; "


def install(engine: Engine, settings: str) -> None:
    """Take transaction control on `engine` (created with isolation_level AUTOCOMMIT)."""
    prefix = opening(settings)

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Connection) -> None:
        conn.info[STATE] = PENDING

    @event.listens_for(engine, "before_cursor_execute", retval=True)
    def _open(
        conn: Connection,
        cursor: Any,
        statement: str,
        parameters: Any,
        _context: object,
        executemany: bool,
    ) -> tuple[str, Any]:
        if conn.info.get(STATE) != PENDING:
            return statement, parameters
        conn.info[STATE] = OPEN
        if executemany:  # the prefix would go out once per row
            cursor.execute(prefix.removesuffix(" "))
            return statement, parameters
        return prefix + statement, parameters

    @event.listens_for(engine, "commit")
    def _on_commit(conn: Connection) -> None:
        if _end(conn):
            conn.exec_driver_sql("COMMIT")

    @event.listens_for(engine, "rollback")
    def _on_rollback(conn: Connection) -> None:
        if _end(conn):
            with suppress(DBAPIError):  # a lost connection: the server rolled back
                conn.exec_driver_sql("ROLLBACK")

    @event.listens_for(engine.pool, "reset")
    def _on_reset(dbapi_connection: Any, record: Any, _state: object = None) -> None:
        # a connection going back to the pool with a transaction still open (a crash
        # between statements): end it here, as psycopg2's own rollback would have
        if record.info.pop(STATE, None) == OPEN:
            with suppress(Exception):
                dbapi_connection.cursor().execute("ROLLBACK")


def is_open(conn: Connection) -> bool:
    """Whether BEGIN went out on `conn` and no COMMIT or ROLLBACK since."""
    return not conn.invalidated and conn.info.get(STATE) == OPEN


def committed(conn: Connection) -> None:
    """The caller sent COMMIT itself (with the last writes): nothing is left to end."""
    _end(conn)


def _end(conn: Connection) -> bool:
    """Forget `conn`'s transaction; whether BEGIN had gone out on it. A connection found
    dead has none left: the server ended it when the connection went."""
    return not conn.invalidated and conn.info.pop(STATE, None) == OPEN
