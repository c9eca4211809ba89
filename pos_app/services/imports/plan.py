"""What a validated import will do: its counts and the set-based writes, run only if all is well."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Select

from pos_app.adapters.uow import UnitOfWork

# Rows per statement: well under SQLite's and PostgreSQL's bound-parameter limits.
CHUNK = 5000


@dataclass
class Plan:
    """Counts of a validated file and the writes that carry it out, in order."""

    added: int = 0
    updated: int = 0
    skipped: int = 0
    extra: dict[str, Any] = field(default_factory=dict)
    steps: list[Callable[[UnitOfWork], None]] = field(default_factory=list)


def chunks(items: Sequence[Any]) -> Iterable[Sequence[Any]]:
    """`items` in slices of CHUNK, so no statement carries too many parameters."""
    for start in range(0, len(items), CHUNK):
        yield items[start:start + CHUNK]


def rows_where_in(uow: UnitOfWork, query: Select, key: Any, keys: Iterable[str]) -> list:
    """The rows of `query` whose `key` is one of `keys`: one query per CHUNK keys, not per key."""
    wanted = sorted(set(keys))
    found: list = []
    for part in chunks(wanted):
        found.extend(uow.execute(query.where(key.in_(part))).all())
    return found
