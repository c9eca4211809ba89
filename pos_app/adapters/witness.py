"""The workstation's own witness: the last audit head it wrote, kept outside the database.

One small journal per database, named by the database's `database_id` (a random id made
with the schema), so a till used against a training copy and the live books never
confuses the two. It is updated after every commit that appended an event and compared
before every command: a database whose chain is behind it (or differs at its position)
was rewound or cut short.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from pathlib import Path

from pos_app.adapters.secrets import write_private

HEAD_FOLDER = "heads"


@dataclass(frozen=True)
class Head:
    """A chain's position: its last event's sequence number and hash."""

    workstation: str
    seq: int
    hash: str

    def to_json(self) -> dict:
        return {"workstation": self.workstation, "seq": self.seq, "hash": self.hash}


class HeadFile:
    """The heads this machine wrote, per database and workstation id.

    A journal: each commit appends one line (`["WS01", 812, "<hash>"]`), a single small
    write that the system keeps whole even when several processes append at once; a
    rewrite of the whole file per payment cost a till about a millisecond. The latest line
    of a workstation wins; the file is rewritten with one line per workstation once it
    grows past `COMPACT_AT` bytes. What was read is kept in memory and only the lines
    added since (by this or another process) are read again. A `.json` file of the
    previous release is read as the journal's starting point.
    """

    COMPACT_AT = 256 * 1024

    def __init__(self, folder: Path) -> None:
        self.folder = folder / HEAD_FOLDER
        # per database: the journal's (inode, bytes read) and the heads read from it
        self._read: dict[str, tuple[tuple[int, int], dict[str, Head]]] = {}
        self._paths: dict[str, Path] = {}

    def path(self, database_id: str) -> Path:
        path = self._paths.get(database_id)
        if path is None:
            path = self._paths[database_id] = self.folder / f"{database_id}.heads"
        return path

    def heads(self, database_id: str) -> dict[str, Head]:
        """Every workstation head this machine remembers for that database."""
        return dict(self._current(database_id))

    def head(self, database_id: str, workstation: str) -> Head | None:
        return self._current(database_id).get(workstation)

    def _current(self, database_id: str) -> dict[str, Head]:
        """The heads as the journal holds them now (not to be changed by the caller)."""
        path = self.path(database_id)
        try:
            stat = os.stat(path)
        except OSError:
            return self._legacy(database_id)
        known = self._read.get(database_id)
        if known is not None and known[0] == (stat.st_ino, stat.st_size):
            return known[1]
        same_file = known is not None and known[0][0] == stat.st_ino
        offset, heads = (
            (known[0][1], dict(known[1])) if same_file and known else (0, self._legacy(database_id))
        )
        try:
            with open(path, "rb") as handle:
                handle.seek(offset)
                added = handle.read()
        except OSError:
            return heads
        complete = added[: added.rfind(b"\n") + 1]  # a line still being written waits
        for line in complete.splitlines():
            _take(heads, line)
        self._read[database_id] = ((stat.st_ino, offset + len(complete)), heads)
        return heads

    def record(self, database_id: str, head: Head) -> None:
        """Remember `head` unless a later one is remembered already (processes race)."""
        known = self.head(database_id, head.workstation)
        if known is not None and known.seq >= head.seq:
            return
        self.folder.mkdir(mode=0o700, parents=True, exist_ok=True)
        line = json.dumps([head.workstation, head.seq, head.hash]) + "\n"
        descriptor = os.open(self.path(database_id), os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
        try:
            os.write(descriptor, line.encode("utf-8"))
            size = os.fstat(descriptor).st_size
        finally:
            os.close(descriptor)
        if size > self.COMPACT_AT:
            self._compact(database_id)

    def _compact(self, database_id: str) -> None:
        """One line per workstation. A line another process appends while this runs may
        be lost: its next command then finds its head behind the database's and checks
        the event there instead (ledger.compare_with_witness)."""
        with self._locked():
            self._read.pop(database_id, None)
            heads = self.heads(database_id)
            write_private(
                self.path(database_id),
                "".join(
                    json.dumps([h.workstation, h.seq, h.hash]) + "\n"
                    for _ws, h in sorted(heads.items())
                ),
            )

    def _legacy(self, database_id: str) -> dict[str, Head]:
        """The previous release's whole-file witness, if this machine has one."""
        try:
            data = json.loads((self.folder / f"{database_id}.json").read_text(encoding="utf-8"))
            return {ws: Head(ws, int(seq), str(digest)) for ws, (seq, digest) in data.items()}
        except (OSError, ValueError, TypeError, AttributeError):
            return {}

    @contextmanager
    def _locked(self) -> Iterator[None]:
        self.folder.mkdir(mode=0o700, parents=True, exist_ok=True)
        with open(self.folder / ".lock", "a", encoding="utf-8") as handle:
            try:
                import fcntl
            except ImportError:  # Windows: the atomic replace alone
                yield
                return
            fcntl.flock(handle, fcntl.LOCK_EX)
            try:
                yield
            finally:
                with suppress(OSError):
                    fcntl.flock(handle, fcntl.LOCK_UN)


def _take(heads: dict[str, Head], line: bytes) -> None:
    """Add one journal line to `heads` (a later sequence number wins); a damaged line is
    skipped, so one torn write never blinds the witness to the rest."""
    try:
        workstation, seq, digest = json.loads(line)
        head = Head(str(workstation), int(seq), str(digest))
    except (ValueError, TypeError):
        return
    known = heads.get(head.workstation)
    if known is None or head.seq > known.seq:
        heads[head.workstation] = head
