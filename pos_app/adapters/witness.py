"""The workstation's own witness: the last audit head it wrote, kept outside the database.

One small file per database, named by the database's `database_id` (a random id made
with the schema), so a till used against a training copy and the live books never
confuses the two. It is updated after every commit that appended an event and compared
before every command: a database whose chain is behind it (or differs at its position)
was rewound or cut short.
"""

from __future__ import annotations

import json
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
    """The heads this machine wrote, per database and workstation id."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder / HEAD_FOLDER

    def path(self, database_id: str) -> Path:
        return self.folder / f"{database_id}.json"

    def heads(self, database_id: str) -> dict[str, Head]:
        """Every workstation head this machine remembers for that database."""
        try:
            data = json.loads(self.path(database_id).read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return {}
        return {ws: Head(ws, int(seq), str(digest)) for ws, (seq, digest) in data.items()}

    def head(self, database_id: str, workstation: str) -> Head | None:
        return self.heads(database_id).get(workstation)

    def record(self, database_id: str, head: Head) -> None:
        """Remember `head` unless a later one is remembered already (processes race)."""
        with self._locked():
            heads = self.heads(database_id)
            known = heads.get(head.workstation)
            if known is not None and known.seq >= head.seq:
                return
            heads[head.workstation] = head
            write_private(self.path(database_id), json.dumps(
                {ws: [h.seq, h.hash] for ws, h in sorted(heads.items())}, indent=1))

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

