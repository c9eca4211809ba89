"""Administrator imports from the hospital's other systems: patients, price list, stock, bills,
memberships.

`import_csv` reads the whole file, validates every line against the file and the
database, and only then writes all of it in one transaction with one audit
event, or refuses the file (`invalid_import`, each bad line and why) and
writes nothing. Lookups and writes are set-based: a query per few thousand
rows, never one per row.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from types import ModuleType
from typing import Any

from pos_app.adapters import audit_queries, batches, ledger
from pos_app.adapters.uow import UnitOfWork
from pos_app.domain.actors import Actor, Role
from pos_app.domain.errors import BadInput, Conflict
from pos_app.services import sessions
from pos_app.services.imports import bills, csvfile, memberships, patients, price_list, stock
from pos_app.services.imports.csvfile import InvalidImport

__all__ = ["KINDS", "ImportResult", "InvalidImport", "import_csv"]

KINDS: dict[str, ModuleType] = {
    "patients": patients,
    "services": price_list,
    "stock": stock,
    "bills": bills,
    "memberships": memberships,
}


@dataclass(frozen=True)
class ImportResult:
    """What one import did: rows read, and how many things were added, updated, skipped."""

    kind: str
    rows: int
    added: int
    updated: int
    skipped: int
    sha256: str
    already_imported: bool = False
    extra: dict[str, Any] = field(default_factory=dict)

    def to_json(self) -> dict:
        return {
            "kind": self.kind,
            "rows": self.rows,
            "added": self.added,
            "updated": self.updated,
            "skipped": self.skipped,
            "sha256": self.sha256,
            "already_imported": self.already_imported,
            "findings": [],
            **self.extra,
        }


def import_csv(
    uow: UnitOfWork,
    *,
    actor: Actor,
    workstation: str,
    kind: str,
    data: bytes,
    source: str = "",
    repeat: bool = False,
) -> ImportResult:
    """Import one CSV file of `kind` whole, or nothing of it.

    `repeat` lets a stock file that was already imported be received again (a second
    delivery with the very same lines); without it that file is skipped.
    """
    module = KINDS.get(kind)
    if module is None:
        raise BadInput(
            f"Cannot import {kind!r}: use one of {', '.join(KINDS)}.", code="invalid_import"
        )
    digest = hashlib.sha256(data).hexdigest()
    findings = csvfile.Findings()
    rows = csvfile.read(data, module.HEADER, findings)
    findings.raise_if_any(kind)
    with uow:
        actor = sessions.authorize(uow, actor, Role.ADMIN, f"import {kind}")
        currency = uow.facility().currency
        if module.ADDS_UP and not repeat and _imported_before(uow, kind, digest):
            result = ImportResult(kind, len(rows), 0, 0, len(rows), digest, True)
        else:
            plan = module.plan(uow, rows, findings, currency)
            findings.raise_if_any(kind)
            _write(uow, plan.steps)
            result = ImportResult(
                kind, len(rows), plan.added, plan.updated, plan.skipped, digest, False, plan.extra
            )
        ledger.record(
            uow,
            workstation,
            actor=actor,
            action=f"import.{kind}",
            details={
                "source": source,
                "sha256": digest,
                "rows": result.rows,
                "added": result.added,
                "updated": result.updated,
                "skipped": result.skipped,
                "already_imported": result.already_imported,
                **result.extra,
            },
        )
        uow.commit()
    return result


def _write(uow: UnitOfWork, steps: list) -> None:
    # Someone may add the same MRN, code or bill number while this file is checked.
    with batches.clash_as(
        Conflict(
            "The same records were changed while this file was "
            "imported; nothing was written. Run the import again.",
            code="import_conflict",
        )
    ):
        for step in steps:
            step(uow)


def _imported_before(uow: UnitOfWork, kind: str, digest: str) -> bool:
    """Whether this very file was imported as `kind` before (its hash is in the audit trail)."""
    return audit_queries.any_event(
        uow, action=f"import.{kind}", details_containing=ledger.canonical({"sha256": digest})[1:-1]
    )
