"""The settings table: the facility's name, currency, time zone and other key/value settings."""

from __future__ import annotations

from collections.abc import Mapping

from sqlalchemy import delete, insert, select

from pos_app.adapters import tables as t
from pos_app.adapters.uow import UnitOfWork


def read_all(uow: UnitOfWork) -> dict[str, str]:
    return dict(uow.execute(select(t.settings.c.key, t.settings.c.value)).all())


def value(uow: UnitOfWork, key: str) -> str | None:
    return uow.execute(select(t.settings.c.value).where(t.settings.c.key == key)).scalar()


def put(uow: UnitOfWork, values: Mapping[str, str]) -> None:
    """Replace the settings named in `values`; the others stay."""
    uow.execute(delete(t.settings).where(t.settings.c.key.in_(list(values))))
    uow.execute(insert(t.settings), [{"key": k, "value": v} for k, v in values.items()])
