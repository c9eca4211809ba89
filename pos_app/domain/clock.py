"""Time as the till reads it: one clock, injected through the composition root.

Rules and repositories ask the unit of work's clock instead of the wall clock, so a
test hands in a fixed or stepping clock and never depends on the hour it runs.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

Clock = Callable[[], datetime]  # returns an aware UTC datetime


def system_clock() -> datetime:
    """Now, in UTC, to the microsecond both databases keep."""
    return datetime.now(UTC)
