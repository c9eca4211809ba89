"""`caretill backup create|restore`: a consistent copy of the books, and the restore drill.

`create` (admin) writes an SQLite online backup or a `pg_dump` custom-format file and
audits it. `restore` loads a backup into an empty target only (a new SQLite file or a
PostgreSQL database without tables), so a drill never overwrites live books; then run
`caretill db upgrade`, `caretill db grant ROLE` (PostgreSQL) and `caretill check` on it.
"""

from __future__ import annotations

import argparse
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pos_app.adapters import backup as files
from pos_app.cli.context import Command, Context, Output
from pos_app.services import backup


def add_commands(commands: argparse._SubParsersAction, common: argparse.ArgumentParser) -> None:
    """Add `backup create` and `backup restore` to the command line."""
    group = commands.add_parser("backup", help="backups and the restore drill", parents=[common])
    actions = group.add_subparsers(dest="action", required=True, parser_class=type(group))
    create = actions.add_parser(
        "create", parents=[common], help="write a consistent copy of the database (admin)"
    )
    create.add_argument("--out", required=True, help="the backup file to write (must not exist)")
    restore = actions.add_parser(
        "restore", parents=[common], help="load a backup into the empty database --db names"
    )
    restore.add_argument("file")


def _payload(written: files.BackupFile) -> dict:
    return {
        "file": str(written.path),
        "size": written.size,
        "sha256": written.sha256,
        "kind": written.kind,
    }


@dataclass(frozen=True)
class CreateArgs:
    out: str


@dataclass(frozen=True)
class RestoreArgs:
    file: str


def backup_create(ctx: Context[CreateArgs]) -> Output:
    written = backup.create_backup(
        ctx.app.uow(),
        actor=ctx.actor(),
        workstation=ctx.app.workstation,
        url=ctx.app.settings.db_url,
        out=Path(ctx.args.out),
    )
    return _payload(written), (
        f"Backup written to {written.path} ({written.size:,} bytes, SHA-256 {written.sha256})."
    )


def backup_restore(ctx: Context[RestoreArgs]) -> Output:
    written = files.restore(Path(ctx.args.file), ctx.app.settings.db_url)
    return _payload(written), (
        f"Restored {ctx.args.file}. Next: `caretill db upgrade`, "
        "`caretill db grant ROLE` on PostgreSQL, then `caretill check`."
    )


HANDLERS: dict[tuple[str, str], Command[Any]] = {
    ("backup", "create"): Command(CreateArgs, backup_create),
    ("backup", "restore"): Command(RestoreArgs, backup_restore),
}
