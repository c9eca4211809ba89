"""The unit of work: one database transaction per use case, committed once or not at all."""

from __future__ import annotations

from collections.abc import Callable
from contextlib import suppress
from types import TracebackType
from typing import TYPE_CHECKING, Any

from sqlalchemy import select, text
from sqlalchemy.engine import Connection, CursorResult, Engine
from sqlalchemy.exc import DBAPIError
from sqlalchemy.exc import TimeoutError as PoolTimeout

from pos_app.adapters import pg_transactions
from pos_app.adapters import tables as t
from pos_app.adapters.database import lost_during_commit, translate
from pos_app.domain.clock import Clock, system_clock
from pos_app.domain.errors import OutcomeUnknown, Refused
from pos_app.domain.facility import Facility

if TYPE_CHECKING:
    from pos_app.adapters.trust import LocalTrust


class UnitOfWork:
    """`with uow:` opens a transaction; leaving without `commit()` rolls it back.

    Database failures the environment causes leave as `Busy` or `Unavailable`; a COMMIT
    that got no answer leaves as `OutcomeUnknown`, never as "nothing was written".

    Round trips are what a till waits for, so on PostgreSQL the writes whose answer no
    one reads (`write`) wait and go with the transaction's next round trip: the next
    read, or COMMIT, which then carries the command's every write (pg_transactions
    puts BEGIN in the first). SQLite runs in-process and writes at once.
    """

    def __init__(self, engine: Engine, *, write: bool = True,
                 trust: LocalTrust | None = None, clock: Clock = system_clock) -> None:
        self.engine = engine
        self.write_mode = write  # False: a reader (SQLite takes no write lock for it)
        self.trust = trust  # this workstation's signing keys and witness heads
        self.clock = clock  # where every service and repository reads the time
        self.after_commit: list[Callable[[], None]] = []  # e.g. the witness head, once durable
        self._conn: Connection | None = None
        self._committed = False
        self._fresh = False  # nothing sent yet in this transaction
        # writes waiting for the next round trip (PostgreSQL): as sent, SQL and values
        self._pending: list[tuple[str, str, dict[str, Any]]] = []

    @property
    def dialect(self) -> str:
        return self.engine.dialect.name

    @property
    def conn(self) -> Connection:
        if self._conn is None:
            raise RuntimeError("unit of work used outside its `with` block")
        return self._conn

    def __enter__(self) -> UnitOfWork:
        self._committed = False
        self.after_commit = []
        try:
            self._conn = self.engine.connect().execution_options(caretill_write=self.write_mode)
            self._conn.begin()
        except (DBAPIError, PoolTimeout) as exc:
            self._close()
            raise (translate(exc) or exc) from exc
        self._fresh = True
        self._pending = []
        return self

    def execute(self, statement: Any, params: Any = None) -> CursorResult[*tuple[Any, ...]]:
        """Run one statement in this transaction (rows of any width: SQLAlchemy 2.1 types a
        row by its columns, and `CursorResult[Any]` would mean rows of exactly one)."""
        if self._pending:
            self._flush(commit=False)
        return self._send(lambda: self.conn.execute(statement, params))

    def write(self, statement: Any, params: dict[str, Any]) -> None:
        """A write whose answer is not read: on PostgreSQL it goes with the next round trip.

        `statement` should be built once (module level, `bindparam`s for what varies): it
        is compiled once per set of parameter names. A failure of a waiting write comes
        with that round trip and rolls the whole transaction back, as it would have here.
        """
        if self.dialect != "postgresql":
            self.execute(statement, params)
            return
        sql, binds = _compiled(statement, self.engine, frozenset(params))
        cursor = self._cursor()
        values = binds(params)
        self._pending.append((cursor.mogrify(sql, values).decode(), sql, values))

    def _cursor(self) -> Any:
        dbapi = self.conn.connection.dbapi_connection
        if dbapi is None:
            raise RuntimeError("the unit of work's connection is closed")
        return dbapi.cursor()

    def _flush(self, *, commit: bool) -> None:
        """Send the waiting writes (and COMMIT) in one round trip."""
        batch, self._pending = self._pending, []
        texts = [text for text, _sql, _values in batch] + (["COMMIT"] if commit else [])
        sql = ";\n".join(texts).replace("%", "%%")  # the driver formats even without values
        # what went out, statement by statement, for whoever listens (the benchmarks)
        options = {pg_transactions.BATCH: [(sql, values) for _text, sql, values in batch],
                   pg_transactions.COMMITS: commit}
        self._send(lambda: self.conn.exec_driver_sql(sql, execution_options=options),
                   retry=not commit)

    def _send(self, send: Callable[[], Any], *, retry: bool = True) -> Any:
        """`send()`; when the transaction's first round trip finds the pooled connection
        dead (the server restarted, a failover), a new connection takes it once again:
        nothing was done on the old one. This is the pool's pre-ping, at no cost."""
        first, self._fresh = self._fresh, False
        try:
            return send()
        except DBAPIError as exc:
            if not (first and retry and exc.connection_invalidated):
                raise
        self._close()
        self._conn = self.engine.connect().execution_options(caretill_write=self.write_mode)
        self._conn.begin()
        return send()

    def ping(self) -> None:
        """One round trip to the database: raises `Unavailable` when it cannot be reached."""
        self.execute(text("SELECT 1"))

    def commit(self) -> None:
        try:
            if self._pending or pg_transactions.is_open(self.conn):
                self._flush(commit=True)
                pg_transactions.committed(self.conn)
            self.conn.commit()
        except (DBAPIError, PoolTimeout) as exc:
            if lost_during_commit(exc):
                raise OutcomeUnknown(OutcomeUnknown.MESSAGE) from exc
            raise (translate(exc) or exc) from exc
        self._committed = True
        for hook in self.after_commit:
            hook()

    def facility(self) -> Facility:
        """The facility's name and currency, as the administrator set them."""
        rows = dict(self.execute(_SETTINGS).all())
        if "currency_code" not in rows:
            raise Refused(
                "The facility is not set up yet: run `caretill demo load` or "
                "`caretill facility set` first.",
                code="facility_not_configured",
            )
        return Facility.from_settings(rows)

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        try:
            if not self._committed and self._conn is not None:
                # If the connection is already gone, the server rolls back for us.
                with suppress(DBAPIError):
                    self._conn.rollback()
        finally:
            self._close()
        if exc is not None and (translated := translate(exc)) is not None:
            raise translated from exc

    def _close(self) -> None:
        if self._conn is not None:
            self._conn.close()
            self._conn = None


_SETTINGS = select(t.settings.c.key, t.settings.c.value)
_COMPILED: dict[tuple[int, str, frozenset[str]], tuple[Any, str, Any]] = {}


def _compiled(statement: Any, engine: Engine,
              names: frozenset[str]) -> tuple[str, Callable[[dict[str, Any]], dict[str, Any]]]:
    """`statement`'s SQL for the engine's driver, and how to turn values into its binds:
    compiled once per statement, dialect and parameter names (the statement is kept, so
    its id stays its own)."""
    key = (id(statement), engine.dialect.name, names)
    found = _COMPILED.get(key)
    if found is None:
        compiled = statement.compile(dialect=engine.dialect, column_keys=sorted(names))
        processors = compiled._bind_processors  # noqa: SLF001 - the type conversions

        def binds(values: dict[str, Any]) -> dict[str, Any]:
            params = compiled.construct_params(values)
            for name, process in processors.items():
                if name in params:
                    params[name] = process(params[name])
            return params

        found = _COMPILED[key] = (statement, compiled.string, binds)
    return found[1], found[2]
