"""The composition root: settings -> engine -> unit-of-work factory.

`main.py`, the command line, the window and the tests all build CareTill here.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import platformdirs
from sqlalchemy.engine import Engine

from pos_app.adapters.database import create_database_engine
from pos_app.adapters.migrate import upgrade
from pos_app.adapters.trust import LocalTrust
from pos_app.adapters.uow import UnitOfWork
from pos_app.config import APP_NAME, Settings, config_path
from pos_app.domain.clock import Clock, system_clock


@dataclass
class App:
    """One process's way into the database."""

    settings: Settings
    engine: Engine
    report_engine: Engine | None = None  # a read-only replica for reports, if configured
    trust: LocalTrust | None = None  # the workstation's signing keys and witness heads
    clock: Clock = system_clock  # tests hand in a fixed or stepping one

    @property
    def workstation(self) -> str:
        return self.settings.workstation

    def uow(self, *, write: bool = True) -> UnitOfWork:
        """A fresh unit of work: each service call gets its own transaction."""
        return UnitOfWork(self.engine, write=write, trust=self.trust, clock=self.clock)

    def report_uow(self) -> UnitOfWork | None:
        """A read-only unit of work on the report replica (`report_db_url`), or None: then
        reports read the main database. Money commands never call this."""
        if self.report_engine is None:
            return None
        return UnitOfWork(self.report_engine, write=False, clock=self.clock)

    def upgrade_schema(self, *, create_file: bool = True) -> None:
        upgrade(self.engine, create_file=create_file)

    def close(self) -> None:
        self.engine.dispose()
        if self.report_engine is not None:
            self.report_engine.dispose()


def data_folder(settings: Settings) -> Path:
    """Where the workstation keeps its signing key and witness heads: the user's data folder,
    or beside a configuration file named explicitly (tests, a portable install)."""
    if settings.config_path is None or settings.config_path == config_path({}):
        return platformdirs.user_data_path(APP_NAME)
    return settings.config_path.parent


def build(settings: Settings, *, clock: Clock = system_clock) -> App:
    report_url = settings.report_db_url
    return App(
        settings,
        create_database_engine(settings.db_url, settings.timeouts),
        create_database_engine(report_url, settings.timeouts) if report_url else None,
        LocalTrust(data_folder(settings)),
        clock,
    )
