"""The audit chains walked and replayed in ranges, on every core when there are many events.

A chain's walk (hashes, links, signatures: `replay_chains`) and the replay of its events
(`replay_rows`) need nothing from the events before a range but the stored hash of the
event just before it, so a long chain is cut into ranges of `RANGE` events, each walked and
replayed in a worker process (one per core) while the check's own process runs the
invariant rules. That stays as sound as one walk:
- each range recomputes every hash in it and links its first event to the stored hash of
  the event before; the range before recomputes that event's hash from its content, so the
  links chain through the cut exactly as in one walk;
- each range verifies the signature at the end of each of its runs of one key, which
  vouches for every event back to the run's start through those links (one walk verifies
  fewer signatures, never other ones);
- the last range has no end, so events appended beyond the counter are still walked;
- events are never updated, and a range reads only events up to the count the check saw
  when it started, so another till writing meanwhile changes nothing a range compares
  (a refund's later change to a payment's status is compared only when its own event,
  beyond that count, is replayed).
Few events (an incremental check), a single core, or a database only this process can open
(SQLite in memory) are walked here, in one range per chain.
"""

from __future__ import annotations

import gc
import multiprocessing
import os
from collections.abc import Callable, Iterator
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from contextlib import contextmanager
from dataclasses import dataclass, field

from pos_app.adapters import check_queries
from pos_app.adapters.database import create_database_engine
from pos_app.adapters.uow import UnitOfWork
from pos_app.adapters.witness import Head
from pos_app.services import replay_chains, replay_rows
from pos_app.services.replay_chains import EnrolledKey, RuleFinding

RANGE = 100_000  # events per range
PARALLEL_FROM = 2 * RANGE  # fewer events to walk: in this process, no workers to start
PING_EVERY_S = 10.0  # keeps the check's own transaction from idling out on PostgreSQL


@dataclass(frozen=True)
class Range:
    """Events `after` + 1 .. `through` (None: to the chain's end) of one chain; `start` is
    the stored checkpoint the first range starts from (None: a cut, the walk links its
    first event to the last stored event at or before `after`, as one walk would)."""

    workstation: str
    after: int
    through: int | None
    unsigned_through: int
    start: Head | None = None


@dataclass
class Walked:
    """What walking and replaying one range found, and where its chain stood at its end."""

    workstation: str
    chain: list[RuleFinding] = field(default_factory=list)
    replayed: list[RuleFinding] = field(default_factory=list)
    head: Head | None = None
    checked: int = 0


def plan(
    chains: list[tuple[str, int, int]], starts: dict[str, Head], *, size: int = RANGE
) -> list[Range]:
    """Each chain (id, unsigned_through, audit_seq) from its start cut into ranges of
    `size` events; the last range of each chain is open-ended."""
    ranges = []
    for workstation, unsigned, count in chains:
        start = starts[workstation]
        cuts = list(range(start.seq, count, size))[1:] if count > start.seq else []
        bounds = [start.seq, *cuts]
        for index, after in enumerate(bounds):
            through = bounds[index + 1] if index + 1 < len(bounds) else None
            ranges.append(
                Range(workstation, after, through, unsigned, start if index == 0 else None)
            )
    return ranges


def walk(
    uow: UnitOfWork,
    keys: dict[str, EnrolledKey],
    part: Range,
    progress: Callable[[int], None] | None = None,
) -> Walked:
    """Walk and replay one range in `uow`."""
    start = part.start or Head(
        part.workstation, *check_queries.last_event_through(uow, part.workstation, part.after)
    )
    replay = replay_rows.Replay(uow)
    with _collector_paused():
        result = replay_chains.verify_chain(
            uow,
            part.workstation,
            keys=keys,
            start=start,
            unsigned_through=part.unsigned_through,
            through=part.through,
            checkpoint=part.start is not None,
            on_event=replay.event,
            progress=progress,
        )
        replay.flush()
    return Walked(part.workstation, result.findings, replay.findings, result.head, result.checked)


@contextmanager
def _collector_paused() -> Iterator[None]:
    """Python's cycle collector held off: a walk makes millions of small tuples, lists and
    dicts and no cycles, and the collector would spend a tenth of the walk scanning them
    (what is garbage is still freed by reference counting)."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def _walk_in_worker(url: str, keys: dict[str, EnrolledKey], part: Range) -> Walked:
    """One range in a worker process, on its own connection (read only)."""
    engine = create_database_engine(url)
    try:
        with UnitOfWork(engine, write=False) as uow:
            return walk(uow, keys, part)
    finally:
        engine.dispose()


def walk_all(
    uow: UnitOfWork,
    keys: dict[str, EnrolledKey],
    chains: list[tuple[str, int, int]],
    starts: dict[str, Head],
    *,
    events: int,
    progress: Callable[[int], None],
    meanwhile: Callable[[], None],
    workers: int | None = None,
) -> list[Walked]:
    """Every chain walked from its start, range by range, in order; `meanwhile` runs here
    as they are (the invariant rules). `workers`: processes to use (default one per core,
    none when the `events` to walk are few or only this process can open the database);
    each gets at least one range."""
    url = check_queries.shareable_url(uow)
    if workers is None:
        workers = (os.cpu_count() or 1) if events >= PARALLEL_FROM else 1
    if url is None or workers < 2:
        meanwhile()
        return [walk(uow, keys, part, progress) for part in plan(chains, starts)]
    ranges = plan(chains, starts, size=max(min(RANGE, -(-events // workers)), 1))
    context = multiprocessing.get_context("spawn")  # no inherited connections or threads
    with ProcessPoolExecutor(workers, mp_context=context) as pool:
        futures = [pool.submit(_walk_in_worker, url, keys, part) for part in ranges]
        meanwhile()
        pending: set[Future[Walked]] = set(futures)
        while pending:
            done, pending = wait(pending, timeout=PING_EVERY_S, return_when=FIRST_COMPLETED)
            for future in done:
                progress(future.result().checked)
            if pending:
                uow.ping()
        return [future.result() for future in futures]
