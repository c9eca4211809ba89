"""The unit of work: one database transaction per use case, committed once or not at all."""

from __future__ import annotations

from collections.abc import Callable
from contextlib import suppress
from dataclasses import dataclass
from types import SimpleNamespace, TracebackType
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

    def __init__(
        self,
        engine: Engine,
        *,
        write: bool = True,
        trust: LocalTrust | None = None,
        clock: Clock = system_clock,
    ) -> None:
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
        prepared = _compiled(statement, self.engine, frozenset(params))
        values = prepared.binds(params)
        self._pending.append(
            (self._cursor().mogrify(prepared.sql, values).decode(), prepared.sql, values)
        )

    def rows(self, statement: Any, params: dict[str, Any]) -> list[tuple]:
        """Every row of a statement that returns rows, as plain tuples (by position).

        For the reads every money command makes: on PostgreSQL they go straight to the
        driver, compiled once, which costs a till about half the client CPU of
        SQLAlchemy's execution (each `before_cursor_execute` listener still sees each
        statement; `after_cursor_execute` ones do not). On SQLite, SQLAlchemy's rows."""
        if self.dialect != "postgresql":
            return list(self.execute(statement, params).all())
        prepared = _compiled(statement, self.engine, frozenset(params))
        if prepared.expanding:
            return list(self.execute(statement, params).all())
        if self._pending:
            self._flush(commit=False)
        return prepared.rows(
            self._send(lambda: self._driver(prepared.sql, prepared.binds(params), fetch=True))
        )

    def _driver(
        self,
        sql: str,
        values: dict[str, Any] | None,
        *,
        fetch: bool,
        options: dict[str, Any] | None = None,
    ) -> list[tuple]:
        """Run `sql` on the driver's own cursor, with the engine's `before_cursor_execute`
        listeners (BEGIN goes with it: pg_transactions; `options` are shown to them as the
        statement's execution options) and SQLAlchemy's errors, as `execute` would."""
        conn = self.conn
        cursor = self._cursor()
        context = None if options is None else SimpleNamespace(execution_options=options)
        for listener in conn.dispatch.before_cursor_execute:
            sql, values = listener(conn, cursor, sql, values, context, False)
        try:
            cursor.execute(sql, values)
            return cursor.fetchall() if fetch else []
        except self.engine.dialect.loaded_dbapi.Error as exc:
            lost = self.engine.dialect.is_disconnect(exc, conn.connection.dbapi_connection, cursor)
            if lost:
                conn.invalidate(exc)
            raise DBAPIError.instance(
                sql,
                values,
                exc,
                self.engine.dialect.loaded_dbapi.Error,
                connection_invalidated=lost,
            ) from exc
        finally:
            cursor.close()

    def _cursor(self) -> Any:
        dbapi = self.conn.connection.dbapi_connection
        if dbapi is None:
            raise RuntimeError("the unit of work's connection is closed")
        return dbapi.cursor()

    def _flush(self, *, commit: bool) -> None:
        """Send the waiting writes (and COMMIT) in one round trip."""
        batch, self._pending = self._pending, []
        texts = [text for text, _sql, _values in batch] + (["COMMIT"] if commit else [])
        sql = ";\n".join(texts)  # sent without values: the driver formats nothing in it
        # what went out, statement by statement, for whoever listens (the benchmarks)
        options = {
            pg_transactions.BATCH: [(sql, values) for _text, sql, values in batch],
            pg_transactions.COMMITS: commit,
        }
        self._send(lambda: self._driver(sql, None, fetch=False, options=options), retry=not commit)

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
        rows = dict(self.rows(_SETTINGS, {}))
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


@dataclass(frozen=True)
class _Prepared:
    """A statement compiled once for the driver: its SQL, its binds, its result types."""

    statement: Any  # kept, so that its id stays its own
    sql: str
    binds: Callable[[dict[str, Any]], dict[str, Any]]
    results: tuple[Callable[[Any], Any] | None, ...]  # per column, None: as the driver gives
    expanding: bool  # an IN list rendered per call: SQLAlchemy runs it

    def rows(self, fetched: list[tuple]) -> list[tuple]:
        if not any(self.results):
            return fetched
        return [
            tuple(
                value if process is None else process(value)
                for process, value in zip(self.results, row, strict=True)
            )
            for row in fetched
        ]


_COMPILED: dict[tuple[int, str, frozenset[str]], _Prepared] = {}


def _compiled(statement: Any, engine: Engine, names: frozenset[str]) -> _Prepared:
    """`statement` compiled once per statement, dialect and parameter names."""
    key = (id(statement), engine.dialect.name, names)
    found = _COMPILED.get(key)
    if found is None:
        dialect = engine.dialect
        compiled = statement.compile(dialect=dialect, column_keys=sorted(names))
        processors = compiled._bind_processors  # noqa: SLF001 - the type conversions

        # the values written into the statement (its literals); the rest come by name
        fixed = compiled.construct_params(_check=False)

        def binds(values: dict[str, Any]) -> dict[str, Any]:
            params = {**fixed, **values}
            for name, process in processors.items():
                if name in params:
                    params[name] = process(params[name])
            return params

        results = tuple(
            column.type._cached_result_processor(dialect, None)  # noqa: SLF001
            for column in getattr(compiled, "_result_columns", ())
        )
        expanding = any(bind.expanding for bind in compiled.binds.values())
        found = _COMPILED[key] = _Prepared(statement, compiled.string, binds, results, expanding)
    return found
