"""Set-based statements in slices, under SQLite's and PostgreSQL's bound-parameter limits."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from typing import Any, TypeVar

from sqlalchemy import Select
from sqlalchemy.exc import IntegrityError

from pos_app.adapters.uow import UnitOfWork
from pos_app.domain.errors import CareTillError

CHUNK = 5000
T = TypeVar("T")


def chunks(items: Sequence[T]) -> Iterator[Sequence[T]]:
    """`items` in slices of CHUNK, so no statement carries too many parameters."""
    for start in range(0, len(items), CHUNK):
        yield items[start : start + CHUNK]


def rows_where_in(uow: UnitOfWork, query: Select[Any], key: Any, keys: Iterable[Any]) -> list:
    """The rows of `query` whose `key` is one of `keys`: one query per CHUNK keys, not per key."""
    found: list = []
    for part in chunks(sorted(set(keys))):
        found.extend(uow.execute(query.where(key.in_(part))).all())
    return found


@contextmanager
def clash_as(error: CareTillError) -> Iterator[None]:
    """Raise `error` when a unique key was taken meanwhile by another writer."""
    try:
        yield
    except IntegrityError as exc:
        raise error from exc
