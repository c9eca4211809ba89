"""What a validated import will do: its counts and the set-based writes, run only if all is well."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from pos_app.adapters.uow import UnitOfWork


@dataclass
class Plan:
    """Counts of a validated file and the writes that carry it out, in order."""

    added: int = 0
    updated: int = 0
    skipped: int = 0
    extra: dict[str, Any] = field(default_factory=dict)
    steps: list[Callable[[UnitOfWork], None]] = field(default_factory=list)
