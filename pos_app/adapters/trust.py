"""What a workstation keeps outside the database: its signing keys and its witness heads.

Both live in the workstation's data folder; the unit of work carries them so the audit
trail (`pos_app.adapters.ledger`) signs each event and compares the chain with the
head this workstation last wrote, whatever front end runs the command.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING
from weakref import WeakKeyDictionary

from sqlalchemy import select
from sqlalchemy.engine import Engine

from pos_app.adapters import tables as t
from pos_app.adapters.signing import Keyring
from pos_app.adapters.witness import HeadFile

if TYPE_CHECKING:
    from pos_app.adapters.uow import UnitOfWork

DATABASE_ID = "database_id"


class LocalTrust:
    """One data folder's keys and heads, and the identity of each database it met."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.keys = Keyring(folder)
        self.heads = HeadFile(folder)
        self._database_ids: WeakKeyDictionary[Engine, str] = WeakKeyDictionary()

    def database_id(self, uow: UnitOfWork) -> str | None:
        """The database's own random id (revision 0003), read once per engine."""
        engine = uow.engine  # per engine (one URL each): a URL hashes by spelling itself out
        if engine not in self._database_ids:
            value = uow.execute(
                select(t.settings.c.value).where(t.settings.c.key == DATABASE_ID)
            ).scalar()
            if value is None:
                return None
            self._database_ids[engine] = value
        return self._database_ids[engine]
