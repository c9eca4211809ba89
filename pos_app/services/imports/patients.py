"""`import patients`: mrn,name[,phone][,dob]; new MRNs get a wallet, known ones are skipped."""

from __future__ import annotations

from typing import Any

from pos_app.adapters import patients_repo
from pos_app.adapters.uow import UnitOfWork
from pos_app.domain.money import Currency
from pos_app.services.imports import csvfile as f
from pos_app.services.imports.plan import Plan
from pos_app.services.patients import MRN_PATTERN, insert_patients

HEADER = f.Header(required=("mrn", "name"), optional=("phone", "dob"))
ADDS_UP = False


def plan(uow: UnitOfWork, rows: list[f.Row], findings: f.Findings, currency: Currency) -> Plan:
    """New patients to register; a known MRN under another name is a finding."""
    result = Plan()
    new: dict[str, dict] = {}
    line_of: dict[str, int] = {}
    for row in rows:
        before = len(findings)
        person: dict[str, Any] = {
            "mrn": f.code(row, "mrn", findings, pattern=MRN_PATTERN),
            "name": f.text(row, "name", findings, max_length=200),
            "phone": f.text(row, "phone", findings, max_length=32, required=False),
            "dob": f.past_date(row, "dob", findings),
        }
        if len(findings) > before:
            continue
        mrn = person["mrn"]
        if mrn in new:
            if f.same_name(new[mrn]["name"], person["name"]):
                result.skipped += 1
            else:
                findings.add(
                    row.line,
                    f"MRN {mrn} is on line {line_of[mrn]} as "
                    f"{new[mrn]['name']!r}, here as {person['name']!r}",
                )
            continue
        new[mrn] = person
        line_of[mrn] = row.line
    for mrn, name in patients_repo.names_of(uow, new).items():
        person = new.pop(mrn)
        if f.same_name(name, person["name"]):
            result.skipped += 1
        else:
            findings.add(
                line_of[mrn], f"MRN {mrn} is already registered as {name!r}, not {person['name']!r}"
            )
    people = list(new.values())
    result.added = len(people)
    result.steps.append(lambda uow: insert_patients(uow, people))
    return result
