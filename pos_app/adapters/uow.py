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
    """

    def __init__(self, engine: Engine, *, write: bool = True,
                 trust: LocalTrust | None = None, clock: Clock = system_clock) -> None:
        self.engine = engine
        self.write = write
        self.trust = trust  # this workstation's signing keys and witness heads
        self.clock = clock  # where every service and repository reads the time
        self.after_commit: list[Callable[[], None]] = []  # e.g. the witness head, once durable
        self._conn: Connection | None = None
        self._committed = False

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
            self._conn = self.engine.connect().execution_options(caretill_write=self.write)
            self._conn.begin()
        except (DBAPIError, PoolTimeout) as exc:
            self._close()
            raise (translate(exc) or exc) from exc
        return self

    def execute(self, statement: Any, params: Any = None) -> CursorResult[*tuple[Any, ...]]:
        """Run one statement in this transaction (rows of any width: SQLAlchemy 2.1 types a
        row by its columns, and `CursorResult[Any]` would mean rows of exactly one)."""
        return self.conn.execute(statement, params)

    def ping(self) -> None:
        """One round trip to the database: raises `Unavailable` when it cannot be reached."""
        self.execute(text("SELECT 1"))

    def commit(self) -> None:
        try:
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
        rows = dict(self.execute(select(t.settings.c.key, t.settings.c.value)).all())
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
