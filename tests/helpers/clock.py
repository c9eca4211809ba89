"""Clocks tests hand to the app instead of patching the time where it is read."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime, timedelta
from typing import TypeVar

from pos_app.bootstrap import App
from pos_app.domain.clock import Clock

C = TypeVar("C", bound=Clock)


class SteppingClock:
    """Reads the same moment until the test moves it on with `advance`."""

    def __init__(self, start: datetime) -> None:
        if start.tzinfo is None:
            raise ValueError("a clock keeps aware UTC times")
        self.now = start

    def __call__(self) -> datetime:
        return self.now

    def advance(self, delta: timedelta) -> datetime:
        self.now += delta
        return self.now


@contextmanager
def clock_of(app: App, clock: C) -> Iterator[C]:
    """Inside the block every unit of work `app` makes reads the time from `clock`."""
    before, app.clock = app.clock, clock
    try:
        yield clock
    finally:
        app.clock = before
