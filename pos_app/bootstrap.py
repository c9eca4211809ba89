"""The composition root: settings -> engine -> unit-of-work factory.

`main.py`, the command line, the window and the tests all build CareTill here.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.engine import Engine

from pos_app.adapters.database import create_database_engine
from pos_app.adapters.migrate import upgrade
from pos_app.adapters.uow import UnitOfWork
from pos_app.config import Settings


@dataclass
class App:
    """One process's way into the database."""

    settings: Settings
    engine: Engine

    @property
    def workstation(self) -> str:
        return self.settings.workstation

    def uow(self, *, write: bool = True) -> UnitOfWork:
        """A fresh unit of work: each service call gets its own transaction."""
        return UnitOfWork(self.engine, write=write)

    def upgrade_schema(self, *, create_file: bool = True) -> None:
        upgrade(self.engine, create_file=create_file)

    def close(self) -> None:
        self.engine.dispose()


def build(settings: Settings) -> App:
    return App(settings, create_database_engine(settings.db_url, settings.timeouts))
