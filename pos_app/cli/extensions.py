"""Command groups that live in their own modules (receipts, shifts, reports, ...).

Each module listed here defines `add_commands(commands, common)` to add its
sub-parsers and `HANDLERS`, a dict from (command, action) to a handler taking
a `Context` and returning (JSON payload, text).
"""

from __future__ import annotations

from types import ModuleType

from pos_app.cli import (
    account_commands,
    approval_commands,
    backup_commands,
    bill_commands,
    import_commands,
    payer_commands,
    receipt_commands,
    supervisor_commands,
    user_commands,
    workstation_commands,
)

EXTENSIONS: list[ModuleType] = [
    receipt_commands,
    supervisor_commands,
    import_commands,
    backup_commands,
    user_commands,
    bill_commands,
    workstation_commands,
    approval_commands,
    payer_commands,
    account_commands,
]
