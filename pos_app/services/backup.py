"""Taking a backup is a privileged act: an admin's, recorded in the audit trail with its hash."""

from __future__ import annotations

from pathlib import Path

from pos_app.adapters import backup as files
from pos_app.adapters import ledger
from pos_app.adapters.uow import UnitOfWork
from pos_app.domain.actors import Actor, Role
from pos_app.services import sessions


def create_backup(
    uow: UnitOfWork, *, actor: Actor, workstation: str, url: str, out: Path
) -> files.BackupFile:
    """Copy the whole database to `out`, then audit who took it, where it went and its SHA-256."""
    with uow:
        actor = sessions.authorize(uow, actor, Role.ADMIN, "take backups")
    written = files.backup(url, out)
    with uow:
        ledger.record(
            uow,
            workstation,
            actor=actor,
            action="db.backup",
            details={
                "file": str(written.path),
                "size": written.size,
                "sha256": written.sha256,
                "kind": written.kind,
            },
        )
        uow.commit()
    return written
