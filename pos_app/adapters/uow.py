"""The unit of work: one database transaction per use case, committed once or not at all."""

from __future__ import annotations

from contextlib import suppress
from types import TracebackType
from typing import Any

from sqlalchemy import select
from sqlalchemy.engine import Connection, CursorResult, Engine
from sqlalchemy.exc import DBAPIError
from sqlalchemy.exc import TimeoutError as PoolTimeout

from pos_app.adapters import tables as t
from pos_app.adapters.database import lost_during_commit, translate
from pos_app.domain.errors import OutcomeUnknown, Refused
from pos_app.domain.facility import Facility


class UnitOfWork:
    """`with uow:` opens a transaction; leaving without `commit()` rolls it back.

    Database failures the environment causes leave as `Busy` or `Unavailable`; a COMMIT
    that got no answer leaves as `OutcomeUnknown`, never as "nothing was written".
    """

    def __init__(self, engine: Engine, *, write: bool = True) -> None:
        self.engine = engine
        self.write = write
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
        try:
            self._conn = self.engine.connect().execution_options(caretill_write=self.write)
            self._conn.begin()
        except (DBAPIError, PoolTimeout) as exc:
            self._close()
            raise (translate(exc) or exc) from exc
        return self

    def execute(self, statement: Any, params: Any = None) -> CursorResult[Any]:
        """Run one statement in this transaction."""
        return self.conn.execute(statement, params)

    def commit(self) -> None:
        try:
            self.conn.commit()
        except (DBAPIError, PoolTimeout) as exc:
            if lost_during_commit(exc):
                raise OutcomeUnknown(OutcomeUnknown.MESSAGE) from exc
            raise (translate(exc) or exc) from exc
        self._committed = True

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
