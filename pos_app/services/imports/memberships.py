"""`import memberships`: mrn,payer_code,member_no[,valid_until]; the patients' cover cards.

A new (patient, payer) pair is added, a known one gets the file's member number and
end date (a renewal), an unchanged one is skipped, so the same file imported twice
changes nothing. An unknown MRN or payer code is a finding on its line.
"""

from __future__ import annotations

import re
from typing import Any

from pos_app.adapters import patients_repo, payers_repo
from pos_app.adapters.uow import UnitOfWork
from pos_app.domain.money import Currency
from pos_app.services.imports import csvfile as f
from pos_app.services.imports.plan import Plan
from pos_app.services.patients import MRN_PATTERN
from pos_app.services.payers import CODE_PATTERN, MEMBER_NO_PATTERN

HEADER = f.Header(required=("mrn", "payer_code", "member_no"), optional=("valid_until",))
ADDS_UP = False
_PAYER = re.compile(CODE_PATTERN.pattern, re.IGNORECASE)


def plan(uow: UnitOfWork, rows: list[f.Row], findings: f.Findings, currency: Currency) -> Plan:
    """Memberships to add and to renew; a pair listed twice with other details is a finding."""
    wanted = _read_rows(rows, findings)
    patients = patients_repo.ids_of(uow, {m["mrn"] for m in wanted.values()})
    payers = payers_repo.ids_by_code(uow, {m["payer"] for m in wanted.values()})
    known = payers_repo.memberships_of(uow, patients.values())
    result, writes = Plan(skipped=len(rows) - len(wanted)), []  # a pair repeated as is
    for membership in wanted.values():
        line, mrn, payer = membership["line"], membership["mrn"], membership["payer"]
        if mrn not in patients:
            findings.add(line, f"no patient has MRN {mrn} (import patients first)")
        if payer not in payers:
            findings.add(line, f"no payer has code {payer} (add it with `payer add`)")
        if mrn not in patients or payer not in payers:
            continue
        pair = (patients[mrn], payers[payer])
        details = (membership["member_no"], membership["valid_until"])
        if known.get(pair) == details:
            result.skipped += 1
            continue
        writes.append(
            {
                "patient_id": pair[0],
                "payer_id": pair[1],
                "member_no": details[0],
                "valid_until": details[1],
                "new": pair not in known,
            }
        )
    result.added = sum(1 for w in writes if w["new"])
    result.updated = len(writes) - result.added
    result.steps.append(lambda uow: payers_repo.write_memberships(uow, writes, at=uow.clock()))
    return result


def _read_rows(rows: list[f.Row], findings: f.Findings) -> dict[tuple[str, str], dict]:
    """Each line's membership, by (MRN, payer code); repeats of a pair count once."""
    wanted: dict[tuple[str, str], dict] = {}
    for row in rows:
        before = len(findings)
        member_no = " ".join(row.get("member_no").split())
        membership: dict[str, Any] = {
            "line": row.line,
            "mrn": f.code(row, "mrn", findings, pattern=MRN_PATTERN),
            "payer": (f.code(row, "payer_code", findings, pattern=_PAYER) or "").upper(),
            "member_no": member_no,
            "valid_until": f.optional_date(row, "valid_until", findings),
        }
        if not member_no:
            findings.add(row.line, "member_no is empty")
        elif not MEMBER_NO_PATTERN.match(member_no):
            findings.add(row.line, f"member_no {member_no[:40]!r} is not a member number")
        if len(findings) > before:
            continue
        pair = (membership["mrn"], membership["payer"])
        if pair in wanted:
            first = wanted[pair]
            if (first["member_no"], first["valid_until"]) != (member_no, membership["valid_until"]):
                findings.add(
                    row.line,
                    f"patient {pair[0]} and payer {pair[1]} are on line "
                    f"{first['line']} with another member number or date",
                )
            continue
        wanted[pair] = membership
    return wanted
