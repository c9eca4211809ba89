"""Is the database there? The window asks every few seconds to show or clear its banner."""

from __future__ import annotations

from pos_app.adapters.uow import UnitOfWork


def ping(uow: UnitOfWork) -> None:
    """Round-trip to the database; raises `Unavailable` when it cannot be reached."""
    with uow:
        uow.ping()
